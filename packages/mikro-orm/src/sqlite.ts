import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MdError, tryGetCurrentDomain } from '@md/core';
import { TransactionContext } from '@mikro-orm/core';
import { type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely';
import { wrapConnection } from './internals.js';

/** Marks the dialects md opens: one connection per file. */
const SINGLE_CONNECTION = Symbol('md.sqliteSingleConnection');

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
  const dialect = new SqliteDialect({
    database: async () => {
      let db: SqliteDatabase;
      try {
        if (create && !memory) mkdirSync(dirname(file), { recursive: true });
        db = open(memory || create ? file : new URL(`${pathToFileURL(file).href}?mode=rw`), { create });
      } catch (cause) {
        throw MdError.storeUnavailable(file, cause);
      }
      db = refuseAttach(db);
      const pragma = (sql: string) => db.prepare(sql).all([]);
      pragma(`pragma busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5_000))}`);
      if (!memory && (options.wal ?? true)) pragma('pragma journal_mode = wal');
      return db;
    },
  });
  return Object.assign(dialect, { [SINGLE_CONNECTION]: true });
}

/** SQL without its string literals, quoted identifiers and comments: what is left are keywords and names. */
function bareSql(sql: string): string {
  return sql.replace(
    /'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]|--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/g,
    ' ',
  );
}

/**
 * Refuses `ATTACH` (and `DETACH`): raw SQL of one store must never open
 * another store's file (database-per-domain keeps each domain in its own),
 * whatever binding opens the files. Checked on every statement prepared.
 */
function refuseAttach(db: SqliteDatabase): SqliteDatabase {
  const prepare = db.prepare.bind(db);
  return Object.assign(db, {
    prepare(sql: string) {
      if (/\b(?:attach|detach)\b/i.test(bareSql(sql)))
        throw MdError.foreignData(
          tryGetCurrentDomain()?.name ?? 'none',
          'another SQLite file (ATTACH is refused)',
        );
      return prepare(sql);
    },
  });
}

/** True for a dialect made by {@link sqliteDialect} (one connection for the whole store). */
export function isSingleConnection(driverOptions: unknown): boolean {
  return typeof driverOptions === 'object' && driverOptions !== null && SINGLE_CONNECTION in driverOptions;
}

/**
 * Makes a statement or transaction that would wait for the store's only
 * connection — held by a transaction the caller is itself running inside —
 * fail with `NESTED_TRANSACTION` instead of waiting forever: a nested
 * `site.run(other, …)` inside `em.transactional`, or the outer entity
 * manager used inside its own transaction. Work of other requests (another
 * async context) still waits its turn as before.
 */
export function refuseNestedUse(connection: object): void {
  const open = new Set<unknown>();
  const insideOpenTransaction = () => {
    if (open.size === 0) return false;
    const em = TransactionContext.currentTransactionContext()?.em;
    return em !== undefined && open.has(em.getTransactionContext());
  };
  wrapConnection(connection, ({ execute, begin, commit, rollback }) => ({
    execute: (...args) => {
      if (args[3] === undefined && insideOpenTransaction())
        throw MdError.nestedTransaction(tryGetCurrentDomain()?.name);
      return execute(...args);
    },
    begin: async (...args) => {
      const ctx = (args[0] as { ctx?: unknown } | undefined)?.ctx;
      if (ctx === undefined && insideOpenTransaction())
        throw MdError.nestedTransaction(tryGetCurrentDomain()?.name);
      const trx = await begin(...args);
      open.add(trx);
      return trx;
    },
    commit: async (...args) => {
      open.delete(args[0]);
      return commit(...args);
    },
    rollback: async (...args) => {
      open.delete(args[0]);
      return rollback(...args);
    },
  }));
}
