export type { DebugHeaderOptions } from './debug-header.js';
export { debugHeader } from './debug-header.js';
export type { MdLogger } from './logger.js';
export { createDefaultLogger } from './logger.js';
export { DomainMetrics } from './metrics.js';
export type { ObservabilityOptions } from './observability.js';
export { Observability, observability } from './observability.js';
