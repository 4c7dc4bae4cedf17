// Every assumption `src/internals.ts` makes about MikroORM, checked against the
// installed version. When an upgrade changes one of them, this file fails
// first and names it, instead of a strategy silently losing a wall.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@md/testing';
import { Configuration, EntitySchema } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import { QueryBuilder, type SqlEntityManager, SqliteDriver } from '@mikro-orm/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  beforeQueryBuilderFinalize,
  createOrmTemplate,
  migrateStore,
  migrationConfig,
  type OrmTemplate,
  type StoreOrm,
  sqliteDialect,
  wrapConnection,
} from '../src/index.js';

interface Thing {
  id: number;
  name: string;
}
const Thing = new EntitySchema<Thing>({
  name: 'Thing',
  tableName: 'thing',
  properties: { id: { type: 'integer', primary: true }, name: { type: 'string' } },
});
class CreateThing extends Migration {
  override up(): void {
    this.addSql('create table thing (id integer not null primary key, name text not null)');
  }
}
const options = { migrations: [{ name: 'create-thing', class: CreateThing }] };

describe('MikroORM internals md relies on (fails loudly when an upgrade changes them)', () => {
  const folder = tempDir('md-internals-');
  let template: OrmTemplate;
  let store: StoreOrm;

  beforeAll(async () => {
    template = createOrmTemplate({ driver: SqliteDriver, entities: [Thing], orm: migrationConfig(options) });
    const file = join(folder, 'a.sqlite');
    store = template.open({ dbName: file, driverOptions: sqliteDialect(file) });
    // registerPlatformExtensions: the Migrator finds the schema generator on a store's configuration.
    expect(await migrateStore(store.em.fork(), 'a', options)).toEqual(['create-thing']);
  });

  afterAll(async () => {
    await store.close();
    await template.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('shareMetadataServices: Configuration hands out the comparator, hydrator and naming strategy, and stores share the template’s', () => {
    for (const method of ['getComparator', 'getHydrator', 'getNamingStrategy'] as const)
      expect(typeof Configuration.prototype[method]).toBe('function');
    const metadata = template.orm.getMetadata();
    expect(store.config.getComparator(metadata)).toBe(template.orm.config.getComparator(metadata));
    expect(store.config.getHydrator(metadata)).toBe(template.orm.config.getHydrator(metadata));
    // The driver and the entity manager take theirs from the configuration.
    expect(store.em.getComparator()).toBe(template.orm.em.getComparator());
    expect(store.em.fork().getHydrator()).toBe(template.orm.config.getHydrator(metadata));
  });

  it('beforeQueryBuilderFinalize: QueryBuilder#finalize runs once before SQL is rendered, after every where(), with state.type/data/finalized', async () => {
    expect(typeof (QueryBuilder.prototype as unknown as { finalize?: unknown }).finalize).toBe('function');
    const em = store.em.fork() as SqlEntityManager;
    await em.insert(Thing, { id: 1, name: 'one' });
    await em.insert(Thing, { id: 2, name: 'two' });
    const seen: Array<{ type: unknown; finalized: boolean }> = [];
    const qb = beforeQueryBuilderFinalize(em.createQueryBuilder(Thing).select('*'), (builder, state) => {
      seen.push({ type: state.type, finalized: state.finalized });
      builder.andWhere({ name: 'two' });
    });
    qb.where({ id: { $gt: 0 } }); // a where() after the hook was installed does not drop its condition
    expect(qb.getFormattedQuery()).toMatch(/`name` = 'two'/);
    expect((await qb.getResult()).map((t) => t.id)).toEqual([2]);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.finalized).toBe(false);
    expect(String(seen[0]!.type).toLowerCase()).toContain('select');
    let data: unknown;
    const insert = beforeQueryBuilderFinalize(
      em.createQueryBuilder(Thing).insert({ id: 3, name: 'three' }),
      (_b, state) => {
        data = state.data;
      },
    );
    await insert.execute();
    expect(data).toMatchObject({ name: 'three' });
  });

  it('wrapConnection: every entity-manager, query-builder and raw statement goes through execute; transactions through begin then commit or rollback', async () => {
    const calls: string[] = [];
    const file = join(folder, 'b.sqlite');
    const other = template.open({ dbName: file, driverOptions: sqliteDialect(file) });
    await migrateStore(other.em.fork(), 'b', options);
    const counted =
      (name: string, fn: (...args: unknown[]) => Promise<unknown>) =>
      (...args: unknown[]) => {
        calls.push(name);
        return fn(...args);
      };
    wrapConnection(other.driver.getConnection(), (original) => ({
      execute: counted('execute', original.execute),
      begin: counted('begin', original.begin),
      commit: counted('commit', original.commit),
      rollback: counted('rollback', original.rollback),
    }));
    const em = other.em.fork();
    const count = (what: string) => calls.filter((c) => c === what).length;
    await em.find(Thing, {});
    expect(count('execute')).toBe(1);
    em.create(Thing, { id: 1, name: 'x' });
    await em.flush();
    expect([count('begin'), count('commit')]).toEqual([1, 1]);
    await em.createQueryBuilder(Thing).select('*').execute();
    await em.getConnection().execute('select 1');
    expect(count('execute')).toBeGreaterThanOrEqual(4);
    await expect(
      em.transactional(async (trx) => {
        await trx.find(Thing, {});
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect([count('begin'), count('rollback')]).toEqual([2, 1]);
    await other.close();
  });
});
