import type { DependencyContainer } from 'tsyringe';
import { type DomainPolicies, DomainProxy, type ProxyHost } from './domain-proxy.js';
import { MdError } from './errors.js';
import type { MdEventEmitter } from './events.js';
import { isValidDomainName, normalizeHost } from './names.js';
import type { ServiceRegistry } from './services.js';
import type { DomainStore } from './stores/store.js';
import { DOMAIN_STATUSES, type DomainDefinition } from './types.js';

/** Changes to a domain: everything but its name. */
export type DomainPatch = Partial<Omit<DomainDefinition, 'name'>>;

/** What `discover()` changed. */
export interface DiscoverResult {
  added: string[];
  updated: string[];
  removed: string[];
}

/** @internal */
export interface DomainHandlerOptions {
  rootDomain: string;
  events: MdEventEmitter;
  services: ServiceRegistry;
  container: DependencyContainer;
  store?: DomainStore | undefined;
  /** The root domain's own definition (preferences every domain falls back to, hosts…). */
  root?: Omit<DomainDefinition, 'name'> | undefined;
  /** What each domain's cache, files and logger are built on. */
  policies: DomainPolicies;
  /** Called before a domain is updated or removed (strategies drop pools, caches…). */
  onRelease?: ((name: string) => Promise<void>) | undefined;
}

/**
 * `site.domains`: the collection of domains. Lookups by name and by host are
 * single Map reads (never a scan); every change is validated in full before
 * anything is touched, so a rejected change leaves the registry as it was.
 *
 * @example
 * site.domains.register({ name: 'acme', hosts: ['acme.com', 'www.acme.com'] });
 * site.domains.findByHost('www.acme.com')?.name; // 'acme'
 * for (const domain of site.domains) console.log(domain.name);
 */
export class DomainHandler implements Iterable<DomainProxy> {
  readonly rootDomain: string;
  readonly #byName = new Map<string, DomainProxy>();
  readonly #byHost = new Map<string, DomainProxy>();
  readonly #options: DomainHandlerOptions;
  readonly #proxyHost: ProxyHost;

