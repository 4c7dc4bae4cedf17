export type { AffinityOptions, SpillMode } from './affinity.js';
export type { SchemaPerDomainOptions, SchemaStats } from './schema-per-domain.js';
export { schemaPerDomain } from './schema-per-domain.js';
