export { derivedPassword, quoteIdent, quoteLiteral, urlConnection, withCredentials } from './connection.js';
export type { DomainBinding, DomainGuardRules, TenantRule } from './domain-guard.js';
export { domainBinding } from './domain-guard.js';
export { DomainGuardSubscriber, MdEntityManager, openDomainEm } from './entity-manager.js';
export type { QueryBuilderState } from './internals.js';
export { addPivotTenantProperty, beforeQueryBuilderFinalize, wrapConnection } from './internals.js';
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
export { runProvisionSteps, withAdvisoryLock } from './provisioning.js';
export type { LoginRole } from './roles.js';
export { ensureLoginRole, grantSchema, hideActivity, requestRole, shortIdent } from './roles.js';
export type { AnyEntity } from './shared-entities.js';
export { classifyEntities, entityClassName, isSharedEntity, markShared } from './shared-entities.js';
export type { SqliteDatabaseFactory, SqliteFileOptions } from './sqlite.js';
export { nodeSqlite, sqliteDialect } from './sqlite.js';
export type { DomainSeeder, MikroOrmStrategy, MikroOrmStrategyOptions, StrategyStats } from './strategy.js';
export { MikroOrmStrategyBase } from './strategy-base.js';
