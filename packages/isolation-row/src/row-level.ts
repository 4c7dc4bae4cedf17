import { randomBytes } from 'node:crypto';
import {
  type DeprovisionOptions,
  type DomainProxy,
  type IsolationCapabilities,
  MdError,
  type ProvisionOptions,
  tryGetCurrentDomain,
} from '@md/core';
import {
  classifyEntities,
  entityClassName,
  type MikroOrmStrategy,
  MikroOrmStrategyBase,
  type MikroOrmStrategyOptions,
  migrateStore,
  quoteIdent,
  runProvisionSteps,
  type SqliteDatabaseFactory,
  type StoreOrm,
  type StrategyStats,
  sqliteDialect,
  urlConnection,
  withStore,
} from '@md/mikro-orm';
import { EntitySchema, type Options } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { CompiledQuery, type DatabaseConnection } from 'kysely';
import {
  bindTenantInfo,
  RowEntityManager,
  TENANT_FILTER,
  type TenantInfo,
  TenantSubscriber,
} from './tenant-guard.js';

/** Options of {@link rowLevel}. Give `dbName` (SQLite) or `url` (PostgreSQL). */
export interface RowLevelOptions extends MikroOrmStrategyOptions {
  /** SQLite: the database file (every domain shares its tables). */
  dbName?: string;
  /**
   * PostgreSQL: an admin (superuser) URL. The strategy creates the tables,
   * the row-level security policies and a plain login role with it; requests
   * connect as that role, never as the admin.
   */
  url?: string;
  /** PostgreSQL: the role requests connect as (created when missing). Default `md_app` with a random password. */
  appRole?: { name: string; password: string };
  /** Connections in the pool (PostgreSQL; default 10). */
  poolSize?: number;
  /** The tenant property added to every domain-scoped `EntitySchema` (default `tenantId`, column `tenant_id`). */
  tenantProperty?: string;
  /** SQLite: how the file is opened (default the built-in `node:sqlite`; pass a factory for another binding). */
  sqlite?: SqliteDatabaseFactory;
}

const MARKER_TABLE = 'md_provisioned_domain';
const SETTING = 'md.domain';

