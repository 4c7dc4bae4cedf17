import { MdError } from '@md/core';
import { Configuration, MikroORM, type Options } from '@mikro-orm/core';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/sql';
import { DomainGuardSubscriber, MdEntityManager } from './entity-manager.js';
import { registerPlatformExtensions, shareMetadataServices } from './internals.js';
import { isSingleConnection, refuseNestedUse } from './sqlite.js';

/** The MikroORM driver class of a strategy (`SqliteDriver`, `PostgreSqlDriver`…). */
export type SqlDriverClass = new (config: Configuration) => AbstractSqlDriver;

/** One opened store: its own configuration, driver (connection pool) and root entity manager, on shared metadata. */
export interface StoreOrm {
  readonly config: Configuration;
  readonly driver: AbstractSqlDriver;
  /** The store's root entity manager: fork it per request, never use it directly. */
  readonly em: SqlEntityManager;
  /** Closes the store's connection pool. */
  close(): Promise<void>;
}

/** Options of {@link createOrmTemplate}. */
export interface OrmTemplateOptions {
  driver: SqlDriverClass;
  entities: readonly unknown[];
  /** Any other MikroORM option (pool, debug, filters…), applied to every store; `entityManager` must extend `MdEntityManager`. */
  orm?: Partial<Options>;
}

/**
 * Entity metadata discovered once, and a factory of per-store ORMs that
 * reuse it. A `MikroORM.init` per domain costs about 12 ms and 340 KB; a
 * store opened from the template only builds a configuration, a driver and
 * an entity manager, and shares the metadata, the hydrator and the
 * comparator (with its compiled snapshot functions) of the template.
 */
export interface OrmTemplate {
  /** The discovered metadata every store shares. */
  readonly orm: MikroORM;
  /** Opens a store with these connection options (`dbName`, `clientUrl`, `pool`, `schema`…). */
  open(overrides: Partial<Options>): StoreOrm;
  /** Releases the template (it never holds a connection). */
  close(): Promise<void>;
}

/**
 * Discovers the entities once (no connection is opened) and returns a
 * template that opens stores sharing that metadata.
 *
 * @example
 * const template = createOrmTemplate({ driver: SqliteDriver, entities: [Item] });
 * const store = template.open({ dbName: './data/acme.sqlite' });
 * const em = store.em.fork();
 */
export function createOrmTemplate(options: OrmTemplateOptions): OrmTemplate {
  // Connections are lazy in MikroORM 7: discovering the metadata opens nothing.
  const orm = new MikroORM({
    dbName: ':memory:',
    ...options.orm,
    driver: options.driver,
    entities: [...options.entities] as Options['entities'],
    allowGlobalContext: false,
    // Every store's entity managers pass md's guards (bound to a domain, they enforce its rules).
    entityManager: entityManagerClass(options.orm?.entityManager),
    subscribers: [new DomainGuardSubscriber(), ...(options.orm?.subscribers ?? [])],
    // md creates and checks its stores itself; MikroORM's check would run on every pool open.
    ensureDatabase: false,
    discovery: { warnWhenNoEntities: false, ...options.orm?.discovery },
  } as Partial<Options>);
  const base = orm.config.getAll();
  return {
    orm,
    open(overrides) {
      const config = new Configuration(
        { ...base, clientUrl: undefined, ...overrides } as Partial<Options>,
        false,
      );
      // Share what was built from the metadata: the hydrator, naming strategy and comparator.
      shareMetadataServices(config, orm.config, orm.getMetadata());
      const driver = config.getDriver() as AbstractSqlDriver;
      driver.setMetadata(orm.getMetadata());
      const em = driver.createEntityManager() as SqlEntityManager;
      // The store's root entity manager behaves like `orm.em`: fork it, never use it directly.
      (em as { global: boolean }).global = true;
      registerPlatformExtensions(config, em);
      // One SQLite connection per store: a unit of work inside another's transaction would wait forever.
      if (isSingleConnection(overrides.driverOptions)) refuseNestedUse(driver.getConnection());
      return { config, driver, em, close: () => driver.close(true) };
    },
    close: () => orm.close(true),
  };
}

/** md's entity manager, or a subclass of it the user gives; any other class would skip the guards. */
function entityManagerClass(given: unknown): typeof MdEntityManager {
  if (given === undefined) return MdEntityManager;
  if (
    typeof given === 'function' &&
    (given === MdEntityManager || given.prototype instanceof MdEntityManager)
  )
    return given as typeof MdEntityManager;
  throw MdError.invalidOptions('orm.entityManager must extend MdEntityManager from @md/mikro-orm');
}

/**
 * Runs `fn` on a store, then closes the store (also when `fn` throws): for
 * short-lived stores outside the request pools (admin, migration, provisioning).
 *
 * @example
 * const pending = await withStore(template.open({ dbName }), (store) => pendingMigrationsOf(store.em.fork(), options));
 */
export async function withStore<T>(store: StoreOrm, fn: (store: StoreOrm) => Promise<T>): Promise<T> {
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
