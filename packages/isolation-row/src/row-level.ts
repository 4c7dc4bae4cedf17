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
  derivedPassword,
  domainBinding,
  ensureLoginRole,
  entityClassName,
  hideActivity,
  type MikroOrmStrategy,
  MikroOrmStrategyBase,
  type MikroOrmStrategyOptions,
  migrateStore,
  openDomainEm,
  runProvisionSteps,
  type SqliteDatabaseFactory,
  type StoreOrm,
  type StrategyStats,
  sqliteDialect,
  type TenantRule,
  urlConnection,
  withAdvisoryLock,
  withCredentials,
  withStore,
} from '@md/mikro-orm';
import { EntitySchema, type MetadataStorage, type Options } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import {
  CURRENT_DOMAIN,
  type DomainSigner,
  installedVersion,
  installRowSecurity,
  prepareSigning,
  setDomainOnCheckout,
} from './postgres-rls.js';

/** Options of {@link rowLevel}. Give `dbName` (SQLite) or `url` (PostgreSQL). */
export interface RowLevelOptions extends MikroOrmStrategyOptions {
  /** SQLite: the database file (every domain shares its tables). */
  dbName?: string;
  /**
   * PostgreSQL: an admin (superuser) URL with a password. The strategy
   * creates the tables, the row-level security policies, the signing key
   * and a plain login role with it; requests connect as that role, never as
   * the admin.
   */
  url?: string;
  /**
   * PostgreSQL: the role requests connect as (created when missing). Default
   * `md_app`, with a password derived from the admin URL's (the same on
   * every start and every app instance; nothing is stored).
   */
  appRole?: { name: string; password: string };
  /** Connections in the pool (PostgreSQL; default 10). */
  poolSize?: number;
  /** The tenant property added to every domain-scoped `EntitySchema` (default `tenantId`, column `tenant_id`). */
  tenantProperty?: string;
  /** SQLite: how the file is opened (default the built-in `node:sqlite`; pass a factory for another binding). */
  sqlite?: SqliteDatabaseFactory;
}

/** The filter every domain-scoped read, update and delete goes through. */
export const TENANT_FILTER = 'md_tenant';
const MARKER_TABLE = 'md_provisioned_domain';

class RowLevel extends MikroOrmStrategyBase<RowLevelOptions> {
  readonly name = 'row-level';
  readonly capabilities: IsolationCapabilities;
  readonly #postgres: boolean;
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
    this.capabilities = { rowLevel: true, rootData: true, databaseEnforced: this.#postgres };
    const property = options.tenantProperty ?? 'tenantId';
    this.#property = property;
    const { scoped } = classifyEntities(options.entities, options.shared);
    this.#scopedEntities = options.entities.filter((entity) =>
      scoped.has(entityClassName(entity)),
    ) as object[];
    for (const entity of options.entities) {
      if (!scoped.has(entityClassName(entity)) || !(entity instanceof EntitySchema)) continue;
      // Entities stay strategy-agnostic: the tenant column is added here, once.
      if (entity.meta.properties[property as never] === undefined) {
        entity.addProperty(property as never, 'string', {
          fieldName: 'tenant_id',
          length: 64,
          index: true,
          // On PostgreSQL a raw INSERT gets the verified domain of the session too.
          ...(this.#postgres ? { defaultRaw: CURRENT_DOMAIN } : {}),
        } as never);
      }
    }
  }

