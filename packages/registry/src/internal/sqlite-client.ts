import { createRequire } from 'node:module';
import { MdError } from '@md/core';
import type { Row, SqlClient, SqlExecutor } from './sql-client.js';

interface Sqlite3Database {
  all(sql: string, params: unknown[], cb: (err: Error | null, rows: Row[]) => void): void;
  exec(sql: string, cb: (err: Error | null) => void): void;
  close(cb: (err: Error | null) => void): void;
}

/**
 * One `sqlite3` connection. Transactions are serialised in-process (one
 * connection cannot interleave them) and use `BEGIN IMMEDIATE` so that
 * several processes on the same file take the write lock up front;
 * `busy_timeout` makes the others wait instead of failing.
 */
export async function openSqlite(file: string, source: string): Promise<SqlClient> {
  const require = createRequire(import.meta.url);
  let sqlite3: { Database: new (file: string, cb: (err: Error | null) => void) => Sqlite3Database };
  try {
    sqlite3 = require('sqlite3');
  } catch (cause) {
    throw MdError.invalidOptions(
      `the SQLite registry needs the "sqlite3" package: install it (${(cause as Error).message})`,
    );
  }
  const db = await new Promise<Sqlite3Database>((resolve, reject) => {
    const handle: Sqlite3Database = new sqlite3.Database(file, (err) =>
      err ? reject(MdError.storeUnavailable(source, err)) : resolve(handle),
    );
  });
  const all = (sql: string, params: readonly unknown[] = []) =>
    new Promise<Row[]>((resolve, reject) =>
      db.all(sql, params.map(toSqlite), (err, rows) => (err ? reject(err) : resolve(rows))),
    );
  const exec = (sql: string) =>
    new Promise<void>((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())));
  await exec('PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL;');
  let queue: Promise<unknown> = Promise.resolve();
  const executor: SqlExecutor = { query: all };
  return {
    dialect: 'sqlite',
    query: (sql, params) => {
      // Plain queries wait for a running transaction: they share its connection.
      const run = queue.then(() => all(sql, params));
      queue = run.catch(() => undefined);
      return run;
    },
    transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const run = queue.then(async () => {
        await exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(executor);
          await exec('COMMIT');
          return result;
        } catch (error) {
          await exec('ROLLBACK').catch(() => undefined);
          throw error;
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
    close: () => new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve()))),
  };
}

function toSqlite(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}
