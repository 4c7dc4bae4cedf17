import { randomUUID } from 'node:crypto';
import { type DomainDefinition, type DomainPatch, type DomainStore, MdError, normalizeHost } from '@md/core';
import { LRUCache } from 'lru-cache';
import { checkHost, groupHosts, toDomain, toHost, truthy, validate } from './internal/definitions.js';
import type { DomainRegistryOptions, RegistryDomain, RegistryHost } from './types.js';

export type { DomainRegistryOptions, RegistryDomain, RegistryHost } from './types.js';

import { ChangeFeed } from './internal/change-feed.js';
import { ensureSchema } from './internal/schema.js';
import type { Row, SqlClient, SqlExecutor } from './internal/sql-client.js';
import * as db from './internal/statements.js';

const MISSING = Symbol('missing');
type Cached<T> = T | typeof MISSING;

/**
 * A domain store in a SQL database (SQLite or PostgreSQL) — `md_domains` (code, name, status, JSON attributes, features,
 * preferences, branding) and `md_domain_hosts` (unique host, domain code,
 * `is_verified`) — with a write API, an LRU of lookups in front, and change
 * propagation between processes: every write bumps a version counter and, on
 * Postgres, sends `NOTIFY md_registry` in the same transaction; other
 * instances LISTEN (Postgres) or poll the counter (SQLite, every
 * `pollIntervalMs`), clear their cache and call their `watch` listeners.
 * Create it with {@link createDomainRegistry}.
 *
 * @example
 * const registry = await createDomainRegistry({ url: process.env.DATABASE_URL! });
 * const site = await createSite({ domains: registry, resolvers: [hostResolver()] });
 * followRegistry(site, registry); // discover() again on every change
 * await registry.addDomain({ name: 'acme', hosts: ['acme.com'] });
 */
export class DomainRegistry implements DomainStore {
  readonly name: string;
  readonly dialect: 'sqlite' | 'postgres';
  /** Identifies this instance in change notifications (its own are not replayed). */
  readonly instanceId = randomUUID();
  readonly #client: SqlClient;
  readonly #options: DomainRegistryOptions;
  readonly #byCode: LRUCache<string, Cached<RegistryDomain>>;
  readonly #byHost: LRUCache<string, Cached<{ domain: string; verified: boolean }>>;
  readonly #listeners = new Set<() => void>();
  #generation = 0;
  #seenVersion = 0;
  #feed: ChangeFeed | undefined;
  #following: Promise<void> | undefined;
  #closed = false;

  /** @internal Use {@link createDomainRegistry}. */
  constructor(client: SqlClient, options: DomainRegistryOptions, name: string) {
    this.#client = client;
    this.#options = options;
    this.dialect = client.dialect;
    this.name = name;
    const max = options.cacheSize ?? 10_000;
    this.#byCode = new LRUCache({ max });
    this.#byHost = new LRUCache({ max });
  }

