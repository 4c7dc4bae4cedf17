import type { MikroOrmStrategyOptions, StrategyStats } from '@md/mikro-orm';
import type { SqlEntityManager } from '@mikro-orm/sql';
import type { AffinityOptions } from './affinity.js';

/** Options of {@link schemaPerDomain}. */
export interface SchemaPerDomainOptions extends MikroOrmStrategyOptions {
  /**
   * PostgreSQL admin URL of the one database (a role that may create
   * schemas and roles, with a password). Requests connect as a plain role
   * md creates (`<database>_app`, password derived from the admin's), which
   * may read and write the domains' tables but owns nothing.
   */
  url: string;
  /** Schema of a domain (default `md_<name>` with `-` as `_`). */
  schemaName?: (domain: string) => string;
  /**
   * Connections of the request pool, all sub-pools together (default 10):
   * the strategy never holds more request connections than this.
   */
  poolSize?: number;
  /**
   * Connection affinity, off by default (one pool shared by every domain:
   * measured, it did not raise req/s on the benchmark, and it caps what one
   * hot domain gets; docs/isolation.md). `true` is `{ groupSize: 1, spill:
   * 'second' }`. The pool is split into sub-pools of `groupSize` connections and each domain
   * goes to the sub-pool a stable hash of its name picks, so a backend
   * serves only its sub-pool's share of the schemas and its catalog caches
   * stay warm (and small). `spill` says where a connection comes from when
   * the domain's sub-pool has none free as one is taken: `'none'` waits for
   * its own, `'second'` takes a free one of the sub-pool's partner, `'any'`
   * then any free one. `false` (or `groupSize` ≥ `poolSize`) is one pool
   * shared by every domain.
   */
  affinity?: AffinityOptions | boolean;
  /**
   * Recycle a pooled connection once it has served this many distinct
   * schemas (default 2 000; `Infinity`: never). A backend keeps the catalog
   * entries of every schema it has met — ≈ 12 KB each, and ≈ 0.3–1 ms to
   * load the first time — so this bounds its memory (≈ 24 MB by default)
   * without closing backends that keep meeting the same schemas. Counted by
   * the domain of the run that takes the connection.
   */
  maxSchemasPerConnection?: number;
  /**
   * Also recycle a pooled connection after this many checkouts (default: no
   * limit; before December 2026 the default was 1 000, which recycled a
   * backend every ~1 000 checkouts however few schemas it had met).
   */
  maxUses?: number;
  /** Recycle a pooled connection after this long (ms, default 300 000; whole seconds). */
  maxLifetimeMs?: number;
}

/** {@link StrategyStats} of the schema strategy, with its request connections. */
export type SchemaStats = StrategyStats & {
  recycled: number;
  connections: number;
  maxConnections: number;
  subPools: number;
  spilled: number;
};

/** The migrations table the strategy's MikroORM config names (the request role may read it). */
export function migrationsTableOf(em: SqlEntityManager): string {
  return em.config.get('migrations').tableName ?? 'mikro_orm_migrations';
}
