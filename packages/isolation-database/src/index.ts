export { databasePerDomain } from './database-per-domain.js';
export type { DatabasePerDomainOptions } from './options.js';
