import { describeDataAttacks } from '@md/testing/attack';
import { options } from './sqlite-strategy.js';

await describeDataAttacks(options);
