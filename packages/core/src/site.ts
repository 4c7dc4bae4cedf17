import 'reflect-metadata';
import { resolve as resolvePath } from 'node:path';
import type { DependencyContainer } from 'tsyringe';
import { type CacheBackend, memoryCacheBackend } from './cache.js';
import { currentScope, type DomainScope, runInScope } from './context.js';
import { DomainHandler } from './domain-handler.js';
import { type DomainProxy, rootContainer } from './domain-proxy.js';
import { MdError } from './errors.js';
import { createEventEmitter, type MdEventEmitter } from './events.js';
import { normalizeHost } from './names.js';
import { createDefaultLogger, DomainMetrics, type MdLogger } from './observability.js';
import { DomainRateLimiter, type RateLimitOptions } from './rate-limit.js';
import { ServiceRegistry } from './services.js';
import { memoryStore } from './stores/memory-store.js';
import type { DomainStore } from './stores/store.js';
import type {
  Awaitable,
  DeprovisionOptions,
  DomainDefinition,
  DomainHealth,
  DomainResolver,
  IsolationStrategy,
  MigrationReport,
  ProvisionOptions,
  RequestLike,
  Resolution,
  ResolveContext,
  SiteLike,
} from './types.js';

/** Options of `createSite`. Every field is optional: `createSite()` is a single-domain site. */
export interface SiteOptions<TEm = unknown> {
  /** How each domain gets its data (database-, schema- or row-level). */
  isolation?: IsolationStrategy<TEm>;
  /** The resolver chain; its order is the priority, the first answer wins. */
  resolvers?: DomainResolver[];
  /** Domain definitions, or a store to discover them from. */
  domains?: DomainDefinition[] | DomainStore;
  /** Name of the root domain (default `'_main_'`). */
  rootDomain?: string;
  /** The root domain's own definition: preferences every domain falls back to, branding… */
  root?: Omit<DomainDefinition, 'name'>;
  /** Central/admin hosts that serve the root domain when no resolver answers. */
  rootHosts?: string[];
  /** When true, `site.currentDomain` outside a run throws instead of answering the root domain. */
  strict?: boolean;
  /**
   * Paths that keep answering for suspended or disabled domains (health,
   * billing, login to pay). An entry ending in `/*` matches a prefix.
   */
  unavailableAllowList?: string[];
  /** Response header naming the resolved domain (seed 002). `true` means `x-md-domain`. */
  debugHeader?: boolean | string;
  /** Parent container of every domain's tsyringe child container (default: tsyringe's global). */
  container?: DependencyContainer;
  /** Backend of `domain.cache` (default: an in-memory LRU of 10,000 entries shared by all domains). */
  cache?: CacheBackend;
  /** Folder under which each domain's `domain.files` root lives (default `./data/files`). */
  filesRoot?: string;
  /** A token bucket per domain; requests over the limit get `429 RATE_LIMITED` with `Retry-After`. */
  rateLimit?: RateLimitOptions;
  /** Base logger; `domain.logger` is its child bound to the domain (default: pino at `MD_LOG_LEVEL`). */
  logger?: MdLogger;
}

/** A request md has resolved: the adapter runs the rest of the request with it. */
export interface ResolvedRequest {
  readonly domain: DomainProxy;
  readonly via: string;
  /** The normalised host. */
  readonly host: string;
  /** The path the app routes on (the clean path in path mode). */
  readonly path: string;
  /** The path as received. */
  readonly originalPath: string;
  /** True when `path` differs from `originalPath` and the adapter must rewrite the URL. */
  readonly rewritten: boolean;
  /** The cookie Path scoping this domain's cookies. */
  readonly cookiePath: string;
  /** Headers the adapter adds to the response (the debug header, when enabled). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

/** Options for cookies set by the current domain: host-only and path-scoped. */
export interface DomainCookieOptions {
  path: string;
  httpOnly: boolean;
  sameSite: 'lax' | 'strict';
  secure: boolean;
  /** Always undefined: md never sets a `Domain=` attribute, so a cookie never reaches a parent or sibling host. */
  domain?: undefined;
}

/** The HTTP answer for an error: status, JSON body `{ error: { code, message } }`. */
export interface ErrorResponse {
  status: number;
  body: { error: { code: string; message: string } };
  /** Headers to send with the error (`Retry-After` for `RATE_LIMITED`). */
  headers: ReadonlyArray<readonly [string, string]>;
}

/**
 * Maps any thrown value to the HTTP answer, through the one status table.
 * Errors that are not MdErrors become a 500 whose message reveals nothing.
 *
 * @example
 * const { status, body } = toErrorResponse(error);
 * res.status(status).json(body);
 */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (MdError.is(error)) {
    const retryAfter = error.code === 'RATE_LIMITED' ? error.details.retryAfter : undefined;
    return {
      status: error.status,
      body: error.toJSON(),
      headers: retryAfter === undefined ? [] : [['retry-after', String(retryAfter)]],
    };
  }
  return {
    status: 500,
    body: { error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } },
    headers: [],
  };
}

