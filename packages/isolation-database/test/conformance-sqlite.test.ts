import { describeStrategyConformance } from '@md/testing/strategy';
import { options } from './sqlite-strategy.js';

describeStrategyConformance(options);
