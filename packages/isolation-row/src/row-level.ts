import {
  type DeprovisionOptions,
  type DomainProxy,
  type IsolationCapabilities,
  MdError,
  type ProvisionOptions,
} from '@md/core';
import {
  addPivotTenantProperty,
  classifyEntities,
  type DomainGuardRules,
  entityClassName,
  type MikroOrmStrategy,
  MikroOrmStrategyBase,
  migrateStore,
  openDomainEm,
  runProvisionSteps,
  type StoreOrm,
  type StrategyStats,
  type TenantRule,
  withAdvisoryLock,
  withStore,
} from '@md/mikro-orm';
import type { MetadataStorage, Options } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { sendSettingWithStatements } from './checkout-setting.js';
import type { RowLevelOptions } from './options.js';
import {
  type DomainSigner,
  forgetDomain,
  grantRequestRole,
  installPostgres,
  installRowSecurity,
  registerDomains,
} from './postgres-rls.js';
import { appRoleOf, openAdminStore, openAppStore } from './stores.js';
import {
  addTenantProperty,
  childrenFirst,
  hasTables,
  installTables,
  MARKER_TABLE,
  tenantFilter,
} from './tables.js';
import { installWithoutRowSecurity } from './without-rls.js';

class RowLevel extends MikroOrmStrategyBase<RowLevelOptions> {
  readonly name = 'row-level';
  readonly capabilities: IsolationCapabilities;
  readonly #postgres: boolean;
  /** PostgreSQL with row-level security (the default; `rls: false` switches it off). */
  readonly #rls: boolean;
  readonly #property: string;
  /** The domain-scoped entities themselves (filters name entities, not class names). */
  readonly #scopedEntities: readonly object[];
  #tenant: TenantRule | undefined;
  #sign: DomainSigner | undefined;
  #store: StoreOrm | undefined;
  /** Migrations of the shared tables run one at a time (provisions may run concurrently). */
  #migrating: Promise<unknown> = Promise.resolve();

