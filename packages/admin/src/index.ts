export type { AdminApiOptions, MetricsSource } from './admin-api.js';
export { AdminApi, adminApi } from './admin-api.js';
export type { SiteHealth } from './health.js';
export { siteHealth } from './health.js';
export type { AdminHandler, AdminRequest } from './route-table.js';
