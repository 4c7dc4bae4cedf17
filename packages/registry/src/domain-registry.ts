import { randomUUID } from 'node:crypto';
import { type DomainDefinition, type DomainPatch, type DomainStore, MdError, normalizeHost } from '@md/core';
import { sql } from 'kysely';
import { LRUCache } from 'lru-cache';
import {
  checkHost,
  displayNameOf,
  groupHosts,
  jsonColumns,
  toDomain,
  toHost,
  truthy,
  validate,
} from './internal/definitions.js';
import type { RegistryDomain, RegistryHost } from './types.js';

export type { RegistryDomain, RegistryHost } from './types.js';

import { ensureSchema, NOTIFY_CHANNEL } from './internal/schema.js';
import { loadPg, openSqlClient, type Row, type SqlClient, type SqlExecutor } from './internal/sql-client.js';

/** Options of {@link createDomainRegistry}. */
export interface DomainRegistryOptions {
  /**
   * Where the registry lives: `postgres://…` (or `postgresql://…`), or a
   * SQLite file as `sqlite:<path>`, a bare path, or `sqlite::memory:`.
   */
  url: string;
  /** Lookups (`get`, `findByHost`) kept in the LRU in front of the database (default 10 000). */
  cacheSize?: number;
  /** SQLite: how often the change counter is polled for other processes' changes (ms, default 500). */
  pollIntervalMs?: number;
  /** Postgres: connections in the registry's pool (default 4; one more is used for LISTEN). */
  poolSize?: number;
  /** Serve hosts nobody verified yet (default false: `load()` lists verified hosts only, until DNS ownership is proven). */
  serveUnverifiedHosts?: boolean;
  /** Follow other instances' changes (LISTEN or polling) from the start (default true). */
  follow?: boolean;
}

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
  #timer: NodeJS.Timeout | undefined;
  #listener: import('pg').Client | undefined;
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
      const [domains, hosts] = await Promise.all([
        this.#client.query(sql`select * from md_domains order by code`),
        this.#client.query(sql`select * from md_domain_hosts order by created_at, host`),
      ]);
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
    const rows = await this.#wrap(() =>
      this.#client.query(sql`select domain_code, is_verified from md_domain_hosts where host = ${key}`),
    );
    const row = rows[0];
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
      if ((await tx.query(sql`select 1 from md_domains where code = ${def.name}`)).length > 0) {
        throw MdError.duplicateDomain(def.name);
      }
      const [attributes, features, preferences, branding] = jsonColumns(def);
      await tx.query(
        sql`insert into md_domains (code, name, status, attributes, features, preferences, branding, database_url)
            values (${def.name}, ${displayNameOf(def)}, ${def.status ?? 'active'}, ${attributes}, ${features}, ${preferences}, ${branding}, ${def.databaseUrl ?? null})`,
      );
      for (const host of def.hosts ?? []) await this.#insertHost(tx, def.name, host, true);
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
      const [attributes, features, preferences, branding] = jsonColumns(def);
      await tx.query(
        sql`update md_domains set name = ${displayNameOf(def)}, status = ${def.status ?? 'active'}, attributes = ${attributes},
            features = ${features}, preferences = ${preferences}, branding = ${branding}, database_url = ${def.databaseUrl ?? null},
            updated_at = current_timestamp where code = ${code}`,
      );
      if (patch.hosts !== undefined) {
        const next = new Set(def.hosts ?? []);
        for (const host of current.hosts) {
          if (!next.has(host.host))
            await tx.query(sql`delete from md_domain_hosts where host = ${host.host}`);
        }
        const kept = new Set(current.hosts.map((h) => h.host));
        for (const host of next) if (!kept.has(host)) await this.#insertHost(tx, code, host, true);
      }
      return (await this.#read(tx, code))!;
    });
  }

  /** Removes a domain and its hosts. Throws `DOMAIN_NOT_FOUND` for an unknown code. */
  async removeDomain(code: string): Promise<void> {
    await this.#change(async (tx) => {
      // Hosts first: SQLite's cascade needs foreign_keys on for every connection that ever wrote.
      await tx.query(sql`delete from md_domain_hosts where domain_code = ${code}`);
      const rows = await tx.query(sql`delete from md_domains where code = ${code} returning code`);
      if (rows.length === 0) throw MdError.domainNotFound(code);
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
   * unverified host is not served (seed 001: verify DNS ownership first).
   * Throws `DOMAIN_NOT_FOUND`, `INVALID_DOMAIN_DEFINITION` (bad host) or `HOST_CONFLICT`.
   */
  async addHost(
    code: string,
    host: string,
    { verified = false }: { verified?: boolean } = {},
  ): Promise<RegistryHost> {
    const normalized = checkHost(code, host);
    return this.#change(async (tx) => {
      if ((await tx.query(sql`select 1 from md_domains where code = ${code}`)).length === 0) {
        throw MdError.domainNotFound(code);
      }
      await this.#insertHost(tx, code, normalized, verified);
      await touch(tx, code);
      const row = (await tx.query(sql`select * from md_domain_hosts where host = ${normalized}`))[0]!;
      return toHost(row);
    });
  }

  /** Marks a host verified, so instances start serving it. Throws `HOST_NOT_FOUND`. */
  async verifyHost(host: string): Promise<RegistryHost> {
    const normalized = normalizeHost(host);
    return this.#change(async (tx) => {
      const rows = await tx.query(
        sql`update md_domain_hosts set is_verified = ${this.#bool(true)} where host = ${normalized} returning *`,
      );
      if (rows[0] === undefined) throw MdError.hostNotFound(normalized);
      await touch(tx, String(rows[0].domain_code));
      return toHost(rows[0]);
    });
  }

  /** Takes a host away from its domain. Throws `HOST_NOT_FOUND`. */
  async removeHost(host: string): Promise<void> {
    const normalized = normalizeHost(host);
    await this.#change(async (tx) => {
      const rows = await tx.query(
        sql`delete from md_domain_hosts where host = ${normalized} returning domain_code`,
      );
      if (rows[0] === undefined) throw MdError.hostNotFound(normalized);
      await touch(tx, String(rows[0].domain_code));
    });
  }

  /** The change counter: bumped by every write, from any instance. */
  async version(): Promise<number> {
    const rows = await this.#wrap(() =>
      this.#client.query(sql`select version from md_registry_version where id = 1`),
    );
    return Number(rows[0]?.version ?? 0);
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
    this.#following ??= this.dialect === 'postgres' ? this.#listen() : Promise.resolve(this.#poll());
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
    clearInterval(this.#timer);
    this.#listeners.clear();
    await this.#listener?.end().catch(() => undefined);
    await this.#client.close();
  }

  async #change<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const [result, version] = await this.#wrap(() =>
      this.#client.transaction(async (tx) => {
        const value = await fn(tx);
        const rows = await tx.query(
          sql`update md_registry_version set version = version + 1 where id = 1 returning version`,
        );
        const next = Number(rows[0]?.version);
        if (this.dialect === 'postgres') {
          const payload = JSON.stringify({ v: next, by: this.instanceId });
          await tx.query(sql`select pg_notify(${NOTIFY_CHANNEL}, ${payload})`);
        }
        return [value, next] as const;
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

  #poll(): void {
    const interval = this.#options.pollIntervalMs ?? 500;
    this.#timer = setInterval(() => {
      this.version().then(
        (version) => {
          if (version !== this.#seenVersion) {
            this.#seenVersion = version;
            this.#changed();
          }
        },
        () => undefined,
      );
    }, interval);
    this.#timer.unref();
  }

  async #listen(): Promise<void> {
    if (this.#closed) return;
    const { Client } = loadPg();
    const client = new Client({ connectionString: this.#options.url });
    this.#listener = client;
    let reconnecting = false;
    const reconnect = () => {
      if (this.#closed || reconnecting) return;
      reconnecting = true;
      client.removeAllListeners();
      client.end().catch(() => undefined);
      setTimeout(() => {
        // Changes may have been missed while disconnected: treat the reconnect as one.
        this.#listen().then(
          () => this.#changed(),
          () => reconnect(),
        );
      }, 250).unref();
    };
    client.on('error', reconnect);
    client.on('end', reconnect);
    client.on('notification', (message) => {
      if (message.channel !== NOTIFY_CHANNEL) return;
      let payload: { v?: number; by?: string } = {};
      try {
        payload = JSON.parse(message.payload ?? '{}');
      } catch {
        // An unknown payload still means "something changed".
      }
      if (payload.by === this.instanceId) return;
      if (typeof payload.v === 'number') this.#seenVersion = Math.max(this.#seenVersion, payload.v);
      this.#changed();
    });
    try {
      await client.connect();
      await client.query(`listen ${NOTIFY_CHANNEL}`);
    } catch (cause) {
      reconnect();
      throw MdError.storeUnavailable(this.name, cause);
    }
  }

  async #insertHost(tx: SqlExecutor, code: string, host: string, verified: boolean): Promise<void> {
    const owner = (await tx.query(sql`select domain_code from md_domain_hosts where host = ${host}`))[0];
    if (owner !== undefined) throw MdError.hostConflict(host, String(owner.domain_code), code);
    await tx.query(
      sql`insert into md_domain_hosts (host, domain_code, is_verified) values (${host}, ${code}, ${this.#bool(verified)})`,
    );
  }

  async #read(db: SqlExecutor, code: string): Promise<RegistryDomain | undefined> {
    const row = (await db.query(sql`select * from md_domains where code = ${code}`))[0];
    if (row === undefined) return undefined;
    const hosts = await db.query(
      sql`select * from md_domain_hosts where domain_code = ${code} order by created_at, host`,
    );
    return this.#toDomain(row, hosts.map(toHost));
  }

  #toDomain(row: Row, hosts: RegistryHost[]): RegistryDomain {
    return toDomain(row, hosts, this.#options.serveUnverifiedHosts === true);
  }

  /** SQLite stores booleans as 0/1 (and its binding takes no booleans). */
  #bool(value: boolean): boolean | number {
    return this.dialect === 'sqlite' ? (value ? 1 : 0) : value;
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

