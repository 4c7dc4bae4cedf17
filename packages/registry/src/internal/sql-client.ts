import { createRequire } from 'node:module';
import { MdError } from '@md/core';
import { sqliteDialect } from '@md/mikro-orm';
import { type Dialect, Kysely, PostgresDialect, type RawBuilder, sql } from 'kysely';
import type pg from 'pg';

/** A row as the database returns it. */
export type Row = Record<string, unknown>;

/** Runs statements written with Kysely's `sql` tag (parameters bound by the dialect). */
export interface SqlExecutor {
  query(statement: RawBuilder<unknown>): Promise<Row[]>;
}

/** What the registry needs from a database: statements, transactions, close. */
export interface SqlClient extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs `fn` in one transaction on one connection; a throw rolls it back. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The `pg` module, loaded on first use so SQLite-only sites need not install it. */
export function loadPg(): typeof pg {
  const require = createRequire(import.meta.url);
  try {
    return require('pg') as typeof pg;
  } catch (cause) {
    throw MdError.invalidOptions(
      `the PostgreSQL registry needs the "pg" package: install it (${(cause as Error).message})`,
    );
  }
}

/**
 * Opens the registry's database through Kysely: PostgreSQL on a small `pg`
 * pool, or one SQLite file on `node:sqlite` (md's dialect: WAL, busy timeout).
 * SQLite transactions begin `IMMEDIATE`, so several processes on one file
 * take the write lock up front and wait for each other instead of failing.
 */
export function openSqlClient(location: { postgres: string } | { sqlite: string }, poolSize = 4): SqlClient {
  let dialect: Dialect;
  if ('postgres' in location) {
    const pool = new (loadPg().Pool)({ connectionString: location.postgres, max: poolSize });
    // An idle client that loses its server must not crash the process.
    pool.on('error', () => undefined);
    dialect = new PostgresDialect({ pool });
  } else {
    dialect = sqliteDialect(location.sqlite, { busyTimeoutMs: 10_000 });
  }
  const db = new Kysely<unknown>({ dialect });
  const kind = 'postgres' in location ? 'postgres' : 'sqlite';
  const on = (executor: Kysely<unknown>): SqlExecutor => ({
    query: async (statement) => (await statement.execute(executor)).rows as Row[],
  });
  return {
    dialect: kind,
    ...on(db),
    transaction: (fn) =>
      db.connection().execute(async (connection) => {
        await sql.raw(kind === 'sqlite' ? 'begin immediate' : 'begin').execute(connection);
        try {
          const result = await fn(on(connection));
          await sql.raw('commit').execute(connection);
          return result;
        } catch (error) {
          await sql
            .raw('rollback')
            .execute(connection)
            .catch(() => undefined);
          throw error;
        }
      }),
    close: () => db.destroy(),
  };
}