/**
 * The whole deployment: domains, resolvers, isolation strategy, services and
 * the domain context. Made by {@link createSite}.
 */
export class Site<TEm = unknown> implements SiteLike {
  readonly rootDomain: string;
  readonly domains: DomainHandler;
  readonly services: ServiceRegistry;
  readonly events: MdEventEmitter;
  /** Parent of every domain's child container; register per-domain classes here. */
  readonly container: DependencyContainer;
  readonly resolvers: readonly DomainResolver[];
  readonly isolation: IsolationStrategy<TEm> | undefined;
  readonly rootHosts: ReadonlySet<string>;
  readonly strict: boolean;
  /** Per-domain request counters and latency histograms (Prometheus). */
  readonly metrics: DomainMetrics;
  /** The base logger; inside a domain use `site.log` or `domain.logger`. */
  readonly logger: MdLogger;
  /** The per-domain rate limiter, when `rateLimit` is configured. */
  readonly rateLimiter: DomainRateLimiter | undefined;

  readonly #allowExact: ReadonlySet<string>;
  readonly #allowPrefixes: readonly string[];
  readonly #debugHeader: string | undefined;

  /** @internal Use `createSite`. */
  constructor(options: SiteOptions<TEm>, store: DomainStore | undefined) {
    this.rootDomain = options.rootDomain ?? '_main_';
    this.events = createEventEmitter();
    this.services = new ServiceRegistry();
    this.container = options.container ?? rootContainer.createChildContainer();
    this.resolvers = Object.freeze([...(options.resolvers ?? [])]);
    this.isolation = options.isolation;
    this.strict = options.strict ?? false;
    this.rootHosts = new Set((options.rootHosts ?? []).map((h) => normalizeHost(h)));
    const allow = options.unavailableAllowList ?? [];
    this.#allowExact = new Set(allow.filter((p) => !p.endsWith('/*')));
    this.#allowPrefixes = allow.filter((p) => p.endsWith('/*')).map((p) => p.slice(0, -1));
    this.#debugHeader =
      options.debugHeader === true
        ? 'x-md-domain'
        : options.debugHeader === false
          ? undefined
          : options.debugHeader;
    this.metrics = new DomainMetrics();
    this.events.on('domain:removed', (name) => this.metrics.forget(name));
    this.logger = options.logger ?? createDefaultLogger();
    this.rateLimiter = options.rateLimit === undefined ? undefined : new DomainRateLimiter(options.rateLimit);
    const limiter = this.rateLimiter;
    const release = options.isolation?.release?.bind(options.isolation);
    this.domains = new DomainHandler({
      rootDomain: this.rootDomain,
      events: this.events,
      services: this.services,
      container: this.container,
      store,
      root: options.root,
      policies: {
        cache: options.cache ?? memoryCacheBackend(),
        filesRoot: resolvePath(options.filesRoot ?? 'data/files'),
        logger: this.logger,
      },
      onRelease: async (name) => {
        limiter?.reset(name);
        await release?.(name);
      },
    });
  }

  /**
   * Runs `fn` inside a domain: `site.currentDomain`, `site.domain`,
   * `getCurrentDomain()` and `site.em` answer for it across every await,
   * timer and callback started inside. Nested runs restore the outer domain.
   * Throws `DOMAIN_NOT_FOUND` for an unknown name.
   *
   * @example
   * await site.run('acme', async () => {
   *   await new Promise((r) => setTimeout(r, 10));
   *   site.currentDomain; // 'acme'
   * });
   */
  run<T>(domain: string, fn: () => T): T {
    const proxy = this.domains.require(domain);
    return runInScope({ site: this, domain: proxy, request: undefined, em: undefined }, fn);
  }

  /** Runs `fn` for a request resolved by `resolve` (adapters call this). */
  runResolved<T>(resolved: ResolvedRequest, fn: () => T): T {
    return runInScope({ site: this, domain: resolved.domain, request: resolved, em: undefined }, fn);
  }

