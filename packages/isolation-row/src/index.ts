export type { RowLevelOptions } from './row-level.js';
export { rowLevel, TENANT_FILTER } from './row-level.js';
