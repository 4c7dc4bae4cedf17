import type { MikroOrmStrategyOptions, SqliteDatabaseFactory } from '@md/mikro-orm';

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
  /**
   * PostgreSQL: row-level security, the second wall (default `true`). With
   * `false` the guard is the only wall, as on SQLite: no policies, no signed
   * `md.domain` set per connection checkout (one round trip less per
   * statement outside a transaction), and **raw SQL reads and writes every
   * domain's rows** (the SQLite limit, `row-level-sqlite-raw-sql`, then holds
   * on PostgreSQL too). Requests still connect as the plain request role. A
   * switch for measuring what the wall costs, or for a site that never runs
   * raw SQL it does not control; refused (`INVALID_OPTIONS`) on a database
   * where md already installed row-level security.
   */
  rls?: boolean;
  /** Connections in the pool (PostgreSQL; default 10). */
  poolSize?: number;
  /** The tenant property added to every domain-scoped `EntitySchema` (default `tenantId`, column `tenant_id`). */
  tenantProperty?: string;
  /** SQLite: how the file is opened (default the built-in `node:sqlite`; pass a factory for another binding). */
  sqlite?: SqliteDatabaseFactory;
}
