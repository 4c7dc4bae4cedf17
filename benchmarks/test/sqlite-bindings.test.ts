import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { nodeSqlite, type SqliteDatabaseFactory, sqliteDialect } from '@md/mikro-orm';
import { EntitySchema, MikroORM } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sql';
import { afterAll, describe, expect, it } from 'vitest';
import {
  betterSqliteFactory,
  fileJournalKind,
  locationToPath,
  recordingFactory,
  withJournalMode,
  withOpenPragmas,
} from '../sqlite-driver/bindings.mjs';

// The sqlite-driver benchmark's wrappers must do what its variant names say:
// if md changed the pragmas it runs on open, the DELETE variant would
// silently measure WAL. These run md's real dialect on real files.
const dir = mkdtempSync(join(tmpdir(), 'md-bench-bindings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const Item = () =>
  new EntitySchema({
    name: 'Item',
    tableName: 'item',
    properties: { id: { type: 'integer', primary: true, autoincrement: true }, name: { type: 'string' } },
  });

async function open(file: string, factory: SqliteDatabaseFactory | undefined) {
  const entity = Item();
  const orm = await MikroORM.init({
    driver: SqliteDriver,
    dbName: file,
    driverOptions: sqliteDialect(file, {}, factory),
    entities: [entity],
  });
  await orm.schema.create();
  const pragma = async (name: string) =>
    Object.values((await orm.em.fork().getConnection().execute(`pragma ${name}`))[0])[0];
  return { orm, entity, pragma };
}

describe('sqlite-driver benchmark bindings', () => {
  it('md opens files in WAL by default; withJournalMode("delete") turns exactly that pragma into DELETE', async () => {
    const walFile = join(dir, 'wal.sqlite');
    const wal = await open(walFile, undefined);
    expect(await wal.pragma('journal_mode')).toBe('wal');
    await wal.orm.close(true);
    expect(fileJournalKind(walFile)).toBe('wal');

    const factory = withJournalMode('delete', nodeSqlite);
    const deleteFile = join(dir, 'delete.sqlite');
    const del = await open(deleteFile, factory);
    expect(await del.pragma('journal_mode')).toBe('delete');
    expect(factory.rewrites()).toBeGreaterThan(0);
    await del.orm.close(true);
    expect(fileJournalKind(deleteFile)).toBe('rollback');
  });

  it('withOpenPragmas runs its pragmas on every database md opens', async () => {
    const s = await open(
      join(dir, 'normal.sqlite'),
      withOpenPragmas(['pragma synchronous = normal'], nodeSqlite),
    );
    expect(await s.pragma('synchronous')).toBe(1);
    await s.orm.close(true);
  });

  it('recordingFactory keeps the statements of a unit of work, and only while recording', async () => {
    const factory = recordingFactory(nodeSqlite);
    const s = await open(join(dir, 'record.sqlite'), factory);
    const log = await factory.record(async () => {
      const em = s.orm.em.fork();
      em.create(s.entity, { name: 'a' });
      await em.flush();
      await em.find(s.entity, {});
    });
    const sql = log.map((l: { sql: string }) => l.sql.toLowerCase());
    expect(sql.some((q: string) => q.startsWith('insert into'))).toBe(true);
    expect(sql.some((q: string) => q.startsWith('select'))).toBe(true);
    expect(log.find((l: { sql: string }) => l.sql.startsWith('select'))).toMatchObject({ reader: true });
    await s.orm.em.fork().find(s.entity, {});
    expect(log.length).toBe(sql.length);
    await s.orm.close(true);
  });

  it("better-sqlite3's factory gets a path, and must-exist unless md creates the file", () => {
    const opened: Array<{ path: string; options: unknown }> = [];
    class FakeDatabase {
      constructor(path: string, options: unknown) {
        opened.push({ path, options });
      }
    }
    const factory = betterSqliteFactory(FakeDatabase);
    const file = join(dir, 'x.sqlite');
    factory(file, { create: true });
    factory(new URL(`${pathToFileURL(file).href}?mode=rw`), { create: false });
    expect(opened).toEqual([
      { path: file, options: { fileMustExist: false } },
      { path: file, options: { fileMustExist: true } },
    ]);
    expect(locationToPath(':memory:')).toBe(':memory:');
    expect(() => locationToPath(new URL(`${pathToFileURL(file).href}?mode=ro`))).toThrow(/mode "ro"/);
  });
});
