export type { RowLevelOptions } from './row-level.js';
export { rowLevel } from './row-level.js';
export { RowEntityManager, TENANT_FILTER, TenantSubscriber } from './tenant-guard.js';
