export type { DatabasePerDomainOptions } from './database-per-domain.js';
export { databasePerDomain } from './database-per-domain.js';
