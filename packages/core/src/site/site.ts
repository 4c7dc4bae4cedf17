import { rm } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { currentScope, type DomainScope, runInScope } from '../context/domain-context.js';
import { memoryCacheBackend } from '../domains/cache/memory-backend.js';
import { DomainHandler } from '../domains/collection.js';
import type { DomainContainer } from '../domains/container.js';
import { normalizeHost } from '../domains/names.js';
import { PlatformReservations } from '../domains/names-reserved.js';
import type { DomainProxy } from '../domains/proxy.js';
import { ServiceRegistry } from '../domains/services.js';
import type { DomainStore } from '../domains/stores/store.js';
import { MdError } from '../errors/md-error.js';
import type { DeprovisionOptions, IsolationStrategy, ProvisionOptions } from '../isolation/contracts.js';
import type { MigrationReport } from '../isolation/reports.js';
import { admit } from '../policies/admit.js';
import type { DomainPolicy, PolicyContext } from '../policies/contract.js';
import type { DomainResolver, RequestLike, ResolvedRequest } from '../resolution/contracts.js';
import { type LocatorOptions, locate } from '../resolution/locate.js';
import type { Awaitable } from '../util/awaitable.js';
import { createEventEmitter, type MdEventEmitter } from './events.js';
import { SiteHooks } from './hooks.js';
import type { SiteOptions } from './options.js';
import type { PluginSite, SitePlugin } from './plugin.js';

/**
 * The whole deployment: domains, resolvers, policies, plugins, isolation
 * strategy, services and the domain context. Made by `createSite`.
 *
 * @example
 * const site = await createSite({ resolvers: [hostResolver()], domains: [{ name: 'acme', hosts: ['acme.com'] }] });
 * await site.run('acme', async () => site.domain.name); // 'acme'
 */
export class Site<TEm = unknown> implements PluginSite {
  readonly rootDomain: string;
  /** The domain collection: register, update, remove, discover, look up. */
  readonly domains: DomainHandler;
  readonly services: ServiceRegistry;
  readonly events: MdEventEmitter;
  /** What plugins add to the HTTP path (read by `handleRequest`). */
  readonly hooks: SiteHooks;
  /** Parent of every domain's child DI container, when the site was given one. */
  readonly container: DomainContainer | undefined;
  readonly resolvers: readonly DomainResolver[];
  readonly policies: readonly DomainPolicy[];
  readonly plugins: readonly SitePlugin[];
  readonly isolation: IsolationStrategy<TEm> | undefined;
  readonly rootHosts: ReadonlySet<string>;
  readonly strict: boolean;

  readonly #locator: LocatorOptions;
  readonly #policyContext: PolicyContext;
  readonly #policies: readonly DomainPolicy[];
  /** Drops what the policies and the strategy keep for a domain (rate-limit bucket, pools). */
  readonly #release: (name: string) => Promise<void>;

