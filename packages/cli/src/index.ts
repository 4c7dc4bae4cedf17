export type { DomainLocks } from './advisory-lock.js';
export { noLocks, postgresDomainLocks } from './advisory-lock.js';
export { runCli } from './cli.js';
export type { SiteBenchReport } from './commands/bench.js';
export { benchSite } from './commands/bench.js';
export type { CliIo } from './context.js';
export type { DomainDrift } from './drift.js';
export { checkDrift } from './drift.js';
export type { LoadedConfig, MdConfigModule } from './load-config.js';
export { loadConfig } from './load-config.js';
export type {
  DomainMigrationResult,
  DomainMigrationStatus,
  FleetMigrationReport,
  MigrateFleetOptions,
} from './migrate-fleet.js';
export { migrateFleet } from './migrate-fleet.js';
