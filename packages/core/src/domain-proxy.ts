import 'reflect-metadata';
import { type DependencyContainer, container as globalContainer } from 'tsyringe';
import { type CacheBackend, DomainCache } from './cache.js';
import { DomainFiles } from './files.js';
import type { MdLogger } from './observability.js';
import { disposeService, type ServiceMap, type ServiceRegistry } from './services.js';
import type { DomainBranding, DomainDefinition, DomainStatus } from './types.js';

/**
 * Injection token for the current DomainProxy in a domain's tsyringe child
 * container.
 *
 * @example
 * @injectable()
 * class Mailer { constructor(@inject(CurrentDomain) readonly domain: DomainProxy) {} }
 * site.container.register(Mailer, { useClass: Mailer }, { lifecycle: Lifecycle.ContainerScoped });
 * site.domains.get('acme')!.container.resolve(Mailer).domain.name; // 'acme'
 */
export const CurrentDomain: unique symbol = Symbol.for('md.CurrentDomain');

/** A domain's preferences; a key it does not set falls back to the root domain's value. */
export interface DomainPreferences {
  /** The domain's value, else the root domain's, else `undefined`. */
  get<T = unknown>(key: string): T | undefined;
  /** Only the domain's own value, without fallback. */
  getOwn<T = unknown>(key: string): T | undefined;
  /** All preferences as this domain sees them (root values overlaid with its own). */
  all(): Record<string, unknown>;
}

/** @internal What each domain's cache, files and logger are built on. */
export interface DomainPolicies {
  readonly cache: CacheBackend;
  readonly filesRoot: string;
  readonly logger: MdLogger;
}

/** @internal What a proxy needs from its handler. */
export interface ProxyHost {
  readonly services: ServiceRegistry;
  readonly container: DependencyContainer;
  readonly policies: DomainPolicies;
  rootProxy(): DomainProxy | undefined;
}

/**
 * One domain at run time: its attributes, status, features, preferences with
 * fallback to the root domain, a per-domain key-value register, a per-domain
 * service cache and a tsyringe child container. Get one from
 * `site.domains.get(name)`, `site.domain` or `getCurrentDomain()`.
 *
 * @example
 * const acme = site.domains.get('acme')!;
 * acme.preferences.get('locale'); // acme's locale, else _main_'s
 * acme.service('mailer');         // one Mailer for acme, created on first use
 */
export class DomainProxy {
  readonly name: string;
  readonly isRoot: boolean;
  /** A per-domain key-value store for run-time state (seed 000's register). */
  readonly register = new Map<string, unknown>();
  readonly preferences: DomainPreferences;

  #definition: Readonly<DomainDefinition>;
  #features: ReadonlySet<string>;
  readonly #host: ProxyHost;
  readonly #services = new Map<string, unknown>();
  #container: DependencyContainer | undefined;
  #cache: DomainCache | undefined;
  #files: DomainFiles | undefined;
  #logger: MdLogger | undefined;

