export type { AdminApiOptions, AdminHandler, AdminRequest, AdminResponse } from './admin.js';
export { AdminApi, createAdminApi } from './admin.js';
export type { CacheBackend, MemoryCacheOptions, RedisLikeClient } from './cache.js';
export { DomainCache, memoryCacheBackend, redisCacheBackend } from './cache.js';
export type { DomainScope } from './context.js';
export { getCurrentDomain, tryGetCurrentDomain } from './context.js';
export type { DiscoverResult, DomainPatch } from './domain-handler.js';
export { DomainHandler } from './domain-handler.js';
export type { DomainPreferences } from './domain-proxy.js';
export { CurrentDomain, DomainProxy } from './domain-proxy.js';
export type { MdErrorCode, MdErrorOptions } from './errors.js';
export { ERROR_STATUS, httpStatusOf, MdError } from './errors.js';
export type { MdEventEmitter, MdEvents } from './events.js';
export { DomainFiles } from './files.js';
export type { AdapterOptions, HttpAnswer, RequestOutcome } from './http.js';
export {
  createRequestLike,
  handleRequest,
  parseCookieHeader,
  readRequestBody,
  serializeCookie,
  toHttpAnswer,
  withPath,
} from './http.js';
export { assertDomainName, DOMAIN_NAME_PATTERN, isValidDomainName, normalizeHost } from './names.js';
export type { MdLogger } from './observability.js';
export { createDefaultLogger, DomainMetrics } from './observability.js';
export type { RateLimitOptions, RateLimitTier } from './rate-limit.js';
export { DomainRateLimiter } from './rate-limit.js';
export type { ServiceFactory, ServiceMap } from './services.js';
export { ServiceRegistry } from './services.js';
export type { DomainCookieOptions, ErrorResponse, ResolvedRequest, SiteHealth, SiteOptions } from './site.js';
export { createSite, Site, toErrorResponse } from './site.js';
export type { EnvStoreOptions } from './stores/env-store.js';
export { envStore } from './stores/env-store.js';
export { jsonFileStore } from './stores/json-file-store.js';
export { memoryStore } from './stores/memory-store.js';
export type { DomainStore } from './stores/store.js';
export type {
  Awaitable,
  DeprovisionOptions,
  DomainBranding,
  DomainDefinition,
  DomainHealth,
  DomainResolver,
  DomainStatus,
  IsolationCapabilities,
  IsolationStrategy,
  MigrationReport,
  ProvisionOptions,
  RequestLike,
  Resolution,
  ResolveContext,
  SiteLike,
} from './types.js';
export { DOMAIN_STATUSES } from './types.js';
