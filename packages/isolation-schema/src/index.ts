export type { AffinityOptions, SpillMode } from './affinity.js';
export type { SchemaPerDomainOptions, SchemaStats } from './options.js';
export { schemaPerDomain } from './schema-per-domain.js';