  constructor(options: RowLevelOptions) {
    if ((options.dbName === undefined) === (options.url === undefined)) {
      throw MdError.invalidOptions(
        'rowLevel needs exactly one of { dbName } (SQLite) or { url } (PostgreSQL)',
      );
    }
    super(options, 'rowLevel');
    this.#postgres = options.url !== undefined;
    this.#rls = this.#postgres && options.rls !== false;
    this.capabilities = { rowLevel: true, rootData: true, databaseEnforced: this.#rls };
    const property = options.tenantProperty ?? 'tenantId';
    this.#property = property;
    const { scoped } = classifyEntities(options.entities, options.shared);
    this.#scopedEntities = options.entities.filter((entity) =>
      scoped.has(entityClassName(entity)),
    ) as object[];
    addTenantProperty(options.entities, scoped, property, this.#rls);
  }

  /** The tenant filter: every read of a scoped entity, relations included, limited to the entity manager's domain. */
  protected override templateOptions(): Partial<Options> {
    return { filters: tenantFilter(this.#property, this.#scopedEntities) };
  }

  /** Every scoped table (generated pivot tables included) carries the tenant column; shared tables are everyone's. */
  protected override guardRules(shared: ReadonlySet<string>, metadata: MetadataStorage): DomainGuardRules {
    const entities = new Set(this.#scopedEntities.map((e) => entityClassName(e as never)));
    const pivots = addPivotTenantProperty(metadata, this.#property, entities);
    this.#tenant = {
      property: this.#property,
      column: 'tenant_id',
      scoped: new Set([...entities, ...pivots]),
    };
    return {
      strategy: this.name,
      shared,
      sharedInRootOnly: false,
      schemaPerDomain: false,
      tenant: this.#tenant,
    };
  }

  protected override async start(): Promise<void> {
    // Tables, key, role and policies are installed (or brought to this version) on start, one
    // process at a time; later migrations are site.migrate's (or provision's) job.
    if (this.#postgres) {
      const lock = openAdminStore(this.template(), this.options);
      await withAdvisoryLock(lock, 'md:row-level:install', () =>
        this.#withAdminStore((admin) => this.#installPostgres(admin)),
      );
    } else {
      await this.#withAdminStore(async (admin) => {
        if (!(await hasTables(admin)))
          await installTables(admin, this.site().rootDomain, this.options, false);
      });
    }
    this.#store = this.#openAppStore();
    if (this.#rls) await sendSettingWithStatements(this.#store);
  }

  em(domain: DomainProxy): SqlEntityManager {
    return openDomainEm(this.#requireStore(), { domain: domain.name, root: domain.isRoot });
  }

  stats(): StrategyStats {
    return { open: this.#store === undefined ? 0 : 1, maxOpen: 1 };
  }

  async isProvisioned(name: string): Promise<boolean> {
    const rows = (await this.#requireStore()
      .em.getConnection()
      .execute(`select domain from ${MARKER_TABLE} where domain = ?`, [name])) as unknown[];
    return rows.length > 0;
  }

  protected override async provisionDomain(domain: DomainProxy, options: ProvisionOptions): Promise<void> {
    const seeder = options.seed === true ? this.options.seeder : undefined;
    await runProvisionSteps(domain.name, [
      {
        // Pending Migrator migrations of the shared tables (the schema generator ran at install).
        name: 'migrate tables and policies',
        run: async () => {
          if ((this.options.migrations?.length ?? 0) > 0) await this.#migrateShared(domain.name);
        },
      },
      {
        // PostgreSQL: the digest of the domain's setting, without which its requests see no row.
        name: 'register domain key',
        run: async () => {
          if (this.#rls)
            await this.#withAdminStore((admin) =>
              registerDomains(admin.em.fork(), 'select ?::varchar(64) as domain', [domain.name]),
            );
        },
      },
      {
        // The record comes first and the seed after, in one transaction: of two concurrent
        // provisionings (any process) the second waits on the first's record, then finds it.
        name: seeder === undefined ? 'record domain' : 'seed',
        run: () =>
          this.site().run(domain.name, () =>
            this.em(domain).transactional(async (em) => {
              const recorded = (await em
                .getConnection()
                .execute(
                  `insert into ${MARKER_TABLE} (domain) values (?) on conflict (domain) do nothing`,
                  [domain.name],
                  'run',
                  em.getTransactionContext(),
                )) as { affectedRows: number };
              if (recorded.affectedRows > 0) await seeder?.(em as SqlEntityManager, domain);
            }),
          ),
      },
    ]);
  }

  protected override async deprovisionDomain(
    domain: DomainProxy,
    _options: DeprovisionOptions,
  ): Promise<void> {
    const metas = childrenFirst(this.template().orm.getMetadata(), this.#requireTenant().scoped);
    const forget = `delete from ${MARKER_TABLE} where domain = ?`;
    await this.site().run(domain.name, () =>
      this.em(domain).transactional(async (em) => {
        for (const meta of metas) await em.nativeDelete(meta.class, {});
        await em.getConnection().execute(forget, [domain.name], 'run', em.getTransactionContext());
      }),
    );
    if (this.#rls) await this.#withAdminStore((admin) => forgetDomain(admin.em.fork(), domain.name));
  }

  /**
   * Migrates the shared tables (once for every domain: the first domain
   * migrated applies the migrations, the others find them up to date), then
   * reinstalls the PostgreSQL grants and policies so new tables get them too.
   */
  protected override async applyMigrations(name: string): Promise<string[]> {
    return this.#migrateShared(name);
  }

  async #withAdminStore<T>(fn: (admin: StoreOrm) => Promise<T>): Promise<T> {
    return withStore(this.#openAdminStore(), fn);
  }

  /** Every domain shares the tables: pending migrations and drift are the same for every domain. */
  protected override async withMigrationStore<T>(
    _name: string,
    fn: (em: SqlEntityManager) => Promise<T>,
  ): Promise<T> {
    return this.#withAdminStore((admin) => fn(admin.em.fork()));
  }

  /** The shared tables exist once the strategy is initialized, whether the domain is provisioned or not. */
  protected override async storeExists(_name: string): Promise<boolean> {
    return true;
  }

  protected override async closeConnections(): Promise<void> {
    await this.#store?.close();
  }

  /** Runs pending migrations of the shared tables, then reinstalls the policies when something changed. */
  #migrateShared(domain: string): Promise<string[]> {
    const run = this.#migrating.then(() =>
      this.#withAdminStore(async (admin) => {
        const names = await migrateStore(admin.em.fork(), domain, this.options);
        if (this.#postgres && names.length > 0)
          await (this.#rls ? installRowSecurity : grantRequestRole)(admin.em.fork(), this.#plan(admin));
        return names;
      }),
    );
    this.#migrating = run.catch(() => {});
    return run;
  }

  /** Key and verifying function first (the tables' default calls it), then tables, role, grants, policies. */
  async #installPostgres(admin: StoreOrm): Promise<void> {
    const fresh = !(await hasTables(admin));
    const createTables = () => installTables(admin, this.site().rootDomain, this.options, true);
    if (this.#rls)
      this.#sign = await installPostgres(admin.em.fork(), this.#plan(admin), fresh, createTables);
    else await installWithoutRowSecurity(admin.em.fork(), this.#plan(admin), fresh, createTables);
  }

  #plan(admin: StoreOrm) {
    return {
      role: appRoleOf(this.options),
      metadata: this.template().orm.getMetadata(),
      tenant: this.#requireTenant(),
      markerTable: MARKER_TABLE,
      rootDomain: this.site().rootDomain,
      events: this.site().events,
      migrationsTable: admin.config.get('migrations').tableName ?? 'mikro_orm_migrations',
    };
  }

  #openAdminStore(): StoreOrm {
    return openAdminStore(this.template(), this.options);
  }

  #openAppStore(): StoreOrm {
    return openAppStore(this.template(), this.options, this.#sign);
  }

  #requireStore(): StoreOrm {
    return this.initialized(this.#store);
  }

  #requireTenant(): TenantRule {
    return this.initialized(this.#tenant);
  }
}

/**
 * Row-level isolation: every domain shares the tables; domain-scoped
 * entities get a `tenant_id` column (added to `EntitySchema` definitions
 * automatically, and to the pivot tables MikroORM generates for their
 * many-to-many relations). Every statement a domain's entity manager
 * issues — reads, the unit of work's writes, query builders, native and
 * upsert calls, pivot rows — is stamped with or limited to its domain, a
 * relation to another domain's row is refused, and a query with no domain
 * throws `NO_CURRENT_DOMAIN`. On PostgreSQL the database is a second wall:
 * `FORCE ROW LEVEL SECURITY` policies on a signed `md.domain` setting set on
 * every connection checkout (recognised by its digest; the key stays out of
 * the request role's reach), and requests connect as a plain role, so raw
 * SQL sees only the current domain and cannot switch it (`rls: false`
 * removes this wall). On SQLite the ORM is the only wall: raw SQL is not scoped.
 *
 * @example
 * import { PostgreSqlDriver } from '@mikro-orm/postgresql';
 * const isolation = rowLevel({ driver: PostgreSqlDriver, url: process.env.ADMIN_DATABASE_URL, entities: [Item, Plan] });
 * const site = await createSite({ isolation, domains: [{ name: 'acme' }] });
 * await site.provision('acme', { seed: true });
 * await site.run('acme', () => site.em.find(Item, {})); // only acme's rows
 */
export function rowLevel(options: RowLevelOptions): MikroOrmStrategy {
  return new RowLevel(options);
}
