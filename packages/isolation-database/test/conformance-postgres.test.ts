import { describeStrategyConformance } from '@md/testing/strategy';
import { options } from './postgres-strategy.js';

describeStrategyConformance(options);