class RowLevel extends MikroOrmStrategyBase<RowLevelOptions> {
  readonly name = 'row-level';
  readonly capabilities: IsolationCapabilities;
  readonly #postgres: boolean;
  readonly #tenant: TenantInfo;
  /** The domain-scoped entities themselves (filters name entities, not class names). */
  readonly #scopedEntities: readonly object[];
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
    const { scoped } = classifyEntities(options.entities, options.shared);
    this.#tenant = { property, column: 'tenant_id', scoped };
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
          // On PostgreSQL a raw INSERT gets the domain from the transaction-local setting too.
          ...(this.#postgres ? { defaultRaw: `current_setting('${SETTING}', true)` } : {}),
        } as never);
      }
    }
  }

  /** The tenant filter, fail closed, and the guards that set and check `tenant_id` on writes. */
  protected override templateOptions(): Partial<Options> {
    const scoped = [...this.#scopedEntities];
    const property = this.#tenant.property;
    return {
      entityManager: RowEntityManager,
      subscribers: [new TenantSubscriber()],
      filters: {
        [TENANT_FILTER]: {
          name: TENANT_FILTER,
          default: true,
          args: false,
          entity: scoped as never,
          cond: (
            args: { domain?: string } | undefined,
            _type: string,
            _em: unknown,
            _options: unknown,
            entityName?: string,
          ) => {
            // Fail closed: a scoped query with no domain never runs unscoped.
            if (args?.domain === undefined)
              throw MdError.noCurrentDomain(`A query on ${entityName ?? 'a domain-scoped entity'}`);
            return { [property]: args.domain };
          },
        },
      },
    };
  }

  protected override async start(): Promise<void> {
    bindTenantInfo(this.template().orm.getMetadata(), this.#tenant);
    // Install tables, role and policies on first start; later migrations are site.migrate's
    // (or provision's) job, so a broken deployment cannot keep the site from starting.
    await this.#withAdminStore(async (admin) => {
      if (!(await this.#installed(admin))) await this.#install(admin);
    });
    this.#store = this.#openAppStore();
  }

  em(domain: DomainProxy): SqlEntityManager {
    const em = this.#requireStore().em.fork({ clear: true, useContext: false });
    em.setFilterParams(TENANT_FILTER, { domain: domain.name });
    return em;
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

  async provision(domain: DomainProxy, options: ProvisionOptions = {}): Promise<void> {
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
        // The marker and the seed rows commit together or not at all.
        name: seeder === undefined ? 'record domain' : 'seed',
        run: () =>
          this.site().run(domain.name, () =>
            this.em(domain).transactional(async (em) => {
              const connection = em.getConnection();
              const ctx = em.getTransactionContext();
              const existing = (await connection.execute(
                `select domain from ${MARKER_TABLE} where domain = ?`,
                [domain.name],
                'all',
                ctx,
              )) as unknown[];
              if (existing.length > 0) return;
              await connection.execute(
                `insert into ${MARKER_TABLE} (domain) values (?)`,
                [domain.name],
                'run',
                ctx,
              );
              await seeder?.(em as SqlEntityManager, domain);
            }),
          ),
      },
    ]);
  }

  async deprovision(domain: DomainProxy, _options: DeprovisionOptions): Promise<void> {
    const metadata = this.template().orm.getMetadata();
    const metas = [...this.#tenant.scoped].map((name) => metadata.getByClassName(name));
    // Children first: entities with more references to other scoped entities go earlier.
    const refs = (m: (typeof metas)[number]) =>
      m.relations.filter((r) => r.kind === 'm:1' && this.#tenant.scoped.has(r.type)).length;
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
   * reinstalls the PostgreSQL policies so new tables get them too.
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
        if (this.#postgres && names.length > 0) await this.#installPolicies(admin);
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

  /** Tables, marker table, role, grants and policies: shared by every domain. */
  async #install(admin: StoreOrm): Promise<void> {
    await admin.driver.connect();
    await migrateStore(admin.em.fork(), this.site().rootDomain, this.options);
    await admin.em
      .getConnection()
      .execute(
        `create table if not exists ${MARKER_TABLE} (domain varchar(64) primary key, provisioned_at ${this.#postgres ? 'timestamptz' : 'datetime'} not null default current_timestamp)`,
      );
    if (this.#postgres) await this.#installPolicies(admin);
  }

  async #installPolicies(admin: StoreOrm): Promise<void> {
    const role = this.#appRole();
    const run = (sql: string) => admin.em.getConnection().execute(sql);
    const roleName = quoteIdent(role.name);
    const password = role.password.replace(/'/g, "''");
    await run(
      `do $$ begin if not exists (select from pg_roles where rolname = '${role.name.replace(/'/g, "''")}') then create role ${roleName} login password '${password}' nosuperuser nobypassrls; end if; end $$`,
    );
    await run(`alter role ${roleName} login password '${password}' nosuperuser nobypassrls`);
    await run(`grant usage on schema public to ${roleName}`);
    await run(`grant select, insert, update, delete on all tables in schema public to ${roleName}`);
    await run(`grant usage, select on all sequences in schema public to ${roleName}`);
    const metadata = this.template().orm.getMetadata();
    const check = `${quoteIdent(this.#tenant.column)} = current_setting('${SETTING}', true)`;
    for (const name of this.#tenant.scoped) {
      const table = quoteIdent(metadata.getByClassName(name).tableName);
      await run(`alter table ${table} enable row level security`);
      await run(`alter table ${table} force row level security`);
      await run(`drop policy if exists md_tenant on ${table}`);
      await run(`create policy md_tenant on ${table} using (${check}) with check (${check})`);
    }
  }

  #appRole(): { name: string; password: string } {
    this.options.appRole ??= { name: 'md_app', password: randomBytes(18).toString('base64url') };
    return this.options.appRole;
  }

  #openAdminStore(): StoreOrm {
    const template = this.template();
    if (!this.#postgres) return this.#openSqliteStore();
    return template.open({ ...urlConnection(this.options.url!), pool: { min: 0, max: 1 } });
  }

  #openAppStore(): StoreOrm {
    const template = this.template();
    if (!this.#postgres) return this.#openSqliteStore();
    const url = new URL(this.options.url!);
    const role = this.#appRole();
    url.username = encodeURIComponent(role.name);
    url.password = encodeURIComponent(role.password);
    return template.open({
      clientUrl: url.toString(),
      dbName: url.pathname.slice(1),
      pool: { min: 0, max: this.options.poolSize ?? 10 },
      onReserveConnection: setDomainOnCheckout as (connection: unknown) => Promise<void>,
    });
  }

  #openSqliteStore(): StoreOrm {
    const dbName = this.options.dbName!;
    return this.template().open({ dbName, driverOptions: sqliteDialect(dbName, {}, this.options.sqlite) });
  }

  #requireStore(): StoreOrm {
    return this.initialized(this.#store);
  }
}

/**
 * Sets `md.domain` to the current domain (empty outside any domain, which
 * the policies match with no row) each time a connection is taken from the
 * pool — for one statement, or once for a whole transaction — through
 * MikroORM's public `onReserveConnection` hook. Every checkout overwrites
 * the value, so a pooled connection never carries one domain's setting into
 * another domain's statement: one extra round trip per checkout, not a
 * transaction around every statement.
 */
async function setDomainOnCheckout(connection: DatabaseConnection): Promise<void> {
  await connection.executeQuery(
    CompiledQuery.raw('select set_config($1, $2, false)', [SETTING, tryGetCurrentDomain()?.name ?? '']),
  );
}

/**
 * Row-level isolation: every domain shares the tables; domain-scoped
 * entities get a `tenant_id` column (added to `EntitySchema` definitions
 * automatically). A MikroORM filter scopes every read, update and delete,
 * including populate and relations, and a query with no domain throws
 * `NO_CURRENT_DOMAIN`; inserts take the current domain, and any write that
 * sets or changes `tenant_id` to another domain throws `TENANT_MISMATCH`.
 * On PostgreSQL the database is a second wall: `FORCE ROW LEVEL SECURITY`
 * policies on `current_setting('md.domain', true)`, set on every
 * connection checkout from the pool, and requests connect as a plain role, so even raw SQL
 * sees only the current domain. On SQLite the filter is the only wall: raw
 * SQL is not scoped.
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
