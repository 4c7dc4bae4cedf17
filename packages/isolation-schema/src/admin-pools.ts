import { type OrmTemplate, quoteIdent, type StoreOrm, urlConnection } from '@md/mikro-orm';
import { CompiledQuery, PostgresDialect, type PostgresPool } from 'kysely';

/** Connections of each admin pool (DDL, provisioning locks): at most this many provisionings run their DDL at once. */
export const ADMIN_POOL_SIZE = 4;

/** The `pg` pool of the admin store, lent to migration stores. */
type BorrowablePool = PostgresPool & { options?: unknown };

/**
 * The schema strategy's two small admin pools, kept between provisionings
 * (idle connections close after 10 s): one holds provisioning locks, the
 * other lends its connections to migration stores. Opening two fresh
 * connections per provisioning (TCP and SCRAM) cost more than the DDL
 * itself. Neither pool ever serves a request.
 */
export class AdminPools {
  #locks: StoreOrm | undefined;
  #ddl: StoreOrm | undefined;
  readonly #template: () => OrmTemplate;
  readonly #url: string;

  constructor(template: () => OrmTemplate, url: string) {
    this.#template = template;
    this.#url = url;
  }

  /**
   * Runs `fn` holding the transaction-scoped advisory lock `key` on a
   * connection of the lock pool, pinned for the whole of `fn`:
   * provisionings of one domain, in this process or others, run one after
   * the other. Locks and DDL use two pools, so a provisioning holding a
   * lock never waits for a connection that one waiting for a lock holds.
   */
  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    this.#locks ??= this.#open();
    const connection = this.#locks.em.getConnection();
    // The connection's own transaction (not em.transactional): no transaction context for `fn` to inherit.
    return connection.transactional(async (trx) => {
      await connection.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [key], 'all', trx);
      return fn();
    });
  }

  /**
   * A store whose configured schema is `schema` and whose connections,
   * borrowed from the DDL pool, are set to `search_path = schema, public`
   * every time it takes one (so no other domain's schema carries over).
   * Closing it returns the connections; the pool stays open.
   */
  async migrationStore(schema: string): Promise<StoreOrm> {
    this.#ddl ??= this.#open();
    const pool = (await this.#ddl.driver.getConnection().getNativeClient()) as BorrowablePool;
    const searchPath = CompiledQuery.raw(`set search_path to ${quoteIdent(schema)}, public`);
    return this.#template().open({
      ...urlConnection(this.#url),
      schema,
      driverOptions: new PostgresDialect({
        pool: { connect: () => pool.connect(), end: async () => {}, options: pool.options },
        // A migration's own `this.execute()` runs before the Migrator sets the schema: every
        // connection this store takes is in the domain's schema first.
        onReserveConnection: async (connection) => {
          await connection.executeQuery(searchPath);
        },
      }),
    });
  }

  async close(): Promise<void> {
    const pools = [this.#locks, this.#ddl];
    this.#locks = undefined;
    this.#ddl = undefined;
    await Promise.all(pools.map((p) => p?.close()));
  }

  #open(): StoreOrm {
    return this.#template().open({
      ...urlConnection(this.#url),
      pool: { min: 0, max: ADMIN_POOL_SIZE, idleTimeoutMillis: 10_000 },
    });
  }
}
