export { quoteIdent, urlConnection } from './connection.js';
export type { MigrationOptions } from './migrations.js';
export {
  createTablesSql,
  migrateStore,
  migrationConfig,
  pendingMigrationsOf,
  schemaDiff,
} from './migrations.js';
export type { OrmTemplate, OrmTemplateOptions, SqlDriverClass, StoreOrm } from './orm-template.js';
export { createOrmTemplate, withStore } from './orm-template.js';
export type { ProvisionStep } from './provisioning.js';
export { runProvisionSteps } from './provisioning.js';
export type { AnyEntity } from './shared-entities.js';
export { classifyEntities, entityClassName, isSharedEntity, markShared } from './shared-entities.js';
export type { DomainSeeder, MikroOrmStrategy, MikroOrmStrategyOptions, StrategyStats } from './strategy.js';
export { MikroOrmStrategyBase } from './strategy-base.js';
