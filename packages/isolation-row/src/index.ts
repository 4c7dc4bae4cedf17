export type { RowLevelOptions } from './options.js';
export { rowLevel } from './row-level.js';
export { TENANT_FILTER } from './tables.js';
