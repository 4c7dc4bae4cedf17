import type { MikroOrmStrategyOptions, SqliteDatabaseFactory } from '@md/mikro-orm';

/** Options of {@link databasePerDomain}. Give `folder` (SQLite) or `url` (PostgreSQL). */
export interface DatabasePerDomainOptions extends MikroOrmStrategyOptions {
  /** SQLite: the folder holding one `<domain>.sqlite` file per domain. */
  folder?: string;
  /**
   * PostgreSQL: an admin URL (a role that may `CREATE DATABASE` and `CREATE
   * ROLE`, with a password). Each domain gets database `databaseName(domain)`
   * on it, owned by the admin, and a login role of its own that requests
   * connect as (`<database>_app`, DML on that database only, password
   * derived from the admin's). A domain that names its own `databaseUrl`
   * uses that URL as is, for provisioning and requests alike.
   */
  url?: string;
  /** Database name of a domain on the server (default `md_<name>` with `-` as `_`). */
  databaseName?: (domain: string) => string;
  /** Most domain pools open at once; least recently used idle pools are closed beyond it (default 50). */
  budget?: number;
  /** Close a domain's pool after this long unused (ms, default 60 000; 0 never). */
  idleTimeoutMs?: number;
  /** How long a query waits for a pool slot when every open pool is busy before `CONNECTION_BUDGET_EXHAUSTED` (ms, default 10 000). */
  acquireTimeoutMs?: number;
  /** Connections per domain pool (PostgreSQL; SQLite uses one). Default 2. */
  poolSize?: number;
  /**
   * SQLite: how a file is opened — md's default is the built-in `node:sqlite`
   * (no native build); pass a factory to use another binding (e.g. better-sqlite3).
   */
  sqlite?: SqliteDatabaseFactory;
}
