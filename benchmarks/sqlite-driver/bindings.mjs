// The SQLite bindings the sqlite-driver benchmark compares, in the shape md's
// `SqliteDatabaseFactory` takes (`(location, { create }) => SqliteDatabase`,
// Kysely's synchronous database interface), plus two wrappers: one that
// turns md's WAL pragma into another journal mode (the strategy has no
// journal option of its own), one that runs pragmas on open, and one that
// records the statements a request sends through the binding, so the raw
// loops replay exactly that SQL.
import { closeSync, openSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * md hands a factory a path, or — for request pools, which must never create
 * a missing file — a `file:` URL with `?mode=rw`. better-sqlite3 takes a
 * path and says "must exist" with `fileMustExist` instead.
 */
export function locationToPath(location) {
  if (typeof location === 'string') return location;
  if (location.protocol !== 'file:') throw new Error(`not a file URL: ${location.href}`);
  const mode = location.searchParams.get('mode');
  if (mode !== null && mode !== 'rw')
    throw new Error(`unexpected SQLite open mode "${mode}" in ${location.href}`);
  return fileURLToPath(location);
}

/**
 * A factory over better-sqlite3: its `Database` already has Kysely's shape
 * (`prepare(sql)` → a statement with `.reader`, `.all(params)`,
 * `.run(params)`, `.iterate(params)`; an array binds as positional
 * parameters), so the database is returned as it is.
 */
export function betterSqliteFactory(Database) {
  return (location, { create }) => new Database(locationToPath(location), { fileMustExist: !create });
}

/** md's own pragma (packages/mikro-orm/src/sqlite.ts); matched exactly so a change in md fails loudly. */
const MD_WAL_PRAGMA = /^\s*pragma\s+journal_mode\s*=\s*wal\s*$/i;

/**
 * Wraps a factory so md's `pragma journal_mode = wal` sets `mode` instead
 * (e.g. `delete`). `rewrites()` counts the pragmas replaced: a benchmark
 * that finds 0 after opening stores would be measuring WAL, and throws.
 */
export function withJournalMode(mode, open) {
  let rewrites = 0;
  const factory = (location, options) => {
    const db = open(location, options);
    return {
      prepare(sql) {
        if (!MD_WAL_PRAGMA.test(sql)) return db.prepare(sql);
        rewrites++;
        return db.prepare(`pragma journal_mode = ${mode}`);
      },
      close: () => db.close(),
    };
  };
  factory.rewrites = () => rewrites;
  return factory;
}

/** Wraps a factory so every database it opens first runs `pragmas` (before md's own). */
export function withOpenPragmas(pragmas, open) {
  return (location, options) => {
    const db = open(location, options);
    for (const pragma of pragmas) {
      const statement = db.prepare(pragma);
      if (statement.reader) statement.all([]);
      else statement.run([]);
    }
    return db;
  };
}

/** SQLite's `pragma synchronous` values. */
export const SYNCHRONOUS = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

/**
 * Wraps a factory so that, while `recording` is on, every statement that
 * runs through it is kept as `{ sql, params, reader }`.
 */
export function recordingFactory(open) {
  let log = null;
  const factory = (location, options) => {
    const db = open(location, options);
    return {
      prepare(sql) {
        const statement = db.prepare(sql);
        const kept = (method) => (params) => {
          log?.push({ sql, params: [...params], reader: statement.reader });
          return statement[method](params);
        };
        return { reader: statement.reader, all: kept('all'), run: kept('run'), iterate: kept('iterate') };
      },
      close: () => db.close(),
    };
  };
  factory.record = async (fn) => {
    log = [];
    try {
      await fn();
      return log;
    } finally {
      log = null;
    }
  };
  return factory;
}

/**
 * The journal mode a database file is in, from its header (bytes 18 and 19,
 * the file format write/read versions: 1 = rollback journal, 2 = WAL). WAL is
 * persistent, so this tells which mode the file was really used in.
 */
export function fileJournalKind(file) {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(20);
    readSync(fd, header, 0, 20, 0);
    if (header.toString('latin1', 0, 15) !== 'SQLite format 3')
      throw new Error(`${file}: not an SQLite database`);
    const [write, read] = [header[18], header[19]];
    if (write === 2 && read === 2) return 'wal';
    if (write === 1 && read === 1) return 'rollback';
    throw new Error(`${file}: unexpected format versions ${write}/${read}`);
  } finally {
    closeSync(fd);
  }
}