/**
 * Opens (and creates when missing) a domain registry on SQLite or
 * PostgreSQL. See {@link DomainRegistry}.
 *
 * @example
 * const registry = await createDomainRegistry({ url: 'sqlite:./data/registry.sqlite' });
 * await registry.addDomain({ name: 'acme', hosts: ['acme.com'], attributes: { plan: 'pro' } });
 * await registry.suspend('acme');
 */
export async function createDomainRegistry(options: DomainRegistryOptions): Promise<DomainRegistry> {
  if (typeof options?.url !== 'string' || options.url === '') {
    throw MdError.invalidOptions('createDomainRegistry needs { url }: "postgres://…" or "sqlite:<file>"');
  }
  const { url } = options;
  const postgres = /^postgres(ql)?:\/\//.test(url);
  const source = postgres ? `registry:${redact(url)}` : `registry:${url}`;
  const client = openSqlClient(
    postgres ? { postgres: url } : { sqlite: url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url },
    options.poolSize ?? 4,
  );
  const registry = new DomainRegistry(client, options, source);
  try {
    await registry.init();
  } catch (error) {
    await registry.close().catch(() => undefined);
    throw error;
  }
  return registry;
}

async function touch(tx: SqlExecutor, code: string): Promise<void> {
  await tx.query(sql`update md_domains set updated_at = current_timestamp where code = ${code}`);
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres';
  }
}
