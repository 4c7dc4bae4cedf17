import { existsSync } from 'node:fs';
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
  type DomainGuardRules,
  type MikroOrmStrategy,
  MikroOrmStrategyBase,
  migrateStore,
  openDomainEm,
  type ProvisionStep,
  runProvisionSteps,
  type StoreOrm,
  type StrategyStats,
  sqliteDialect,
  withAdvisoryLock,
  withStore,
} from '@md/mikro-orm';
import type { SqlEntityManager } from '@mikro-orm/sql';
import type { DatabasePerDomainOptions } from './options.js';
import { ensureRequestRole, grantRequestRole } from './request-roles.js';
import { StorePool } from './store-pool.js';
import {
  claimFile,
  createDatabaseOn,
  databaseExists,
  dropDatabaseOn,
  migrationsTable,
  removeFiles,
  type Target,
  targetOf,
} from './targets.js';

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
    return openDomainEm(this.#requirePool().handle(domain.name).store, {
      domain: domain.name,
      root: domain.isRoot,
    });
  }

  /** Shared entities live in the root domain's database only: other domains' entity managers refuse them. */
  protected override guardRules(shared: ReadonlySet<string>): DomainGuardRules {
    return { strategy: this.name, shared, sharedInRootOnly: true, schemaPerDomain: false };
  }

  /** The root domain's database exists on every start after the first: bring its request role in line. */
  protected override async provisionRoot(site: SiteLike): Promise<void> {
    if (await this.isProvisioned(site.rootDomain)) await this.#grantRequests(site.rootDomain);
    else await this.provision(site.domains.root);
  }

  stats(): StrategyStats & { waiting: number } {
    const pool = this.#requirePool();
    return { open: pool.openCount, maxOpen: pool.maxOpen, waiting: pool.waiting };
  }

  async isProvisioned(name: string): Promise<boolean> {
    const target = this.#target(name);
    if (target.file !== undefined) return existsSync(target.file);
    return this.#withAdmin(target, (em) => databaseExists(em, target.store.dbName));
  }

  /**
   * Creates the database (a SQLite file claimed atomically, or `CREATE
   * DATABASE` under an advisory lock held for the whole provisioning, so
   * concurrent provisionings of one domain in several processes run one
   * after the other), its request role, migrates, grants, seeds. Only the
   * provisioning that created the database may drop it again.
   */
  protected override async provisionDomain(domain: DomainProxy, options: ProvisionOptions): Promise<void> {
    const target = this.#target(domain.name);
    let created = false;
    let store: StoreOrm | undefined;
    const steps: ProvisionStep[] = [
      {
        name: 'create database',
        run: async () => {
          created = await this.#createDatabase(target);
          if (target.role !== undefined)
            await this.#withAdmin(target, (em) => ensureRequestRole(em, target.store.dbName, target.role!));
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
      {
        name: 'grant requests',
        run: async () => {
          if (target.role !== undefined)
            await grantRequestRole(store!.em.fork(), target.role, migrationsTable(store!));
        },
      },
      ...this.seedSteps(
        domain,
        options,
        () => created,
        () => store!.em.fork(),
      ),
    ];
    const provision = () => runProvisionSteps(domain.name, steps);
    try {
      if (target.admin === undefined) await provision();
      else
        await withAdvisoryLock(
          this.#adminStore(target),
          `md:provision:database:${target.store.dbName}`,
          provision,
        );
    } finally {
      await store?.close();
    }
  }

  protected override async deprovisionDomain(
    domain: DomainProxy,
    _options: DeprovisionOptions,
  ): Promise<void> {
    await this.#requirePool().release(domain.name);
    const target = this.#target(domain.name);
    await this.#dropDatabase(target);
  }

  /** Migrations run as the admin; tables they create are granted to the request role. */
  protected override async applyMigrations(name: string): Promise<string[]> {
    const role = this.#target(name).role;
    return this.withMigrationStore(name, async (em) => {
      const applied = await migrateStore(em, name, this.options);
      if (role !== undefined)
        await grantRequestRole(em, role, em.config.get('migrations').tableName ?? 'mikro_orm_migrations');
      return applied;
    });
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
    return targetOf(this.options, name, this.initializedSite?.domains.get(name)?.databaseUrl);
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
      ...(forRequests ? target.request : target.store),
      pool: { min: 0, max: forRequests ? (this.options.poolSize ?? 2) : 1, idleTimeoutMillis: 10_000 },
    });
  }

  /** A one-connection store on the server's maintenance database, as the admin. */
  #adminStore(target: Target): StoreOrm {
    return this.template().open({ ...target.admin!, pool: { min: 0, max: 1 } });
  }

  async #withAdmin<T>(target: Target, fn: (em: SqlEntityManager) => Promise<T>): Promise<T> {
    return withStore(this.#adminStore(target), (store) => fn(store.em.fork()));
  }

  /** Creates the domain's database unless it exists; true when this call created it. */
  async #createDatabase(target: Target): Promise<boolean> {
    if (target.file !== undefined) return claimFile(target.file);
    return this.#withAdmin(target, (em) => createDatabaseOn(em, target.store.dbName));
  }

  /** Brings an existing domain's request role and grants in line (what provisioning does, without migrating). */
  async #grantRequests(name: string): Promise<void> {
    const target = this.#target(name);
    if (target.role === undefined) return;
    await this.#withAdmin(target, (em) => ensureRequestRole(em, target.store.dbName, target.role!));
    await withStore(this.#openStore(name, false), (store) =>
      grantRequestRole(store.em.fork(), target.role!, migrationsTable(store)),
    );
  }

  async #dropDatabase(target: Target): Promise<void> {
    if (target.file !== undefined) await removeFiles(target.file);
    else await this.#withAdmin(target, (em) => dropDatabaseOn(em, target));
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
