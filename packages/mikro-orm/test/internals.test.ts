// Every assumption `src/internals.ts` makes about MikroORM, checked against the
// installed version. When an upgrade changes one of them, this file fails
// first and names it, instead of a strategy silently losing a wall.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@md/testing';
import { type Collection, Configuration, EntitySchema } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import { type AbstractSqlDriver, QueryBuilder, type SqlEntityManager, SqliteDriver } from '@mikro-orm/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindDomain } from '../src/domain-guard.js';
import {
  beforeQueryBuilderFinalize,
  createOrmTemplate,
  domainBinding,
  MdEntityManager,
  migrateStore,
  migrationConfig,
  type OrmTemplate,
  openDomainEm,
  type StoreOrm,
  schemaDiff,
  sqliteDialect,
  wrapConnection,
} from '../src/index.js';
import {
  addPivotTenantProperty,
  beforeQueryBuilderExecute,
  createDriverView,
  driverViewOwner,
  entityManagerOf,
  type QueryBuilderState,
  realDriver,
} from '../src/internals.js';

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

  it('beforeQueryBuilderFinalize: the clone getCount() runs gets the hook too; state holds schema, cond by property, data by column, onConflict and joins', async () => {
    const em = store.em.fork() as SqlEntityManager;
    const states: QueryBuilderState[] = [];
    const hooked = () =>
      beforeQueryBuilderFinalize(em.createQueryBuilder(Thing), (builder, state) => {
        states.push(state);
        builder.andWhere({ name: 'two' });
      });
    expect(await hooked().getCount()).toBe(1);
    const [items, total] = await hooked().select('*').getResultAndCount();
    expect([items.map((t) => t.name), total]).toEqual([['two'], 1]);
    const where = em.createQueryBuilder(Thing).withSchema('main').where({ name: 'x' });
    where.getFormattedQuery();
    expect(where.state.schema).toBe('main');
    // Selects and counts key the condition by alias and property; updates and deletes by property.
    expect(where.state.cond).toEqual({ [`${where.alias}.name`]: 'x' });
    const update = em.createQueryBuilder(Thing).update({ name: 'y' }).where({ name: 'x' });
    update.getFormattedQuery();
    expect(update.state.cond).toEqual({ name: 'x' });
    const insert = em.createQueryBuilder(Thing).insert({ id: 9, name: 'nine' }).onConflict('id').merge();
    insert.getFormattedQuery();
    expect(insert.state.data).toMatchObject({ id: 9, name: 'nine' });
    expect(insert.state.onConflict).toHaveLength(1);
  });

  it('beforeQueryBuilderExecute: query builders run through execute(), nativeInsert included', async () => {
    const em = store.em.fork() as SqlEntityManager;
    const checks: string[] = [];
    const qb = beforeQueryBuilderExecute(
      em.createQueryBuilder(Thing).insert({ id: 5, name: 'five' }),
      async () => {
        checks.push('checked');
      },
    );
    await qb.execute();
    expect(checks).toEqual(['checked']);
    expect(await em.count(Thing, { id: 5 })).toBe(1);
    // A check with nothing to read answers undefined: the statement runs, the check once.
    let synchronous = 0;
    const plain = beforeQueryBuilderExecute(
      em.createQueryBuilder(Thing).insert({ id: 6, name: 'six' }),
      () => {
        synchronous++;
        return undefined;
      },
    );
    await plain.execute();
    expect(synchronous).toBe(1);
    expect(await em.count(Thing, { id: 6 })).toBe(1);
    // A check that throws rejects the statement, and runs again if the statement is run again.
    let refusals = 0;
    const refused = beforeQueryBuilderExecute(
      em.createQueryBuilder(Thing).insert({ id: 7, name: 'seven' }),
      () => {
        refusals++;
        throw new Error('refused');
      },
    );
    const first = refused.execute();
    expect(first).toBeInstanceOf(Promise);
    await expect(first).rejects.toThrow('refused');
    await expect(refused.execute()).rejects.toThrow('refused');
    expect(refusals).toBe(2);
    expect(await em.count(Thing, { id: 7 })).toBe(0);
  });

  it('the hooks give every query builder the same methods: no closure per builder, which kept its entity manager alive through young-generation GCs', async () => {
    const em = store.em.fork() as SqlEntityManager;
    type Hooked = { finalize: unknown; clone: unknown; execute: unknown };
    const hooked = [1, 2].map(
      (id) =>
        beforeQueryBuilderExecute(
          beforeQueryBuilderFinalize(em.createQueryBuilder(Thing).select('*'), (builder) => {
            builder.andWhere({ id });
          }),
          async () => {},
        ) as unknown as Hooked & { getResult(): Promise<Array<{ id: number }>> },
    );
    const [a, b] = hooked as unknown as [Hooked, Hooked];
    const plain = QueryBuilder.prototype as unknown as Hooked;
    for (const method of ['finalize', 'clone', 'execute'] as const) {
      expect(a[method]).toBe(b[method]);
      expect(a[method]).not.toBe(plain[method]);
    }
    // Each still runs its own hook.
    expect((await hooked[1]!.getResult()).map((t) => t.id)).toEqual([2]);
  });

  it('createDriverView: the unit of work, pivot tables, the entity loader and query builders of an entity manager all use its view', async () => {
    interface Owned {
      id: number;
      labels: Collection<Label>;
    }
    interface Label {
      id: number;
      tenant: string;
    }
    const Label = new EntitySchema<Label>({
      name: 'Label',
      properties: { id: { type: 'integer', primary: true }, tenant: { type: 'string', nullable: true } },
    });
    const Owned = new EntitySchema<Owned>({
      name: 'Owned',
      properties: {
        id: { type: 'integer', primary: true },
        labels: { kind: 'm:n', entity: () => Label, owner: true },
      },
    });
    const calls: Array<[string, string]> = [];
    const counting: Record<string, unknown> = {};
    for (const method of [
      'createQueryBuilder',
      'nativeInsertMany',
      'nativeUpdate',
      'nativeUpdateMany',
      'nativeDelete',
    ]) {
      counting[method] = function (this: AbstractSqlDriver, entityName: unknown, ...rest: unknown[]) {
        const owner = driverViewOwner<object>(this);
        calls.push([
          method,
          `${this.getMetadata().find(entityName as never)?.className}${owner === undefined ? '' : '@em'}`,
        ]);
        return (realDriver(this) as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!.call(
          this,
          entityName,
          ...rest,
        );
      };
    }
    const views = new WeakMap<object, AbstractSqlDriver>();
    class CountingEm extends MdEntityManager {
      override getDriver(): AbstractSqlDriver {
        let view = views.get(this);
        if (view === undefined) {
          view = createDriverView(this, this.driver as AbstractSqlDriver, counting);
          views.set(this, view);
        }
        return view;
      }
    }
    const own = createOrmTemplate({
      driver: SqliteDriver,
      entities: [Owned, Label],
      orm: { entityManager: CountingEm },
    });
    // addPivotTenantProperty: the generated pivot entity gets a copy of the owner's property.
    const metadata = own.orm.getMetadata();
    const pivot = [...metadata.getAll().values()].find((m) => m.pivotTable === true)!;
    metadata
      .getByClassName('Owned')
      .addProperty({ ...metadata.getByClassName('Label').properties.tenant, name: 'tenant' });
    expect(addPivotTenantProperty(metadata, 'tenant', new Set(['Owned', 'Label']))).toEqual([
      pivot.className,
    ]);
    expect(pivot.properties.tenant?.fieldNames).toEqual(['tenant']);
    const file = join(folder, 'views.sqlite');
    const views2 = own.open({ dbName: file, driverOptions: sqliteDialect(file) });
    await migrateStore(views2.em.fork(), 'views', {});
    expect(await schemaDiff(views2.em.fork())).toBe('');
    const em = views2.em.fork();
    expect(realDriver(em.getDriver())).toBe(views2.driver);
    expect(em.getDriver()).not.toBe(views2.driver);
    expect((em as unknown as { driver: unknown }).driver).toBe(em.getDriver());
    const label = em.create(Label, { id: 1, tenant: 'a' });
    const owned = em.create(Owned, { id: 1, labels: [label] });
    (owned as unknown as { tenant: string }).tenant = 'a';
    await em.flush();
    expect(calls).toContainEqual(['nativeInsertMany', `${pivot.className}@em`]);
    label.tenant = 'b';
    await em.flush();
    expect(calls.some(([m, e]) => m.startsWith('nativeUpdate') && e === 'Label@em')).toBe(true);
    const fresh = em.fork();
    const loaded = await fresh.findOneOrFail(Owned, 1, { populate: ['labels'] });
    expect(loaded.labels.getItems().map((l) => l.id)).toEqual([1]);
    expect(calls).toContainEqual(['createQueryBuilder', 'Owned@em']);
    expect((fresh.createQueryBuilder(Label) as unknown as { driver: unknown }).driver).toBe(
      fresh.getDriver(),
    );
    fresh.remove(loaded);
    await fresh.flush();
    expect(calls.some(([m, e]) => m === 'nativeDelete' && e === 'Owned@em')).toBe(true);
    // entityManagerOf: persist keeps the entity manager that loaded an entity, merge moves it.
    const other = em.fork();
    const seen = await em.fork().findOneOrFail(Label, 1);
    const loader = entityManagerOf(seen);
    other.persist(seen);
    expect(entityManagerOf(seen)).toBe(loader);
    other.merge(seen);
    expect(entityManagerOf(seen)).toBe(other);
    await views2.close();
    await own.close();
  });

  it('the domain binding lives in the entity manager: forks keep it, nothing outside md sees or sets it, and only an MdEntityManager is bound', () => {
    const em = openDomainEm(store, { domain: 'acme', root: false });
    expect(domainBinding(em)).toEqual({ domain: 'acme', root: false });
    const fork = em.fork();
    expect(domainBinding(fork)).toBe(domainBinding(em));
    // No own property (string or symbol) holds it: a private field, where a WeakMap was.
    const before = Reflect.ownKeys(store.em.fork());
    expect(Reflect.ownKeys(fork)).toEqual(before);
    // Re-binding (sharedEm's `sharedOnly`) replaces it on that entity manager only.
    bindDomain(fork, { domain: 'acme', root: false, sharedOnly: true });
    expect(domainBinding(fork)?.sharedOnly).toBe(true);
    expect(domainBinding(em)?.sharedOnly).toBeUndefined();
    // The store's own root entity manager, anything else, and nothing at all: unbound.
    expect(domainBinding(store.em)).toBeUndefined();
    expect(domainBinding({})).toBeUndefined();
    expect(domainBinding(undefined)).toBeUndefined();
    expect(() => bindDomain({}, { domain: 'acme', root: false })).toThrow(TypeError);
  });
});
