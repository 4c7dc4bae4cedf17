import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type DeprovisionOptions,
  type DomainProxy,
  type IsolationCapabilities,
  MdError,
  type ProvisionOptions,
  type SiteLike,
} from '@md/core';
import {
  createTablesSql,
  type MikroOrmStrategy,
  MikroOrmStrategyBase,
  type MikroOrmStrategyOptions,
  migrateStore,
  type ProvisionStep,
  quoteIdent,
  runProvisionSteps,
  type SqliteDatabaseFactory,
  type StoreOrm,
  type StrategyStats,
  sqliteDialect,
  withStore,
} from '@md/mikro-orm';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { StorePool } from './store-pool.js';

/** Options of {@link databasePerDomain}. Give `folder` (SQLite) or `url` (PostgreSQL). */
export interface DatabasePerDomainOptions extends MikroOrmStrategyOptions {
  /** SQLite: the folder holding one `<domain>.sqlite` file per domain. */
  folder?: string;
  /**
   * PostgreSQL: a server URL whose role may `CREATE DATABASE`. Each domain gets
   * database `databaseName(domain)` on it, unless the domain names its own
   * `databaseUrl` (then that URL is used as is, and created on its server).
   */
  url?: string;
  /** Database name of a domain on the server (default `md_<name>` with `-` as `_`). */
  databaseName?: (domain: string) => string;
  /** Most domain pools open at once; least recently used idle pools are closed beyond it (default 50). */
  budget?: number;
  /** Close a domain's pool after this long unused (ms, default 60 000; 0 never). */
  idleTimeoutMs?: number;
  /** How long a query waits for a pool slot when every open pool is busy before `CONNECTION_BUDGET_EXHAUSTED` (ms, default 10 000). */
  acquireTimeoutMs?: number;
  /** Connections per domain pool (PostgreSQL; SQLite uses one). Default 2. */
  poolSize?: number;
  /**
   * SQLite: how a file is opened — md's default is the built-in `node:sqlite`
   * (no native build); pass a factory to use another binding (e.g. better-sqlite3).
   */
  sqlite?: SqliteDatabaseFactory;
}

