import {
  type DeprovisionOptions,
  type DomainProxy,
  type IsolationCapabilities,
  MdError,
  type ProvisionOptions,
  type SiteLike,
} from '@md/core';
import {
  classifyEntities,
  type DomainGuardRules,
  ensureLoginRole,
  entityClassName,
  grantSchema,
  hideActivity,
  type LoginRole,
  type MikroOrmStrategy,
  MikroOrmStrategyBase,
  migrateStore,
  openDomainEm,
  type ProvisionStep,
  quoteIdent,
  requestRole,
  runProvisionSteps,
  type StoreOrm,
  urlConnection,
  withCredentials,
  withStore,
} from '@md/mikro-orm';
import { EntitySchema } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { AdminPools } from './admin-pools.js';
import { ConnectionAffinity } from './affinity.js';
import { migrationsTableOf, type SchemaPerDomainOptions, type SchemaStats } from './options.js';
import { limitSchemasPerConnection, schemaBudgetOf } from './schema-budget.js';

type PgPool = Parameters<ConnectionAffinity['attach']>[1];

class SchemaPerDomain extends MikroOrmStrategyBase<SchemaPerDomainOptions> {
  readonly name = 'schema-per-domain';
  readonly capabilities: IsolationCapabilities = { schemaPerDomain: true, rootData: true };
  /** The request pool's sub-pools; `#stores[0]` also serves `isProvisioned`. */
  #stores: StoreOrm[] | undefined;
  #affinity: ConnectionAffinity | undefined;
  readonly #adminPools: AdminPools;
  #recycled = 0;
  readonly #role: LoginRole;

  constructor(options: SchemaPerDomainOptions) {
    if (typeof options.url !== 'string' || options.url === '') {
      throw MdError.invalidOptions('schemaPerDomain needs { url } of a PostgreSQL database');
    }
    super(options, 'schemaPerDomain');
    this.#role = requestRole(options.url);
    this.#adminPools = new AdminPools(() => this.template(), options.url);
    const { scoped } = classifyEntities(options.entities, options.shared);
    for (const entity of options.entities) {
      // Domain-scoped tables live in every domain's schema: the schema is chosen per query.
      if (scoped.has(entityClassName(entity)) && entity instanceof EntitySchema) entity.meta.schema = '*';
    }
  }

  protected override async start(site: SiteLike): Promise<void> {
    await this.#withAdmin(async (admin) => {
      await ensureLoginRole(admin, this.#role);
      // One role serves every domain: its sessions must not read each other's statements.
      await hideActivity(admin, this.#role, site.events);
    });
    await this.#openPools();
    // The root schema exists on every start after the first: its grants are brought in line, never migrated.
    if (await this.isProvisioned(site.rootDomain)) await this.#grant(site.rootDomain);
    else await this.provision(site.domains.root);
  }

  schemaOf(domain: string): string {
    return (this.options.schemaName ?? ((name: string) => `md_${name.replace(/[^a-z0-9]/g, '_')}`))(domain);
  }

