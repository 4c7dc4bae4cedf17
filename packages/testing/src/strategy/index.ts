export { describeIsolationRegressions } from './describe-isolation-regressions.js';
export type {
  MigrationBaseClass,
  MigrationBaseLike,
  MigrationConformanceOptions,
  MigrationConformanceStrategy,
  MigrationFactoryContext,
  MigrationNote,
} from './describe-migration-conformance.js';
export { describeMigrationConformance } from './describe-migration-conformance.js';
export type {
  ConformanceStrategy,
  StrategyConformanceOptions,
  StrategyFactoryContext,
} from './describe-strategy-conformance.js';
export { describeStrategyConformance } from './describe-strategy-conformance.js';
export type {
  ConformanceEntities,
  ConformanceItem,
  ConformanceOwner,
  ConformancePlan,
  ConformanceTag,
} from './entities.js';
export { createConformanceEntities } from './entities.js';
export { rawTable } from './raw-table.js';
