import { MdError } from '../errors/md-error.js';
import type { MdEventEmitter } from '../site/events.js';
import type { CacheBackend } from './cache/cache-backend.js';
import type { DomainContainer } from './container.js';
import type { DomainDefinition, DomainPatch } from './definition.js';
import type { DomainLookup } from './lookup.js';
import type { ReservedHosts } from './names-reserved.js';
import { DomainProxy, type ProxyHost } from './proxy.js';
import type { ServiceRegistry } from './services.js';
import type { DomainStore } from './stores/store.js';
import { normalizeDefinition } from './validate.js';

/** What `discover()` changed. */
export interface DiscoverResult {
  added: string[];
  updated: string[];
  removed: string[];
}

/** @internal What `createSite` builds the collection from. */
export interface DomainHandlerOptions {
  rootDomain: string;
  events: MdEventEmitter;
  services: ServiceRegistry;
  container: DomainContainer | undefined;
  cache: CacheBackend;
  filesRoot: string;
  store?: DomainStore | undefined;
  /** The root domain's own definition (preferences every domain falls back to, hosts…). */
  root?: Omit<DomainDefinition, 'name'> | undefined;
  /** Called before a domain is updated or removed (strategies drop pools, policies forget limits…). */
  onRelease?: ((name: string) => Promise<void>) | undefined;
  /** Hosts the platform keeps (root hosts, resolvers' and plugins' reservations). */
  reserved?: ReservedHosts | undefined;
}

/**
 * `site.domains`: the collection of domains, the only object that changes
 * them. Lookups by name and by host are single Map reads (never a scan);
 * every change is validated in full before anything is touched, so a
 * rejected change leaves the collection as it was. Plugins receive it as a
 * read-only {@link DomainLookup}.
 *
 * @example
 * site.domains.register({ name: 'acme', hosts: ['acme.com', 'www.acme.com'] });
 * site.domains.findByHost('www.acme.com')?.name; // 'acme'
 * for (const domain of site.domains) console.log(domain.name);
 */
export class DomainHandler implements DomainLookup {
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
      factory: (service) => options.services.factory(service),
      container: options.container,
      cache: options.cache,
      filesRoot: options.filesRoot,
      rootDefinition: () => this.#byName.get(this.rootDomain)?.definition,
    };
    this.#insert({ ...options.root, name: options.rootDomain }, false);
  }

  get root(): DomainProxy {
    return this.#byName.get(this.rootDomain)!;
  }

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

  require(name: string): DomainProxy {
    const proxy = this.#byName.get(name);
    if (proxy === undefined) throw MdError.domainNotFound(name);
    return proxy;
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  findByHost(host: string): DomainProxy | undefined {
    return this.#byHost.get(host);
  }

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
    const next = this.#validate({ ...proxy.definition, ...patch, name });
    const from = proxy.status;
    for (const host of proxy.hosts) this.#byHost.delete(host);
    for (const host of next.hosts ?? []) this.#byHost.set(host, proxy);
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
   * Loads the configured domain store and brings the collection in line with
   * it: new domains are registered, changed ones updated, missing ones
   * removed. The whole store is validated first; an invalid store changes nothing.
   */
  async discover(): Promise<DiscoverResult> {
    const store = this.#options.store;
    const result: DiscoverResult = { added: [], updated: [], removed: [] };
    if (store === undefined) return result;
    const definitions = await store.load();
    const normalized = this.#validateBatch(definitions);
    for (const definition of normalized) {
      const existing = this.#byName.get(definition.name);
      if (existing === undefined) {
        this.register(definition);
        result.added.push(definition.name);
      } else if (JSON.stringify(existing.definition) !== JSON.stringify(definition)) {
        await this.update(definition.name, { ...emptyPatch, ...definition });
        result.updated.push(definition.name);
      }
    }
    const seen = new Set(normalized.map((d) => d.name));
    for (const name of this.names()) {
      if (name !== this.rootDomain && !seen.has(name)) {
        await this.remove(name);
        result.removed.push(name);
      }
    }
    return result;
  }

  #insert(definition: DomainDefinition, emit: boolean): DomainProxy {
    const proxy = new DomainProxy(
      this.#validate(definition),
      this.#proxyHost,
      definition.name === this.rootDomain,
    );
    this.#byName.set(proxy.name, proxy);
    for (const host of proxy.hosts) this.#byHost.set(host, proxy);
    if (emit) this.#options.events.emit('domain:added', proxy);
    return proxy;
  }

  /** Checks a whole store's worth of definitions against each other (not against today's owners). */
  #validateBatch(definitions: DomainDefinition[]): DomainDefinition[] {
    const owners = new Map<string, string>();
    const names = new Set<string>();
    return definitions.map((definition) => {
      const normalized = normalizeDefinition(definition, {
        rootDomain: this.rootDomain,
        hostOwner: (host) => owners.get(host),
        ...this.#reserved,
      });
      if (names.has(normalized.name)) throw MdError.duplicateDomain(normalized.name);
      names.add(normalized.name);
      for (const host of normalized.hosts ?? []) owners.set(host, normalized.name);
      return normalized;
    });
  }

  #validate(definition: DomainDefinition): DomainDefinition {
    return normalizeDefinition(definition, {
      rootDomain: this.rootDomain,
      hostOwner: (host) => this.#byHost.get(host)?.name,
      ...this.#reserved,
    });
  }

  get #reserved(): { reserved?: ReservedHosts } {
    const reserved = this.#options.reserved;
    return reserved === undefined ? {} : { reserved };
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