  /** A fresh entity manager on the sub-pool the domain's affinity picks (see `affinity`). */
  em(domain: DomainProxy): SqlEntityManager {
    const stores = this.#requireStores();
    const store = stores[this.#affinity?.home(domain.name) ?? 0] as StoreOrm;
    return openDomainEm(store, {
      domain: domain.name,
      root: domain.isRoot,
      schema: this.schemaOf(domain.name),
    });
  }

  /**
   * Every statement of a domain's entity manager names the domain's schema
   * (another schema is refused with `TENANT_MISMATCH`); shared entities live
   * in the root domain's schema and other domains' entity managers refuse them.
   */
  protected override guardRules(shared: ReadonlySet<string>): DomainGuardRules {
    return { strategy: this.name, shared, sharedInRootOnly: true, schemaPerDomain: true };
  }

  /**
   * `open`/`maxOpen`: the one request pool (its sub-pools count as one).
   * `recycled`: connections the pool has closed (recycled after `maxSchemasPerConnection`, `maxUses` /
   * `maxLifetimeMs`, or idle). `connections`/`maxConnections`: request
   * connections open now / the most ever open at once, all sub-pools
   * together (never more than `poolSize`). `subPools`: their number.
   * `spilled`: connections a busy sub-pool took from another (see `affinity`).
   */
  stats(): SchemaStats {
    return {
      open: this.#stores === undefined ? 0 : 1,
      maxOpen: 1,
      recycled: this.#recycled,
      connections: this.#affinity?.connections ?? 0,
      maxConnections: this.#affinity?.maxConnections ?? 0,
      subPools: this.#stores?.length ?? 0,
      spilled: this.#affinity?.spilled ?? 0,
    };
  }

  /** The sub-pool (index) a domain's entity managers use (a busy one may borrow another's connection). */
  subPoolOf(domain: string): number {
    this.#requireStores();
    return this.#affinity?.home(domain) ?? 0;
  }

  async isProvisioned(name: string): Promise<boolean> {
    const rows = (await (this.#requireStores()[0] as StoreOrm).em
      .getConnection()
      .execute('select 1 from pg_namespace where nspname = ?', [this.schemaOf(name)])) as unknown[];
    return rows.length > 0;
  }

  /**
   * Creates the schema, migrates and seeds it, under a PostgreSQL advisory
   * lock held for the whole provisioning: concurrent provisionings of one
   * domain, in this process or others, run one after the other, and only
   * the one that created the schema may drop it again.
   */
  protected override async provisionDomain(domain: DomainProxy, options: ProvisionOptions): Promise<void> {
    const schema = this.schemaOf(domain.name);
    let created = false;
    // One admin connection creates, migrates and grants (in the domain's schema); another holds the lock.
    const steps = (admin: SqlEntityManager): ProvisionStep[] => [
      {
        name: 'create schema',
        run: async () => {
          created = !(await this.isProvisioned(domain.name));
          if (created) await admin.getConnection().execute(`create schema ${quoteIdent(schema)}`);
        },
        undo: async () => {
          if (created)
            await admin.getConnection().execute(`drop schema if exists ${quoteIdent(schema)} cascade`);
        },
      },
      { name: 'migrate', run: () => migrateStore(admin, domain.name, this.options, schema).then(() => {}) },
      { name: 'grant requests', run: () => grantSchema(admin, schema, this.#role, migrationsTableOf(admin)) },
      ...this.seedSteps(
        domain,
        options,
        () => created,
        () => this.em(domain),
      ),
    ];
    await this.#adminPools.withLock(`md:provision:schema:${schema}`, () =>
      this.withMigrationStore(domain.name, (admin) => runProvisionSteps(domain.name, steps(admin))),
    );
  }

  protected override async deprovisionDomain(
    domain: DomainProxy,
    _options: DeprovisionOptions,
  ): Promise<void> {
    await this.#dropSchema(this.schemaOf(domain.name));
  }

  /**
   * Migrations and the schema generator work in the domain's schema; the
   * drift check introspects only that schema, cheap whatever the number of schemas.
   */
  protected override migrationSchema(name: string): string {
    return this.schemaOf(name);
  }

  protected override async closeConnections(): Promise<void> {
    const stores = this.#stores ?? [];
    this.#stores = undefined;
    await Promise.all([...stores.map((s) => s.close()), this.#adminPools.close()]);
  }

  /**
   * Migrations run on a store of their own whose configured schema and
   * session `search_path` are the domain's: the Migrator runs each migration
   * with that schema current (`migrator.up({ schema })`), so migration SQL
   * may name tables unqualified and `mikro_orm_migrations` lands in the
   * domain's schema; the schema generator places every table there (shared
   * entities included: the root domain's schema holds the shared rows).
   * The store borrows its connections from the admin pool, kept between
   * provisionings (a fresh connection — TCP and SCRAM — cost more than the
   * DDL itself), and sets the `search_path` each time it takes one, so no
   * other domain's schema carries over. Those connections never serve a request.
   */
  protected override async withMigrationStore<T>(
    name: string,
    fn: (em: SqlEntityManager) => Promise<T>,
  ): Promise<T> {
    const schema = this.schemaOf(name);
    const store = await this.#adminPools.migrationStore(schema);
    return withStore(store, (s) => fn(s.em.fork({ schema })));
  }

  async #dropSchema(schema: string): Promise<void> {
    await this.#withAdmin((admin) =>
      admin.getConnection().execute(`drop schema if exists ${quoteIdent(schema)} cascade`),
    );
  }

  /** Migrations run as the admin; what they create is granted to the request role. */
  protected override async applyMigrations(name: string): Promise<string[]> {
    const applied = await super.applyMigrations(name);
    await this.#grant(name);
    return applied;
  }

  /** The request role reads and writes the domain schema's tables, and nothing else of it. */
  async #grant(name: string): Promise<void> {
    await this.#withAdmin((admin) =>
      grantSchema(admin, this.schemaOf(name), this.#role, migrationsTableOf(admin)),
    );
  }

  /** A short-lived one-connection store as the admin (DDL: schemas, grants). */
  async #withAdmin<T>(fn: (admin: SqlEntityManager) => Promise<T>): Promise<T> {
    const admin = this.template().open({ ...urlConnection(this.options.url), pool: { min: 0, max: 1 } });
    return withStore(admin, (store) => fn(store.em.fork()));
  }

  /**
   * The request pool: `poolSize` connections split into sub-pools (see
   * `affinity`), each a `pg` pool of its own. A backend caches the catalog of
   * every schema it touches: a connection is recycled once it has served
   * `maxSchemasPerConnection` schemas, or after `maxUses` checkouts or
   * `maxLifetimeMs` (`pg`); affinity bounds the schemas one backend meets.
   */
  async #openPools(): Promise<void> {
    const affinity = new ConnectionAffinity(this.options.poolSize ?? 10, this.options.affinity);
    const budget = schemaBudgetOf(this.options.maxSchemasPerConnection);
    const url = withCredentials(this.options.url, this.#role.name, this.#role.password);
    this.#affinity = affinity;
    this.#stores = affinity.sizes.map((max, index) =>
      this.template().open({
        ...urlConnection(url),
        pool: { min: 0, max },
        driverOptions: {
          ...(this.options.maxUses === undefined ? {} : { maxUses: this.options.maxUses }),
          maxLifetimeSeconds: Math.max(1, Math.round((this.options.maxLifetimeMs ?? 300_000) / 1000)),
          onPoolCreated: (pool: PgPool) => {
            affinity.attach(index, pool);
            limitSchemasPerConnection(pool, budget, () => this.site().tryGetDomain()?.name);
            pool.on('remove', () => this.#recycled++);
          },
        },
      }),
    );
    // Every sub-pool's `pg` pool now (it opens no connection): a busy sub-pool may only spill
    // into a pool that exists.
    await Promise.all(this.#stores.map((store) => store.driver.getConnection().getNativeClient()));
  }

  #requireStores(): StoreOrm[] {
    return this.initialized(this.#stores);
  }
}

/**
 * Schema-per-domain isolation on PostgreSQL: one database, one request pool
 * (optionally split into sub-pools a domain is routed to by the hash of its
 * name: see `affinity`), one schema per domain. Domain-scoped entities are declared with
 * `schema: '*'` (the strategy sets it on `EntitySchema` definitions) and
 * every request's entity manager is `em.fork({ schema })`, so each query
 * names its schema; the session `search_path` is never used, so a pooled
 * connection cannot carry one domain's schema into another's query. Shared
 * entities stay in `public`. Pooled connections are recycled after serving
 * `maxSchemasPerConnection` schemas or after `maxLifetimeMs`, because backends cache the
 * catalog of every schema they touch.
 *
 * @example
 * import { PostgreSqlDriver } from '@mikro-orm/postgresql';
 * const isolation = schemaPerDomain({ driver: PostgreSqlDriver, url: process.env.DATABASE_URL!, entities: [Item, Plan] });
 * const site = await createSite({ isolation, domains: [{ name: 'acme' }] });
 * await site.provision('acme');
 * await site.run('acme', () => site.em.find(Item, {})); // select … from "md_acme"."item"
 */
export function schemaPerDomain(options: SchemaPerDomainOptions): Omit<MikroOrmStrategy, 'stats'> & {
  schemaOf(domain: string): string;
  subPoolOf(domain: string): number;
  stats(): SchemaStats;
} {
  return new SchemaPerDomain(options);
}
