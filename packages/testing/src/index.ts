// The suites live behind subpath exports so a test imports only what it needs:
// '@md/testing/adapter', '@md/testing/strategy', '@md/testing/postgres'.
// The root holds the small helpers every suite and test shares.
export { removeTempDirs, tempDir } from './temp.js';
