import { describeIsolationRegressions } from '@md/testing/strategy';
import { options } from './sqlite-strategy.js';

await describeIsolationRegressions(options);
