import { Configuration, MikroORM, type Options } from '@mikro-orm/core';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/knex';

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
  /** Any other MikroORM option (pool, debug, filters, entityManager…), applied to every store. */
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

interface ConfigInternals {
  cache: Map<string, unknown>;
}
interface DriverInternals {
  comparator: unknown;
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
  const orm = MikroORM.initSync({
    dbName: ':memory:',
    ...options.orm,
    driver: options.driver,
    entities: [...options.entities] as Options['entities'],
    connect: false,
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: false, ...options.orm?.discovery },
  } as Options);
  const base = orm.config.getAll();
  const templateCache = (orm.config as unknown as ConfigInternals).cache;
  const templateComparator = (orm.em.getDriver() as unknown as DriverInternals).comparator;
  return {
    orm,
    open(overrides) {
      const config = new Configuration({ ...base, clientUrl: undefined, ...overrides } as Options, false);
      // Share what was built from the metadata: the hydrator, naming strategy and comparator.
      const cache = (config as unknown as ConfigInternals).cache;
      for (const [key, value] of templateCache) if (key !== 'NullCacheAdapter') cache.set(key, value);
      const driver = config.getDriver() as AbstractSqlDriver;
      driver.setMetadata(orm.getMetadata());
      (driver as unknown as DriverInternals).comparator = templateComparator;
      const em = driver.createEntityManager() as SqlEntityManager;
      (em as { global: boolean }).global = true;
      return { config, driver, em, close: () => driver.close(true) };
    },
    close: () => orm.close(true),
  };
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
