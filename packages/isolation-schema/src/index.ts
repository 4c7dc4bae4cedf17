export type { SchemaPerDomainOptions } from './schema-per-domain.js';
export { schemaPerDomain } from './schema-per-domain.js';