  /** The current domain's name; the root domain outside a run (throws `NO_CURRENT_DOMAIN` if `strict`). */
  get currentDomain(): string {
    return this.domain.name;
  }

  /** The current domain's proxy; the root domain outside a run (throws `NO_CURRENT_DOMAIN` if `strict`). */
  get domain(): DomainProxy {
    const scope = this.#scope();
    if (scope !== undefined) return scope.domain;
    if (this.strict) throw MdError.noCurrentDomain('site.domain');
    return this.domains.root;
  }

  /** The current domain's proxy, or undefined outside a run of this site. */
  tryGetDomain(): DomainProxy | undefined {
    return this.#scope()?.domain;
  }

  /** The current request's resolution, or undefined outside an adapter-handled request. */
  get request(): ResolvedRequest | undefined {
    return this.#scope()?.request;
  }

  /**
   * The current domain's entity manager, opened on first use and kept for the
   * rest of the run: a request that never touches data never pays for it.
   * Throws `NO_CURRENT_DOMAIN` outside a run, whatever `strict` says: data
   * access never falls back silently.
   */
  get em(): TEm {
    const scope = this.#scope();
    if (scope === undefined) throw MdError.noCurrentDomain('site.em');
    if (scope.em === undefined) {
      if (this.isolation === undefined) throw MdError.isolationNotConfigured('site.em');
      scope.em = this.isolation.em(scope.domain);
    }
    return scope.em as TEm;
  }

  /** True when the current run has opened its entity manager (for tests and benchmarks). */
  get emOpened(): boolean {
    return this.#scope()?.em !== undefined;
  }

  /**
   * Resolves a neutral request to a domain: normalises the host, asks each
   * resolver in order (the first answer wins), falls back to the root domain
   * on root hosts only, and refuses suspended or disabled domains outside the
   * allow-list. Throws a typed MdError (400, 403 or 404 class) otherwise.
   *
   * @example
   * const resolved = await site.resolve(request);
   * site.runResolved(resolved, next);
   */
  async resolve(req: RequestLike): Promise<ResolvedRequest> {
    const host = this.#host(req);
    let answer: Resolution | undefined;
    try {
      answer = await this.#runChain(req, host);
    } catch (error) {
      throw this.#failed(host, req.path, error);
    }
    return this.#complete(req, host, answer);
  }

  /**
   * The synchronous twin of {@link Site.resolve}, for hooks that cannot wait
   * (Fastify's `rewriteUrl` runs before routing and must return a string).
   * Same rules, same errors; it throws `INVALID_OPTIONS` when a resolver
   * answers with a promise, since that answer cannot be awaited here.
   *
   * @example
   * const app = Fastify({
   *   rewriteUrl: (req) => site.resolveSync(createRequestLike(req, 'fastify')).path,
   * });
   */
  resolveSync(req: RequestLike): ResolvedRequest {
    const host = this.#host(req);
    let answer: Awaitable<Resolution | undefined>;
    try {
      answer = this.#runChain(req, host);
    } catch (error) {
      throw this.#failed(host, req.path, error);
    }
    if (answer instanceof Promise) {
      // Nobody will await it: keep a later rejection from becoming an unhandled one.
      answer.catch(() => undefined);
      throw MdError.invalidOptions(
        'site.resolveSync() needs synchronous resolvers, but one answered with a promise. Use `await site.resolve(request)` for asynchronous resolver chains.',
      );
    }
    return this.#complete(req, host, answer);
  }

  /**
   * Cookie options for the current domain: host-only (never a `Domain=`
   * attribute), `Path=/stores/<code>` in path mode, `/` otherwise.
   *
   * @example
   * res.cookie('sid', id, site.cookieOptions());
   */
  cookieOptions(overrides: Partial<Omit<DomainCookieOptions, 'domain'>> = {}): DomainCookieOptions {
    return {
      path: this.request?.cookiePath ?? '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: false,
      ...overrides,
      domain: undefined,
    };
  }

  /**
   * Creates the domain's data (database / schema / policies), runs
   * migrations and, with `{ seed: true }`, the seeder. Idempotent.
   */
  async provision(name: string, options?: ProvisionOptions): Promise<void> {
    const domain = this.domains.require(name);
    if (this.isolation === undefined) throw MdError.isolationNotConfigured('site.provision()');
    const started = performance.now();
    await this.isolation.provision(domain, options);
    this.events.emit('domain:provisioned', { domain: name, ms: performance.now() - started });
  }

