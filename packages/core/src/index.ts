// @md/core — what app developers use. Adapter authors also import
// `@md/core/http`; strategy and plugin authors find their contracts here as types.

// the domain context
export type { DomainCookieOptions } from './context/cookie-options.js';
export { cookieOptions } from './context/cookie-options.js';
export { getCurrentDomain, tryGetCurrentDomain } from './context/domain-context.js';
export type { CacheBackend } from './domains/cache/cache-backend.js';
// domains
export type { DomainCache } from './domains/cache/domain-cache.js';
export type { MemoryCacheOptions } from './domains/cache/memory-backend.js';
export { memoryCacheBackend } from './domains/cache/memory-backend.js';
export type { RedisLikeClient } from './domains/cache/redis-backend.js';
export { redisCacheBackend } from './domains/cache/redis-backend.js';
export type { DiscoverResult, DomainHandler } from './domains/collection.js';
export type { DomainContainer } from './domains/container.js';
export { CurrentDomain } from './domains/container.js';
export type { DomainBranding, DomainDefinition, DomainPatch, DomainStatus } from './domains/definition.js';
export { DOMAIN_STATUSES } from './domains/definition.js';
export type { DomainFiles } from './domains/files.js';
export type { DomainLookup } from './domains/lookup.js';
export { assertDomainName, DOMAIN_NAME_PATTERN, isValidDomainName, normalizeHost } from './domains/names.js';
export type { DomainPreferences } from './domains/preferences.js';
export type { DomainProxy, ServiceFactory } from './domains/proxy.js';
export type { ServiceMap } from './domains/service-map.js';
export type { ServiceRegistry } from './domains/services.js';
export type { EnvStoreOptions } from './domains/stores/env-store.js';
export { envStore } from './domains/stores/env-store.js';
export { jsonFileStore } from './domains/stores/json-file-store.js';
export { memoryStore } from './domains/stores/memory-store.js';
export type { DomainStore } from './domains/stores/store.js';
export type { DefinitionRules } from './domains/validate.js';
export { normalizeDefinition } from './domains/validate.js';
// errors
export type { MdErrorCode } from './errors/codes.js';
export { ERROR_STATUS } from './errors/codes.js';
export type { HeaderList, MdErrorOptions } from './errors/md-error.js';
export { MdError } from './errors/md-error.js';
// isolation strategies
export type {
  DeprovisionOptions,
  IsolationCapabilities,
  IsolationStrategy,
  ProvisionOptions,
  SiteLike,
} from './isolation/contracts.js';
export type { DomainHealth, MigrationReport } from './isolation/reports.js';
// policies
export type { AvailabilityOptions } from './policies/availability.js';
export { availability } from './policies/availability.js';
export type { DomainPolicy, PolicyAnswer, PolicyContext } from './policies/contract.js';
export { assertFeature, assertSessionDomain } from './policies/guards.js';
export type { RateLimitOptions, RateLimitTier } from './policies/rate-limit.js';
export { rateLimit } from './policies/rate-limit.js';
// resolution
export type {
  DomainResolver,
  RequestLike,
  Reservations,
  Resolution,
  ResolveContext,
  ResolvedRequest,
} from './resolution/contracts.js';
export { createSite } from './site/create-site.js';
export type { CrossDomainEntry, MdEventEmitter, MdEvents } from './site/events.js';
export type {
  FinishedResponse,
  RequestInterceptor,
  ResolvedInterceptor,
  ResponseObserver,
  SiteHooks,
} from './site/hooks.js';
// the site
export type { SiteOptions } from './site/options.js';
export type { PluginSite, SitePlugin } from './site/plugin.js';
export type { Site } from './site/site.js';

export type { Awaitable } from './util/awaitable.js';
