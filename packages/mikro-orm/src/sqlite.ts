import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MdError } from '@md/core';
import { type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely';

/** How md opens one SQLite file. */
export interface SqliteFileOptions {
  /**
   * Create the file when it does not exist (provisioning). Request pools
   * open with `false`: a store that was removed stays removed instead of
   * coming back empty. Default true.
   */
  create?: boolean;
  /** `journal_mode = WAL`: readers do not block the writer (default true; `:memory:` ignores it). */
  wal?: boolean;
  /** How long a statement waits for another connection's write lock (ms, default 5 000). */
  busyTimeoutMs?: number;
}

/** What md needs of a synchronous SQLite binding (`node:sqlite`'s `DatabaseSync`, or a better-sqlite3 `Database`). */
export type SqliteDatabaseFactory = (location: string | URL, options: { create: boolean }) => SqliteDatabase;

interface NodeStatement {
  columns(): unknown[];
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  iterate(...params: unknown[]): IterableIterator<unknown>;
}
interface NodeDatabase {
  prepare(sql: string): NodeStatement;
  close(): void;
}

/**
 * Opens a file with the built-in `node:sqlite` (no native build). A
 * statement is a reader when it returns columns, which covers `RETURNING`
 * and pragmas without guessing from the SQL text.
 */
export const nodeSqlite: SqliteDatabaseFactory = (location) => {
  const { DatabaseSync } = process.getBuiltinModule('node:sqlite') as {
    DatabaseSync: new (location: string | URL) => NodeDatabase;
  };
  const db = new DatabaseSync(location);
  return {
    prepare(sql: string): SqliteStatement {
      const statement = db.prepare(sql);
      return {
        reader: statement.columns().length > 0,
        all: (params) => statement.all(...params),
        run: (params) => statement.run(...params),
        iterate: (params) => statement.iterate(...params),
      };
    },
    close: () => db.close(),
  };
};

/**
 * A Kysely dialect on one SQLite file for MikroORM's `driverOptions`: WAL,
 * a busy timeout, and — unless `create` — an open that fails on a missing
 * file (SQLite's `mode=rw`, decided by SQLite itself, so a store deleted
 * between a check and the open is never re-created empty).
 *
 * @example
 * template.open({ dbName: file, driverOptions: sqliteDialect(file, { create: false }) });
 */
export function sqliteDialect(
  file: string,
  options: SqliteFileOptions = {},
  open: SqliteDatabaseFactory = nodeSqlite,
): SqliteDialect {
  const create = options.create ?? true;
  const memory = file === ':memory:' || file === '';
  return new SqliteDialect({
    database: async () => {
      let db: SqliteDatabase;
      try {
        if (create && !memory) mkdirSync(dirname(file), { recursive: true });
        db = open(memory || create ? file : new URL(`${pathToFileURL(file).href}?mode=rw`), { create });
      } catch (cause) {
        throw MdError.storeUnavailable(file, cause);
      }
      const pragma = (sql: string) => db.prepare(sql).all([]);
      pragma(`pragma busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5_000))}`);
      if (!memory && (options.wal ?? true)) pragma('pragma journal_mode = wal');
      return db;
    },
  });
}
