import { MdError } from '../errors/md-error.js';
import type { CacheBackend } from './cache/cache-backend.js';
import { DomainCache } from './cache/domain-cache.js';
import { CurrentDomain, type DomainContainer } from './container.js';
import type { DomainBranding, DomainDefinition, DomainStatus } from './definition.js';
import { disposeService } from './dispose.js';
import { DomainFiles } from './files.js';
import { createPreferences, type DomainPreferences } from './preferences.js';
import type { ServiceMap } from './service-map.js';

/** Builds one service instance for one domain. */
export type ServiceFactory<T = unknown> = (domain: DomainProxy) => T;

/** @internal What a proxy needs from its collection: services, container, cache, files, the root. */
export interface ProxyHost {
  factory(service: string): ServiceFactory;
  readonly container: DomainContainer | undefined;
  readonly cache: CacheBackend;
  readonly filesRoot: string;
  rootDefinition(): Readonly<DomainDefinition> | undefined;
}

/**
 * One domain at run time: its attributes, status, features, preferences with
 * fallback to the root domain, a per-domain key-value register, a per-domain
 * service cache, a namespaced cache, its own files and (when the site has a
 * container) a child DI container. Get one from `site.domains.get(name)`,
 * `site.domain` or `getCurrentDomain()`.
 *
 * @example
 * const acme = site.domains.get('acme')!;
 * acme.preferences.get('locale'); // acme's locale, else _main_'s
 * acme.service('mailer');         // one Mailer for acme, created on first use
 */
export class DomainProxy {
  readonly name: string;
  readonly isRoot: boolean;
  /** A per-domain key-value store for run-time state. */
  readonly register = new Map<string, unknown>();
  readonly preferences: DomainPreferences;

  #definition: Readonly<DomainDefinition>;
  #features: ReadonlySet<string>;
  readonly #host: ProxyHost;
  readonly #services = new Map<string, unknown>();
  #container: DomainContainer | undefined;
  #cache: DomainCache | undefined;
  #files: DomainFiles | undefined;

  /** @internal Created by the domain collection only. */
  constructor(definition: DomainDefinition, host: ProxyHost, isRoot: boolean) {
    this.name = definition.name;
    this.isRoot = isRoot;
    this.#definition = Object.freeze({ ...definition });
    this.#features = new Set(definition.features ?? []);
    this.#host = host;
    this.preferences = createPreferences(
      () => this.#definition,
      isRoot ? undefined : () => host.rootDefinition(),
    );
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

  /** The domain's instance of a registered service, created on first use and cached per (service, domain). */
  service<TName extends keyof ServiceMap>(name: TName): ServiceMap[TName];
  service<T = unknown>(name: string): T;
  service(name: string): unknown {
    const cached = this.#services.get(name);
    if (cached !== undefined || this.#services.has(name)) return cached;
    const instance = this.#host.factory(name)(this);
    this.#services.set(name, instance);
    return instance;
  }

  /** The site's cache with every key namespaced by this domain. */
  get cache(): DomainCache {
    this.#cache ??= new DomainCache(this.#host.cache, this.name);
    return this.#cache;
  }

  /** Files under this domain's own root; paths that escape it are refused. */
  get files(): DomainFiles {
    this.#files ??= new DomainFiles(this.#host.filesRoot, this.name);
    return this.#files;
  }

  /** Names of the services this domain has instantiated. */
  get activeServices(): string[] {
    return [...this.#services.keys()];
  }

  /**
   * The domain's child of the site's DI container, created on first use;
   * `CurrentDomain` resolves to this proxy inside it. Throws
   * `INVALID_OPTIONS` when the site was created without a `container`.
   */
  get container(): DomainContainer {
    if (this.#container === undefined) {
      const parent = this.#host.container;
      if (parent === undefined) {
        throw MdError.invalidOptions(
          'domain.container needs a DI container: pass createSite({ container }) (e.g. tsyringe’s container.createChildContainer())',
        );
      }
      const child = parent.createChildContainer();
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
    this.#definition = Object.freeze({ ...definition });
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
