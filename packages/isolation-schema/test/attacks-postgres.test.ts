import { describeDataAttacks } from '@md/testing/attack';
import { options } from './postgres-strategy.js';

await describeDataAttacks(options);