  /** @internal */
  async init(): Promise<void> {
    await this.#wrap(() => ensureSchema(this.#client));
    this.#seenVersion = await this.version();
    if (this.#options.follow !== false) await this.follow();
  }

  /** Every domain as a definition: what `site.domains.discover()` applies. */
  async load(): Promise<DomainDefinition[]> {
    return (await this.list()).map((d) => d.definition);
  }

  /** Every domain with its hosts and timestamps, ordered by code. */
  async list(): Promise<RegistryDomain[]> {
    return this.#wrap(async () => {
      const { domains, hosts } = await db.selectAll(this.#client);
      const byDomain = groupHosts(hosts);
      return domains.map((row) => this.#toDomain(row, byDomain.get(String(row.code)) ?? []));
    });
  }

  /** One domain by code, through the LRU; undefined when unknown (also cached until the next change). */
  async get(code: string): Promise<RegistryDomain | undefined> {
    const hit = this.#byCode.get(code);
    if (hit !== undefined) return hit === MISSING ? undefined : hit;
    const generation = this.#generation;
    const domain = await this.#wrap(() => this.#read(this.#client, code));
    if (generation === this.#generation) this.#byCode.set(code, domain ?? MISSING);
    return domain;
  }

  /** The domain owning a host (normalised first), through the LRU. */
  async findByHost(host: string): Promise<{ domain: string; verified: boolean } | undefined> {
    const key = normalizeHost(host);
    const hit = this.#byHost.get(key);
    if (hit !== undefined) return hit === MISSING ? undefined : hit;
    const generation = this.#generation;
    const row = await this.#wrap(() => db.hostOwner(this.#client, key));
    const found =
      row === undefined ? undefined : { domain: String(row.domain_code), verified: truthy(row.is_verified) };
    if (generation === this.#generation) this.#byHost.set(key, found ?? MISSING);
    return found;
  }

  /** Number of lookups held by the LRU (for tests and dashboards). */
  get cacheSize(): number {
    return this.#byCode.size + this.#byHost.size;
  }

  /**
   * Adds a domain. Its `hosts` are stored as verified (the operator names
   * them); use `addHost` for hosts a client still has to prove. Throws
   * `INVALID_DOMAIN_NAME`, `INVALID_DOMAIN_DEFINITION`, `DUPLICATE_DOMAIN` or `HOST_CONFLICT`.
   */
  async addDomain(definition: DomainDefinition): Promise<RegistryDomain> {
    const def = validate(definition);
    return this.#change(async (tx) => {
      if (await db.domainExists(tx, def.name)) throw MdError.duplicateDomain(def.name);
      await db.insertDomain(tx, def);
      for (const host of def.hosts ?? []) await db.insertHost(tx, this.dialect, def.name, host, true);
      return (await this.#read(tx, def.name))!;
    });
  }

  /**
   * Changes a domain; fields left out keep their value, `hosts` (when given)
   * replaces the host list (kept hosts keep their verification, new ones are
   * verified). Throws `DOMAIN_NOT_FOUND` for an unknown code.
   */
  async updateDomain(code: string, patch: DomainPatch): Promise<RegistryDomain> {
    return this.#change(async (tx) => {
      const current = await this.#read(tx, code);
      if (current === undefined) throw MdError.domainNotFound(code);
      const base: DomainDefinition = { ...current.definition, hosts: current.hosts.map((h) => h.host) };
      const def = validate({ ...base, ...patch, name: code });
      await db.updateDomain(tx, code, def);
      if (patch.hosts !== undefined) {
        const next = new Set(def.hosts ?? []);
        for (const host of current.hosts) if (!next.has(host.host)) await db.deleteHost(tx, host.host);
        const kept = new Set(current.hosts.map((h) => h.host));
        for (const host of next) if (!kept.has(host)) await db.insertHost(tx, this.dialect, code, host, true);
      }
      return (await this.#read(tx, code))!;
    });
  }

  /** Removes a domain and its hosts. Throws `DOMAIN_NOT_FOUND` for an unknown code. */
  async removeDomain(code: string): Promise<void> {
    await this.#change(async (tx) => {
      if (!(await db.deleteDomain(tx, code))) throw MdError.domainNotFound(code);
    });
  }

  /** Suspends a domain: every instance answers its requests with 403 `DOMAIN_SUSPENDED`. */
  suspend(code: string): Promise<RegistryDomain> {
    return this.updateDomain(code, { status: 'suspended' });
  }

  /** Makes a suspended or disabled domain active again. */
  resume(code: string): Promise<RegistryDomain> {
    return this.updateDomain(code, { status: 'active' });
  }

  /**
   * Gives a domain a host, unverified unless `{ verified: true }`: an
   * unverified host is not served (verify DNS ownership first).
   * Throws `DOMAIN_NOT_FOUND`, `INVALID_DOMAIN_DEFINITION` (bad host) or `HOST_CONFLICT`.
   */
  async addHost(
    code: string,
    host: string,
    { verified = false }: { verified?: boolean } = {},
  ): Promise<RegistryHost> {
    const normalized = checkHost(code, host);
    return this.#change(async (tx) => {
      if (!(await db.domainExists(tx, code))) throw MdError.domainNotFound(code);
      const added = await db.insertHost(tx, this.dialect, code, normalized, verified);
      await db.touch(tx, code);
      return added;
    });
  }

  /** Marks a host verified, so instances start serving it. Throws `HOST_NOT_FOUND`. */
  async verifyHost(host: string): Promise<RegistryHost> {
    const normalized = normalizeHost(host);
    return this.#change(async (tx) => {
      const row = await db.verifyHost(tx, this.dialect, normalized);
      if (row === undefined) throw MdError.hostNotFound(normalized);
      await db.touch(tx, String(row.domain_code));
      return toHost(row);
    });
  }

  /** Takes a host away from its domain. Throws `HOST_NOT_FOUND`. */
  async removeHost(host: string): Promise<void> {
    const normalized = normalizeHost(host);
    await this.#change(async (tx) => {
      const row = await db.deleteHost(tx, normalized);
      if (row === undefined) throw MdError.hostNotFound(normalized);
      await db.touch(tx, String(row.domain_code));
    });
  }

  /** The change counter: bumped by every write, from any instance. */
  async version(): Promise<number> {
    return this.#wrap(() => db.selectVersion(this.#client));
  }

  /**
   * Calls `onChange` after every change, made here or by another instance
   * (Postgres: within milliseconds through LISTEN/NOTIFY; SQLite: within
   * `pollIntervalMs`). Returns the unsubscribe function.
   */
  watch(onChange: () => void): () => void {
    this.#listeners.add(onChange);
    void this.follow();
    return () => this.#listeners.delete(onChange);
  }

  /**
   * Starts following other instances' changes (LISTEN on Postgres, polling
   * on SQLite) and resolves once it does. Called by `init` unless `follow: false`.
   */
  follow(): Promise<void> {
    if (this.#following === undefined) {
      this.#feed = new ChangeFeed({
        dialect: this.dialect,
        url: this.#options.url,
        name: this.name,
        instanceId: this.instanceId,
        pollIntervalMs: this.#options.pollIntervalMs ?? 500,
        version: () => this.version(),
        seen: () => this.#seenVersion,
        changed: (version) => {
          if (version !== undefined) this.#seenVersion = Math.max(this.#seenVersion, version);
          this.#changed();
        },
      });
      this.#following = this.#feed.start();
    }
    return this.#following;
  }

  /** Drops every cached lookup (done automatically on every change). */
  invalidate(): void {
    this.#generation++;
    this.#byCode.clear();
    this.#byHost.clear();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    await this.#feed?.close();
    await this.#client.close();
  }

  async #change<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const [result, version] = await this.#wrap(() =>
      this.#client.transaction(async (tx) => {
        const value = await fn(tx);
        return [value, await db.bumpVersion(tx, this.dialect, this.instanceId)] as const;
      }),
    );
    this.#seenVersion = Math.max(this.#seenVersion, version);
    this.#changed();
    return result;
  }

  #changed(): void {
    this.invalidate();
    for (const listener of [...this.#listeners]) {
      try {
        listener();
      } catch {
        // A failing listener must not stop the others nor the write that triggered it.
      }
    }
  }

  #read(from: SqlExecutor, code: string): Promise<RegistryDomain | undefined> {
    return db.readDomain(from, code, this.#options.serveUnverifiedHosts === true);
  }

  #toDomain(row: Row, hosts: RegistryHost[]): RegistryDomain {
    return toDomain(row, hosts, this.#options.serveUnverifiedHosts === true);
  }

  async #wrap<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (MdError.is(error)) throw error;
      throw MdError.storeUnavailable(this.name, error);
    }
  }
}