  /** The tenant filter: every read of a scoped entity, relations included, limited to the entity manager's domain. */
  protected override templateOptions(): Partial<Options> {
    const property = this.#property;
    return {
      filters: {
        [TENANT_FILTER]: {
          name: TENANT_FILTER,
          default: true,
          args: false,
          entity: [...this.#scopedEntities] as never,
          // The domain is the entity manager's own: filter parameters cannot move it.
          cond: (_args: unknown, _type: string, em: object, _options: unknown, entityName?: string) => {
            const domain = domainBinding(em)?.domain;
            if (domain === undefined)
              throw MdError.noCurrentDomain(`A query on ${entityName ?? 'a domain-scoped entity'}`);
            return { [property]: domain };
          },
        },
      },
    };
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
      const lock = this.template().open({ ...urlConnection(this.options.url!), pool: { min: 0, max: 1 } });
      await withAdvisoryLock(lock, 'md:row-level:install', () =>
        this.#withAdminStore((admin) => this.#installPostgres(admin)),
      );
    } else {
      await this.#withAdminStore(async (admin) => {
        if (!(await this.#installed(admin))) await this.#installTables(admin);
      });
    }
    this.#store = this.#openAppStore();
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
    const metadata = this.template().orm.getMetadata();
    const metas = [...this.#requireTenant().scoped].map((name) => metadata.getByClassName(name));
    // Children first: tables with more references to other scoped tables (pivots first) go earlier.
    const refs = (m: (typeof metas)[number]) =>
      m.relations.filter((r) => r.kind === 'm:1' && this.#requireTenant().scoped.has(r.type)).length;
    metas.sort((a, b) => refs(b) - refs(a));
    await this.site().run(domain.name, () =>
      this.em(domain).transactional(async (em) => {
        for (const meta of metas) await em.nativeDelete(meta.class, {});
        await em
          .getConnection()
          .execute(
            `delete from ${MARKER_TABLE} where domain = ?`,
            [domain.name],
            'run',
            em.getTransactionContext(),
          );
      }),
    );
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
        if (this.#postgres && names.length > 0) await installRowSecurity(admin.em.fork(), this.#plan(admin));
        return names;
      }),
    );
    this.#migrating = run.catch(() => {});
    return run;
  }

  async #installed(admin: StoreOrm): Promise<boolean> {
    try {
      await admin.em.getConnection().execute(`select 1 from ${MARKER_TABLE} limit 1`);
      return true;
    } catch {
      return false;
    }
  }

  /** The shared tables and the provisioning record (the first start on a database). */
  async #installTables(admin: StoreOrm): Promise<void> {
    await admin.driver.connect();
    await migrateStore(admin.em.fork(), this.site().rootDomain, this.options);
    await admin.em
      .getConnection()
      .execute(
        `create table if not exists ${MARKER_TABLE} (domain varchar(64) primary key, provisioned_at ${this.#postgres ? 'timestamptz' : 'datetime'} not null default current_timestamp)`,
      );
  }

  /** Key and verifying function first (the tables' default calls it), then tables, role, grants, policies. */
  async #installPostgres(admin: StoreOrm): Promise<void> {
    const em = admin.em.fork();
    this.#sign = await prepareSigning(em);
    const fresh = !(await this.#installed(admin));
    if (fresh) await this.#installTables(admin);
    await ensureLoginRole(em, this.#appRole());
    await hideActivity(em, this.#appRole());
    if (fresh || !(await installedVersion(em))) await installRowSecurity(em, this.#plan(admin));
  }

  #plan(admin: StoreOrm) {
    return {
      role: this.#appRole(),
      metadata: this.template().orm.getMetadata(),
      tenant: this.#requireTenant(),
      markerTable: MARKER_TABLE,
      migrationsTable: admin.config.get('migrations').tableName ?? 'mikro_orm_migrations',
    };
  }

  #appRole(): { name: string; password: string } {
    this.options.appRole ??= {
      name: 'md_app',
      password: derivedPassword(this.options.url!, 'row-level role md_app'),
    };
    return this.options.appRole;
  }

  #openAdminStore(): StoreOrm {
    if (!this.#postgres) return this.#openSqliteStore();
    return this.template().open({ ...urlConnection(this.options.url!), pool: { min: 0, max: 1 } });
  }

  #openAppStore(): StoreOrm {
    if (!this.#postgres) return this.#openSqliteStore();
    const role = this.#appRole();
    return this.template().open({
      ...urlConnection(withCredentials(this.options.url!, role.name, role.password)),
      pool: { min: 0, max: this.options.poolSize ?? 10 },
      onReserveConnection: setDomainOnCheckout(this.initialized(this.#sign)) as (
        connection: unknown,
      ) => Promise<void>,
    });
  }

  #openSqliteStore(): StoreOrm {
    const dbName = this.options.dbName!;
    return this.template().open({ dbName, driverOptions: sqliteDialect(dbName, {}, this.options.sqlite) });
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
 * `FORCE ROW LEVEL SECURITY` policies on a signed `md.domain` setting
 * (verified by a `SECURITY DEFINER` function whose key the request role
 * cannot read) set on every connection checkout, and requests connect as a
 * plain role, so raw SQL sees only the current domain and cannot switch it.
 * On SQLite the ORM is the only wall: raw SQL is not scoped.
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