  /** @internal Created by the DomainHandler only. */
  constructor(definition: DomainDefinition, host: ProxyHost, isRoot: boolean) {
    this.name = definition.name;
    this.isRoot = isRoot;
    this.#definition = freezeDefinition(definition);
    this.#features = new Set(definition.features ?? []);
    this.#host = host;
    this.preferences = {
      get: <T>(key: string): T | undefined => {
        const value = this.#definition.preferences?.[key];
        if (value !== undefined || this.isRoot) return value as T | undefined;
        return this.#host.rootProxy()?.preferences.getOwn<T>(key);
      },
      getOwn: <T>(key: string): T | undefined => {
        const own = this.#definition.preferences;
        return own !== undefined && Object.hasOwn(own, key) ? (own[key] as T | undefined) : undefined;
      },
      all: () => ({
        ...(this.isRoot ? {} : this.#host.rootProxy()?.definition.preferences),
        ...this.#definition.preferences,
      }),
    };
  }

  /** The stored definition (frozen). */
  get definition(): Readonly<DomainDefinition> {
    return this.#definition;
  }

  get status(): DomainStatus {
    return this.#definition.status ?? 'active';
  }

  /** True for `active` and `trial` domains. */
  get isAvailable(): boolean {
    const status = this.status;
    return status === 'active' || status === 'trial';
  }

  get hosts(): readonly string[] {
    return this.#definition.hosts ?? [];
  }

  get features(): ReadonlySet<string> {
    return this.#features;
  }

  get attributes(): Readonly<Record<string, unknown>> {
    return this.#definition.attributes ?? {};
  }

  get branding(): Readonly<DomainBranding> {
    return this.#definition.branding ?? {};
  }

  /** Connection URL of the domain's own database, when it names one. */
  get databaseUrl(): string | undefined {
    return this.#definition.databaseUrl;
  }

  /** True when the feature flag is switched on for this domain. */
  hasFeature(feature: string): boolean {
    return this.#features.has(feature);
  }

  /**
   * The domain's instance of a registered service, created on first use and
   * cached per (service, domain).
   */
  service<TName extends keyof ServiceMap>(name: TName): ServiceMap[TName];
  service<T = unknown>(name: string): T;
  service(name: string): unknown {
    const cached = this.#services.get(name);
    if (cached !== undefined || this.#services.has(name)) return cached;
    const instance = this.#host.services.factory(name)(this);
    this.#services.set(name, instance);
    return instance;
  }

  /** The site's cache with every key namespaced by this domain (seed 003). */
  get cache(): DomainCache {
    this.#cache ??= new DomainCache(this.#host.policies.cache, this.name);
    return this.#cache;
  }

  /** Files under this domain's own root; paths that escape it are refused (seed 001). */
  get files(): DomainFiles {
    this.#files ??= new DomainFiles(this.#host.policies.filesRoot, this.name);
    return this.#files;
  }

  /** The site's logger bound to `{ domain: name }`: every line it writes names the domain. */
  get logger(): MdLogger {
    this.#logger ??= this.#host.policies.logger.child({ domain: this.name });
    return this.#logger;
  }

  /** Names of the services this domain has instantiated. */
  get activeServices(): string[] {
    return [...this.#services.keys()];
  }

  /**
   * The domain's tsyringe child container (of `site.container`), created on
   * first use. `CurrentDomain` resolves to this proxy inside it; classes
   * registered with `Lifecycle.ContainerScoped` are per-domain singletons.
   */
  get container(): DependencyContainer {
    if (this.#container === undefined) {
      const child = this.#host.container.createChildContainer();
      child.register(CurrentDomain, { useValue: this });
      this.#container = child;
    }
    return this.#container;
  }

  /** Plain data for JSON (templates, APIs). */
  toJSON(): { name: string; status: DomainStatus; hosts: readonly string[]; branding: DomainBranding } {
    return { name: this.name, status: this.status, hosts: this.hosts, branding: this.branding };
  }

  /** @internal Swaps in a new definition and drops the domain's services and container. */
  async replace(definition: DomainDefinition): Promise<void> {
    this.#definition = freezeDefinition(definition);
    this.#features = new Set(definition.features ?? []);
    await this.#disposeServices();
  }

  /** @internal Disposes every service instance, the child container and the register. */
  async dispose(): Promise<void> {
    this.register.clear();
    await this.#disposeServices();
  }

  async #disposeServices(): Promise<void> {
    const instances = [...this.#services.values()];
    this.#services.clear();
    const container = this.#container;
    this.#container = undefined;
    const results = await Promise.allSettled([
      ...instances.map(disposeService),
      ...(container === undefined ? [] : [container.dispose()]),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }
}

function freezeDefinition(definition: DomainDefinition): Readonly<DomainDefinition> {
  return Object.freeze({ ...definition });
}

/** @internal The default parent of every site's container. */
export const rootContainer: DependencyContainer = globalContainer;
