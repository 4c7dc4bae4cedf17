import { describeIsolationRegressions } from '@md/testing/strategy';
import { options } from './postgres-strategy.js';

await describeIsolationRegressions(options);