  /** Destroys the domain's data. `{ confirm }` must repeat the domain's name. */
  async deprovision(name: string, options: DeprovisionOptions): Promise<void> {
    const domain = this.domains.require(name);
    if (this.isolation === undefined) throw MdError.isolationNotConfigured('site.deprovision()');
    if (options?.confirm !== name) throw MdError.confirmationRequired('Deprovisioning', name);
    await this.isolation.deprovision(domain, options);
    this.events.emit('domain:deprovisioned', { domain: name });
  }

  /** Runs the domain's pending migrations. */
  async migrate(name: string): Promise<MigrationReport> {
    const domain = this.domains.require(name);
    if (this.isolation?.migrate === undefined) throw MdError.isolationNotConfigured('site.migrate()');
    const report = await this.isolation.migrate(domain);
    this.events.emit('domain:migrated', report);
    return report;
  }

  /**
   * The feature guard (seed 002): throws `FEATURE_DISABLED` (403) unless the
   * current domain has the feature. Adapters wrap it as route middleware.
   *
   * @example
   * site.assertFeature('reports');
   */
  assertFeature(feature: string): void {
    const domain = this.domain;
    if (!domain.hasFeature(feature)) throw MdError.featureDisabled(domain.name, feature);
  }

  /** The current domain's logger (the base logger outside a domain): every line names the domain. */
  get log(): MdLogger {
    return this.#scope()?.domain.logger ?? this.logger;
  }

  /**
   * Records an answered request in the metrics (adapters call it when the
   * response finishes; `resolved` is undefined for a request refused before
   * resolution, then `code` says why).
   */
  recordResponse(resolved: ResolvedRequest | undefined, status: number, ms: number, code?: string): void {
    if (resolved !== undefined) this.metrics.record(resolved.domain.name, status, ms);
    else this.metrics.rejected(code ?? 'INTERNAL_ERROR');
  }

  /**
   * The cross-domain guard (seed 003): refuses a session whose user belongs to
   * another domain than the one the request resolved to. It emits
   * `security:cross-domain` and writes an audit log line naming both domains,
   * the user and the path, then throws `CROSS_DOMAIN_ACCESS` (403).
   *
   * @example
   * site.assertSessionDomain({ domain: session.domain, user: session.userId });
   */
  assertSessionDomain(session: { domain: string; user: string }): void {
    const current = this.domain.name;
    if (session.domain === current) return;
    const path = this.request?.originalPath ?? '';
    const entry = { userDomain: session.domain, requestDomain: current, user: session.user, path };
    this.events.emit('security:cross-domain', entry);
    this.logger.warn({ audit: 'cross-domain', ...entry }, 'cross-domain access refused');
    throw new MdError(
      'CROSS_DOMAIN_ACCESS',
      `This session belongs to domain "${session.domain}" and cannot be used on "${current}". Log in on "${current}".`,
      { details: entry },
    );
  }

  /**
   * Health of one domain (its data reachable, through the strategy's
   * `health`) or, without a name, of every domain.
   */
  async health(name?: string): Promise<SiteHealth> {
    const targets = name === undefined ? [...this.domains] : [this.domains.require(name)];
    const domains: SiteHealth['domains'] = {};
    await Promise.all(
      targets.map(async (domain) => {
        const started = performance.now();
        try {
          domains[domain.name] = (await this.isolation?.health?.(domain)) ?? {
            ok: true,
            ms: performance.now() - started,
          };
        } catch (error) {
          domains[domain.name] = {
            ok: false,
            ms: performance.now() - started,
            error: (error as Error).message,
          };
        }
      }),
    );
    return { ok: Object.values(domains).every((d) => d.ok), domains };
  }