function defaultDatabaseName(domain: string): string {
  return `md_${domain.replace(/[^a-z0-9]/g, '_')}`;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

interface Target {
  /** Options for a store on the domain's database. */
  store: { dbName: string; clientUrl?: string };
  /** PostgreSQL: the maintenance database on the same server, where `CREATE DATABASE` runs. */
  admin?: { dbName: string; clientUrl: string };
  file?: string;
}

class DatabasePerDomain extends MikroOrmStrategyBase<DatabasePerDomainOptions> {
  readonly name = 'database-per-domain';
  readonly capabilities: IsolationCapabilities = { databasePerDomain: true, rootData: true };
  #pool: StorePool | undefined;

  constructor(options: DatabasePerDomainOptions) {
    if ((options.folder === undefined) === (options.url === undefined)) {
      throw MdError.invalidOptions(
        'databasePerDomain needs exactly one of { folder } (SQLite) or { url } (PostgreSQL)',
      );
    }
    if (options.budget !== undefined && !(options.budget >= 1)) {
      throw MdError.invalidOptions('databasePerDomain budget must be at least 1');
    }
    super(options, 'databasePerDomain');
  }

  protected override async start(site: SiteLike): Promise<void> {
    const options = this.options;
    this.#pool = new StorePool(
      {
        budget: options.budget ?? 50,
        idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
        acquireTimeoutMs: options.acquireTimeoutMs ?? 10_000,
        events: () => this.initializedSite?.events,
      },
      (domain) => this.#openStore(domain, true),
    );
    // The root domain's store holds the shared entities: it always exists.
    await this.provisionRoot(site);
  }

  em(domain: DomainProxy): SqlEntityManager {
    return this.#requirePool().handle(domain.name).store.em.fork({ clear: true, useContext: false });
  }

  stats(): StrategyStats & { waiting: number } {
    const pool = this.#requirePool();
    return { open: pool.openCount, maxOpen: pool.maxOpen, waiting: pool.waiting };
  }

  async isProvisioned(name: string): Promise<boolean> {
    const target = this.#target(name);
    if (target.file !== undefined) return existsSync(target.file);
    return this.#withAdmin(target, async (em) => this.#databaseExists(em, target.store.dbName));
  }

  async provision(domain: DomainProxy, options: ProvisionOptions = {}): Promise<void> {
    const target = this.#target(domain.name);
    let created = false;
    let store: StoreOrm | undefined;
    const steps: ProvisionStep[] = [
      {
        name: 'create database',
        run: async () => {
          created = !(await this.isProvisioned(domain.name));
          if (created && target.admin !== undefined) {
            await this.#withAdmin(target, (em) =>
              em.getConnection().execute(`create database ${quoteIdent(target.store.dbName)}`),
            );
          }
          store = this.#openStore(domain.name, false);
          await store.driver.connect();
        },
        undo: async () => {
          await store?.close().catch(() => {});
          store = undefined;
          if (created) await this.#dropDatabase(target);
        },
      },
      {
        name: 'migrate',
        run: async () => {
          await migrateStore(store!.em.fork(), domain.name, this.options);
        },
      },
      ...this.seedSteps(
        domain,
        options,
        () => created,
        () => store!.em.fork(),
      ),
    ];
    try {
      await runProvisionSteps(domain.name, steps);
    } finally {
      await store?.close();
    }
  }

  async deprovision(domain: DomainProxy, _options: DeprovisionOptions): Promise<void> {
    await this.#requirePool().release(domain.name);
    await this.#dropDatabase(this.#target(domain.name));
  }

  /** A short-lived store on the domain's database, outside the request pool and its budget. */
  protected override async withMigrationStore<T>(
    name: string,
    fn: (em: SqlEntityManager) => Promise<T>,
  ): Promise<T> {
    return withStore(this.#openStore(name, false), (store) => fn(store.em.fork()));
  }

  override async schemaDiff(name: string): Promise<string> {
    // Opening a missing database would create it (SQLite) or fail (PostgreSQL): report its create SQL.
    if (!(await this.isProvisioned(name))) return createTablesSql(this.template().orm.em as SqlEntityManager);
    return super.schemaDiff(name);
  }

  async release(name: string): Promise<void> {
    await this.#pool?.release(name);
  }

  protected override async closeConnections(): Promise<void> {
    await this.#pool?.closeAll();
  }

  #target(name: string): Target {
    const { folder, url } = this.options;
    if (folder !== undefined) {
      const file = resolve(join(folder, `${name}.sqlite`));
      return { store: { dbName: file }, file };
    }
    const own = this.initializedSite?.domains.get(name)?.databaseUrl;
    const dbName =
      own !== undefined
        ? new URL(own).pathname.slice(1)
        : (this.options.databaseName ?? defaultDatabaseName)(name);
    const clientUrl = own ?? withDatabase(url!, dbName);
    return {
      store: { dbName, clientUrl },
      admin: { dbName: 'postgres', clientUrl: withDatabase(clientUrl, 'postgres') },
    };
  }

  /** A store on the domain's database; request stores never create a missing SQLite file. */
  #openStore(name: string, forRequests: boolean): StoreOrm {
    const target = this.#target(name);
    const template = this.template();
    if (target.file !== undefined) {
      return template.open({
        dbName: target.file,
        driverOptions: sqliteDialect(target.file, { create: !forRequests }, this.options.sqlite),
      });
    }
    return template.open({
      ...target.store,
      pool: { min: 0, max: forRequests ? (this.options.poolSize ?? 2) : 1, idleTimeoutMillis: 10_000 },
    });
  }

  async #withAdmin<T>(target: Target, fn: (em: SqlEntityManager) => Promise<T>): Promise<T> {
    const admin = this.template().open({ ...target.admin!, pool: { min: 0, max: 1 } });
    return withStore(admin, (store) => fn(store.em.fork()));
  }

  async #databaseExists(em: SqlEntityManager, dbName: string): Promise<boolean> {
    const rows = await em.getConnection().execute('select 1 from pg_database where datname = ?', [dbName]);
    return rows.length > 0;
  }

  async #dropDatabase(target: Target): Promise<void> {
    if (target.file !== undefined) {
      await Promise.all(
        ['', '-journal', '-wal', '-shm'].map((suffix) => rm(`${target.file}${suffix}`, { force: true })),
      );
      return;
    }
    await this.#withAdmin(target, (em) =>
      em.getConnection().execute(`drop database if exists ${quoteIdent(target.store.dbName)} with (force)`),
    );
  }

  #requirePool(): StorePool {
    return this.initialized(this.#pool);
  }
}

/**
 * Database-per-domain isolation: each domain has its own SQLite file (under
 * `folder`) or its own PostgreSQL database (on `url`'s server, or the
 * domain's own `databaseUrl`). Pools open lazily on a domain's first query
 * and share one discovered metadata; at most `budget` are open at once, the
 * least recently used idle pool is closed to make room (`pool:evicted`) and
 * reopens transparently on its next query. A pool is never closed while a
 * query or transaction runs on it; when every open pool is busy, a new
 * domain waits up to `acquireTimeoutMs`, then fails with
 * `CONNECTION_BUDGET_EXHAUSTED`. Shared entities live in the root domain's
 * database: read and write them through `strategy.sharedEm()`.
 *
 * @example
 * import { SqliteDriver } from '@mikro-orm/sql';
 * const isolation = databasePerDomain({ driver: SqliteDriver, folder: './data', entities: [Item], budget: 50 });
 * const site = await createSite({ isolation, domains: [{ name: 'acme' }] });
 * await site.provision('acme');
 * await site.run('acme', () => site.em.find(Item, {}));
 */
export function databasePerDomain(options: DatabasePerDomainOptions): MikroOrmStrategy & {
  stats(): StrategyStats & { waiting: number };
} {
  return new DatabasePerDomain(options);
}
