import { join } from 'node:path';
import { createSite, type Site } from '@md/core';
import type { MikroOrmStrategy } from '@md/mikro-orm';
import { tempDir } from '@md/testing';
import { injectPostgresUrl, startPostgres } from '@md/testing/postgres';
import { type ConformanceEntities, createConformanceEntities, rawTable } from '@md/testing/strategy';
import type { EntityManager } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SqliteDriver } from '@mikro-orm/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowLevel } from '../src/index.js';

const folder = tempDir('md-row-walls-');

for (const database of ['sqlite', 'postgres'] as const) {
  describe(`row-level on ${database}: the walls behind the filter`, () => {
    let site: Site<EntityManager>;
    let e: ConformanceEntities;
    let isolation: MikroOrmStrategy;
    const postgres = database === 'postgres';

    beforeAll(async () => {
      e = createConformanceEntities();
      const entities = { entities: [e.Owner, e.Item, e.Tag, e.Plan], shared: [e.Plan] };
      isolation = postgres
        ? rowLevel({
            driver: PostgreSqlDriver,
            url: await (await startPostgres({ url: injectPostgresUrl() })).createDatabase('md_row_walls'),
            appRole: { name: 'md_row_walls_app', password: 'app-secret' },
            ...entities,
          })
        : rowLevel({ driver: SqliteDriver, dbName: join(folder, 'walls.sqlite'), ...entities });
      site = await createSite<EntityManager>({ isolation, domains: [{ name: 'alpha' }, { name: 'beta' }] });
      for (const name of ['alpha', 'beta']) {
        await site.provision(name);
        await site.run(name, async () => {
          for (let i = 0; i < 2; i++)
            site.em.create(e.Item, { id: `${name}-${i}`, name, tag: 'walls', qty: i });
          await site.em.flush();
        });
      }
    });

    afterAll(async () => {
      await site?.close();
    });

    const names = (rows: Array<{ name: string }>) => rows.map((r) => r.name).sort();

    it('em.find with { filters: false } still sees only the current domain: the guard scopes every query builder, and PostgreSQL adds RLS', async () => {
      const rows = await site.run('alpha', () => site.em.find(e.Item, { tag: 'walls' }, { filters: false }));
      expect(names(rows)).toEqual(['alpha', 'alpha']);
      const counted = await site.run('beta', () =>
        site.em.count(e.Item, { tag: 'walls' }, { filters: { md_tenant: false } }),
      );
      expect(counted).toBe(2);
    });

    it('raw SQL without a WHERE on the domain: RLS scopes reads and writes on PostgreSQL, nothing does on SQLite', async () => {
      const raw = (domain: string, sql: string) =>
        site.run(domain, () =>
          site.em.getConnection().execute(sql.replace('$item', rawTable(site.em, 'Item')), [], 'all'),
        );
      const seen = (await raw('alpha', "select name from $item where tag = 'walls'")) as Array<{
        name: string;
      }>;
      expect(names(seen)).toEqual(postgres ? ['alpha', 'alpha'] : ['alpha', 'alpha', 'beta', 'beta']);
      if (!postgres) return; // A raw write on SQLite would hit every domain: never do it.
      await raw('alpha', "update $item set qty = 42 where tag = 'walls'");
      await raw('alpha', "delete from $item where tag = 'walls' and qty = 0");
      const beta = await site.run('beta', () =>
        site.em.find(e.Item, { tag: 'walls' }, { orderBy: { id: 'asc' } }),
      );
      expect(beta.map((i) => [i.id, i.qty])).toEqual([
        ['beta-0', 0],
        ['beta-1', 1],
      ]);
      // Outside any domain the setting is empty: the policies match no row.
      const none = (await isolation
        .sharedEm()
        .getConnection()
        .execute(`select count(*)::int as n from md_item`)) as Array<{
        n: number;
      }>;
      expect(none[0]!.n).toBe(0);
    });

    it('an entity manager keeps its own domain: forks, cleared or forged filter parameters change nothing', async () => {
      const em = site.run('alpha', () => site.em);
      // A fork keeps the domain it came from, even used outside site.run…
      expect(names(await em.fork().find(e.Item, { tag: 'walls', qty: 1 }))).toEqual(
        postgres ? [] : ['alpha'], // …and on PostgreSQL the database adds no domain outside site.run: nothing.
      );
      const forged = site.run('alpha', () => site.em.fork());
      forged.setFilterParams('md_tenant', { domain: 'beta' });
      expect(names(await site.run('alpha', () => forged.find(e.Item, { tag: 'walls' })))).toEqual([
        'alpha',
        'alpha',
      ]);
      forged.setFilterParams('md_tenant', {});
      expect(await site.run('alpha', () => forged.count(e.Item, { tag: 'walls' }))).toBe(2);
      expect(await site.run('alpha', () => forged.nativeDelete(e.Item, { id: 'beta-0' }))).toBe(0);
      expect(await site.run('beta', () => site.em.count(e.Item, { tag: 'walls' }))).toBe(2);
    });
  });
}