  /** Closes the isolation strategy and disposes every domain's services. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.domains].map((d) => d.dispose()));
    await this.isolation?.close();
    this.events.removeAllListeners();
  }

  #host(req: RequestLike): string {
    try {
      return normalizeHost(req.host);
    } catch (error) {
      this.#notResolved(String(req.host), req.path, error as MdError);
      throw error;
    }
  }

  #failed(host: string, path: string, error: unknown): unknown {
    if (MdError.is(error)) this.#notResolved(host, path, error);
    return error;
  }

  #complete(req: RequestLike, host: string, answer: Resolution | undefined): ResolvedRequest {
    let resolution: Resolution;
    try {
      resolution = answer ?? this.#fallback(host, req.path);
    } catch (error) {
      throw this.#failed(host, req.path, error);
    }
    const domain = this.domains.get(resolution.domain);
    if (domain === undefined) {
      const error = MdError.domainNotFound(resolution.domain, { host, via: resolution.via });
      this.#notResolved(host, req.path, error);
      throw error;
    }
    const path = resolution.path ?? req.path;
    if (!domain.isAvailable && !this.#allowed(path)) {
      throw MdError.domainUnavailable(domain.name, domain.status as 'suspended' | 'disabled');
    }
    this.rateLimiter?.take(domain);
    // Skip building the payload on the hot path when nobody listens.
    if (this.events.listenerCount('request:resolved') > 0) {
      this.events.emit('request:resolved', {
        domain: domain.name,
        via: resolution.via,
        host,
        path: req.path,
      });
    }
    return {
      domain,
      via: resolution.via,
      host,
      path,
      originalPath: req.path,
      rewritten: path !== req.path,
      cookiePath: resolution.cookiePath ?? '/',
      headers:
        this.#debugHeader === undefined ? [] : [[this.#debugHeader, `${domain.name}; via=${resolution.via}`]],
    };
  }

  #scope(): DomainScope | undefined {
    const scope = currentScope();
    return scope !== undefined && scope.site === this ? scope : undefined;
  }

  #runChain(req: RequestLike, host: string) {
    const ctx: ResolveContext = {
      domains: this.domains,
      rootDomain: this.rootDomain,
      rootHosts: this.rootHosts,
      host,
    };
    const resolvers = this.resolvers;
    const step = (i: number): ReturnType<DomainResolver['resolve']> => {
      for (; i < resolvers.length; i++) {
        const answer = resolvers[i]!.resolve(req, ctx);
        if (answer instanceof Promise) {
          const next = i + 1;
          return answer.then((a) => a ?? step(next));
        }
        if (answer !== undefined) return answer;
      }
      return undefined;
    };
    return step(0);
  }

  #fallback(host: string, path: string) {
    // Single-domain mode: with no resolvers, everything is the root domain.
    if (this.resolvers.length === 0 || this.rootHosts.has(host))
      return { domain: this.rootDomain, via: 'root' };
    throw MdError.notResolved(host, path);
  }

  #allowed(path: string): boolean {
    if (this.#allowExact.has(path)) return true;
    for (const prefix of this.#allowPrefixes)
      if (path.startsWith(prefix) || `${path}/` === prefix) return true;
    return false;
  }

  #notResolved(host: string, path: string, error: MdError): void {
    this.events.emit('request:not-resolved', { host, path, error });
  }
}

/** What `site.health()` answers. */
export interface SiteHealth {
  ok: boolean;
  domains: Record<string, DomainHealth>;
}

/**
 * Builds a site: validates the plugins (unique names), registers the domains
 * (from a list or discovered from a store), then opens the isolation
 * strategy. A site with no resolvers and no domains runs everything in the
 * root domain, so a single-tenant app adopts md without change.
 *
 * @example
 * const site = await createSite({
 *   resolvers: [hostResolver(), subdomainResolver({ baseDomains: ['platform.com'] })],
 *   domains: [{ name: 'acme', hosts: ['acme.com'] }],
 *   rootHosts: ['platform.com'],
 * });
 */
export async function createSite<TEm = unknown>(options: SiteOptions<TEm> = {}): Promise<Site<TEm>> {
  if (options === null || typeof options !== 'object')
    throw MdError.invalidOptions('options must be an object');
  const names = new Set<string>();
  for (const resolver of options.resolvers ?? []) {
    if (
      resolver === null ||
      typeof resolver !== 'object' ||
      typeof resolver.name !== 'string' ||
      resolver.name === ''
    ) {
      throw MdError.invalidOptions('every resolver must be an object with a non-empty "name"');
    }
    if (typeof resolver.resolve !== 'function') {
      throw MdError.invalidOptions(`resolver "${resolver.name}" has no resolve(request) function`);
    }
    if (names.has(resolver.name)) throw MdError.duplicatePlugin('resolver', resolver.name);
    names.add(resolver.name);
  }
  if (
    options.rootDomain !== undefined &&
    (typeof options.rootDomain !== 'string' || options.rootDomain === '')
  ) {
    throw MdError.invalidOptions('rootDomain must be a non-empty string');
  }
  const store = Array.isArray(options.domains) ? memoryStore(options.domains) : options.domains;
  const site = new Site<TEm>(options, store);
  await site.domains.discover();
  await options.isolation?.init(site);
  return site;
}