  /** @internal Use `createSite`. */
  constructor(options: SiteOptions<TEm>, store: DomainStore | undefined, policies: readonly DomainPolicy[]) {
    this.rootDomain = options.rootDomain ?? '_main_';
    this.events = createEventEmitter();
    this.hooks = new SiteHooks();
    this.services = new ServiceRegistry();
    this.container = options.container;
    this.resolvers = Object.freeze([...(options.resolvers ?? [])]);
    this.policies = Object.freeze([...policies]);
    this.plugins = Object.freeze([...(options.plugins ?? [])]);
    this.isolation = options.isolation;
    this.strict = options.strict ?? false;
    this.rootHosts = new Set((options.rootHosts ?? []).map((h) => normalizeHost(h)));
    const reserved = new PlatformReservations();
    reserved.add("the site's rootHosts", { hosts: [...this.rootHosts] });
    for (const resolver of this.resolvers) reserved.add(`resolver "${resolver.name}"`, resolver.reserved);
    for (const plugin of this.plugins) reserved.add(`plugin "${plugin.name}"`, plugin.reserved);
    const releasing = [...this.policies.filter((p) => p.release !== undefined), options.isolation];
    this.#release = async (name) => {
      for (const plugin of releasing) await plugin?.release?.(name);
    };
    this.domains = new DomainHandler({
      rootDomain: this.rootDomain,
      events: this.events,
      services: this.services,
      container: options.container,
      cache: options.cache ?? memoryCacheBackend(),
      filesRoot: resolvePath(options.filesRoot ?? 'data/files'),
      store,
      root: options.root,
      onRelease: (name) => this.#release(name),
      reserved,
    });
    this.#locator = {
      // Copies that are not frozen: V8 reads a frozen array's elements through a keyed-load IC
      // call in the per-request loops (measured with attribute.mjs --callers Builtins_KeyedLoadIC).
      resolvers: [...this.resolvers],
      domains: this.domains,
      rootHosts: this.rootHosts,
      events: this.events,
    };
    this.#policyContext = { domains: this.domains };
    this.#policies = [...this.policies];
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

  /**
   * Runs `fn` for a request `resolve` answered (adapters call this): one
   * `storage.run`, nothing else.
   *
   * @example
   * site.runResolved(await site.resolve(request), next);
   */
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
   * Throws `NO_CURRENT_DOMAIN` outside a run, whatever `strict` says.
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
   * Resolves a neutral request: {@link Site.locate} finds its domain, then
   * {@link Site.admit} runs the policies. Answers synchronously when every
   * resolver and policy does, else a promise; throws (or rejects with) a
   * typed MdError.
   *
   * @example
   * const resolved = await site.resolve(request);
   * site.runResolved(resolved, next);
   */
  resolve(req: RequestLike): Awaitable<ResolvedRequest> {
    const located = locate(this.#locator, req);
    return located instanceof Promise ? located.then((r) => this.admit(r)) : this.admit(located);
  }

  /**
   * The first step of `resolve`: normalises the host, runs the resolver
   * chain over the read-only lookup and falls back to the root domain on
   * root hosts only. Synchronous when every resolver is, for hooks that route
   * before policies can run (Fastify's `rewriteUrl`).
   *
   * @example
   * const located = site.locate(request); // no policy has run yet
   */
  locate(req: RequestLike): Awaitable<ResolvedRequest> {
    return locate(this.#locator, req);
  }

  /**
   * The second step of `resolve`: each policy's check, in order, on a
   * located request; emits `request:resolved` when it is admitted.
   *
   * @example
   * const resolved = await site.admit(located); // 403 DOMAIN_SUSPENDED, 429 RATE_LIMITED…
   */
  admit(located: ResolvedRequest): Awaitable<ResolvedRequest> {
    const admitted = admit(this.#policies, located, this.#policyContext);
    return admitted instanceof Promise ? admitted.then(this.#admitted) : this.#admitted(admitted);
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

  /**
   * Erases everything the domain owns: its data (through the strategy, when
   * the site has one: rows, sessions and every table of the domain), its
   * cache keys, its files, its register and service instances (disposed),
   * and what the policies and the strategy keep for it (rate-limit bucket,
   * pools); `domain:deprovisioned` lets plugins drop theirs (metrics
   * series). The domain stays registered, empty: provisioning it again, or
   * registering its code anew after removing it, finds nothing.
   * `{ confirm }` must repeat the domain's name.
   */
  async deprovision(name: string, options: DeprovisionOptions): Promise<void> {
    const domain = this.domains.require(name);
    if (options?.confirm !== name) throw MdError.confirmationRequired('Deprovisioning', name);
    await this.isolation?.deprovision(domain, options);
    await domain.cache.clear();
    await rm(domain.files.root, { recursive: true, force: true });
    await this.#release(name);
    await domain.dispose();
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

  /** Disposes every domain's services, closes the plugins (in reverse order) and the isolation strategy. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.domains].map((d) => d.dispose()));
    for (const plugin of [...this.plugins].reverse()) await plugin.close?.();
    await this.isolation?.close();
    this.events.removeAllListeners();
  }

  readonly #admitted = (resolved: ResolvedRequest): ResolvedRequest => {
    // Skip building the payload on the hot path when nobody listens.
    if (this.events.listenerCount('request:resolved') > 0) {
      const { domain, via, host, originalPath: path } = resolved;
      this.events.emit('request:resolved', { domain: domain.name, via, host, path });
    }
    return resolved;
  };

  #scope(): DomainScope | undefined {
    const scope = currentScope();
    return scope !== undefined && scope.site === this ? scope : undefined;
  }
}
