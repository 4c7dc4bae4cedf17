export type {
  ConformanceStrategy,
  StrategyConformanceOptions,
  StrategyFactoryContext,
} from './describe-strategy-conformance.js';
export { describeStrategyConformance } from './describe-strategy-conformance.js';
export type { ConformanceEntities, ConformanceItem, ConformanceOwner, ConformancePlan } from './entities.js';
export { createConformanceEntities } from './entities.js';