  /** @internal Created by `createSite`. */
  constructor(options: DomainHandlerOptions) {
    this.#options = options;
    this.rootDomain = options.rootDomain;
    this.#proxyHost = {
      services: options.services,
      container: options.container,
      policies: options.policies,
      rootProxy: () => this.#byName.get(this.rootDomain),
    };
    this.#insert({ ...options.root, name: options.rootDomain }, false);
  }

  /** The root domain's proxy (always registered). */
  get root(): DomainProxy {
    return this.#byName.get(this.rootDomain)!;
  }

  /** Number of domains, the root domain included. */
  get size(): number {
    return this.#byName.size;
  }

  /**
   * Registers a domain. Throws `INVALID_DOMAIN_NAME`, `DUPLICATE_DOMAIN`,
   * `HOST_CONFLICT` or `INVALID_DOMAIN_DEFINITION` and changes nothing then.
   * The root domain is always registered: change it with `update`.
   */
  register(definition: DomainDefinition): DomainProxy {
    if (this.#byName.has(definition?.name)) throw MdError.duplicateDomain(definition.name);
    return this.#insert(definition, true);
  }

  get(name: string): DomainProxy | undefined {
    return this.#byName.get(name);
  }

  /** Like `get`, but throws `DOMAIN_NOT_FOUND` for an unknown name. */
  require(name: string): DomainProxy {
    const proxy = this.#byName.get(name);
    if (proxy === undefined) throw MdError.domainNotFound(name);
    return proxy;
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /** The domain owning an exact, already normalised host (see `normalizeHost`). */
  findByHost(host: string): DomainProxy | undefined {
    return this.#byHost.get(host);
  }

  /** Names of every domain, the root domain first. */
  names(): string[] {
    return [...this.#byName.keys()];
  }

  [Symbol.iterator](): Iterator<DomainProxy> {
    return this.#byName.values();
  }

  /**
   * Changes a domain. Its services and child container are disposed and
   * rebuilt on next use; a status change emits `domain:status-changed`.
   */
  async update(name: string, patch: DomainPatch): Promise<DomainProxy> {
    const proxy = this.require(name);
    const next = this.#validate({ ...proxy.definition, ...patch, name }, proxy);
    const from = proxy.status;
    this.#reindexHosts(proxy, next.hosts ?? []);
    await this.#options.onRelease?.(name);
    await proxy.replace(next);
    this.#options.events.emit('domain:updated', proxy);
    if (proxy.status !== from) this.#options.events.emit('domain:status-changed', proxy, from, proxy.status);
    return proxy;
  }

  /** Removes a domain, its hosts and its services. The root domain cannot be removed. */
  async remove(name: string): Promise<void> {
    if (name === this.rootDomain) throw MdError.rootDomainProtected(name, 'removed');
    const proxy = this.require(name);
    this.#byName.delete(name);
    for (const host of proxy.hosts) this.#byHost.delete(host);
    await this.#options.onRelease?.(name);
    await proxy.dispose();
    this.#options.events.emit('domain:removed', name);
  }

  /**
   * Loads the configured domain store and brings the registry in line with it:
   * new domains are registered, changed ones updated, missing ones removed.
   * The whole store is validated first; an invalid store changes nothing.
   */
  async discover(): Promise<DiscoverResult> {
    const store = this.#options.store;
    const result: DiscoverResult = { added: [], updated: [], removed: [] };
    if (store === undefined) return result;
    const definitions = await store.load();
    this.#validateBatch(definitions);
    const seen = new Set<string>();
    for (const definition of definitions) {
      seen.add(definition.name);
      const existing = this.#byName.get(definition.name);
      if (existing === undefined) {
        this.register(definition);
        result.added.push(definition.name);
      } else if (
        JSON.stringify(existing.definition) !== JSON.stringify({ ...this.#validate(definition, existing) })
      ) {
        await this.update(definition.name, { ...emptyPatch, ...definition });
        result.updated.push(definition.name);
      }
    }
    for (const name of this.names()) {
      if (name !== this.rootDomain && !seen.has(name)) {
        await this.remove(name);
        result.removed.push(name);
      }
    }
    return result;
  }

  #insert(definition: DomainDefinition, emit: boolean): DomainProxy {
    const isRoot = definition.name === this.rootDomain;
    const normalized = this.#validate(definition, undefined);
    const proxy = new DomainProxy(normalized, this.#proxyHost, isRoot);
    this.#byName.set(proxy.name, proxy);
    for (const host of proxy.hosts) this.#byHost.set(host, proxy);
    if (emit) this.#options.events.emit('domain:added', proxy);
    return proxy;
  }

  /** Checks a whole store's worth of definitions against each other before any is applied. */
  #validateBatch(definitions: DomainDefinition[]): void {
    const names = new Set<string>();
    const hosts = new Map<string, string>();
    for (const definition of definitions) {
      const normalized = this.#validate(definition, this.#byName.get(definition?.name), true);
      if (names.has(normalized.name)) throw MdError.duplicateDomain(normalized.name);
      names.add(normalized.name);
      for (const host of normalized.hosts ?? []) {
        const owner = hosts.get(host);
        if (owner !== undefined) throw MdError.hostConflict(host, owner, normalized.name);
        hosts.set(host, normalized.name);
      }
    }
  }

  /** Validates and normalises a definition; `self` is the domain it replaces, if any. */
  #validate(definition: DomainDefinition, self: DomainProxy | undefined, batch = false): DomainDefinition {
    if (definition === null || typeof definition !== 'object') {
      throw MdError.invalidDefinition(
        String(definition),
        'a domain definition must be an object with a "name"',
      );
    }
    const { name } = definition;
    if (name !== this.rootDomain && !isValidDomainName(name)) throw MdError.invalidDomainName(name);
    if (definition.status !== undefined && !DOMAIN_STATUSES.includes(definition.status)) {
      throw MdError.invalidDefinition(
        name,
        `status must be one of ${DOMAIN_STATUSES.join(', ')} (got ${JSON.stringify(definition.status)})`,
      );
    }
    for (const key of ['hosts', 'features'] as const) {
      const list = definition[key];
      if (list !== undefined && (!Array.isArray(list) || list.some((v) => typeof v !== 'string'))) {
        throw MdError.invalidDefinition(name, `${key} must be a list of strings`);
      }
    }
    for (const key of ['preferences', 'attributes', 'branding'] as const) {
      const value = definition[key];
      if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
        throw MdError.invalidDefinition(name, `${key} must be an object`);
      }
    }
    const hosts: string[] = [];
    for (const raw of definition.hosts ?? []) {
      let host: string;
      try {
        host = normalizeHost(raw);
      } catch {
        throw MdError.invalidDefinition(name, `host ${JSON.stringify(raw)} is not a valid host name`);
      }
      if (hosts.includes(host)) throw MdError.invalidDefinition(name, `host "${host}" is listed twice`);
      const owner = this.#byHost.get(host);
      if (!batch && owner !== undefined && owner !== self) throw MdError.hostConflict(host, owner.name, name);
      hosts.push(host);
    }
    const normalized: DomainDefinition = { ...definition };
    if (definition.hosts !== undefined) normalized.hosts = hosts;
    return normalized;
  }

  #reindexHosts(proxy: DomainProxy, next: readonly string[]): void {
    for (const host of proxy.hosts) this.#byHost.delete(host);
    for (const host of next) this.#byHost.set(host, proxy);
  }
}

/** Fields a store-driven update clears when the stored definition no longer has them. */
const emptyPatch: DomainPatch = {
  hosts: undefined,
  status: undefined,
  features: undefined,
  preferences: undefined,
  branding: undefined,
  attributes: undefined,
  databaseUrl: undefined,
};
