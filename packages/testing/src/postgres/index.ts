export { postgresGlobalSetup } from './global-setup.js';
export { injectPostgresUrl } from './inject-url.js';
export type { StartedPostgres, StartPostgresOptions } from './start-postgres.js';
export { startPostgres } from './start-postgres.js';
export { testDatabase } from './test-database.js';
