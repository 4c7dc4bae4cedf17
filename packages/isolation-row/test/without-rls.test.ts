// rowLevel({ rls: false }) on PostgreSQL: the guard is the only wall (as on SQLite), the request
// role stays; the switch never takes row-level security away from a database that has it.
import { randomUUID } from 'node:crypto';
import { createSite, type Site } from '@md/core';
import { injectPostgresUrl, startPostgres } from '@md/testing/postgres';
import { createConformanceEntities } from '@md/testing/strategy';
import type { EntityManager } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowLevel } from '../src/index.js';

const DOMAINS = [{ name: 'alpha' }, { name: 'beta' }];

async function open(url: string, rls: boolean) {
  const e = createConformanceEntities();
  const isolation = rowLevel({
    driver: PostgreSqlDriver,
    url,
    entities: [e.Owner, e.Item, e.Tag, e.Plan],
    shared: [e.Plan],
    appRole: { name: 'md_norls_app', password: 'norls-secret' },
    poolSize: 1,
    rls,
  });
  const site = await createSite<EntityManager>({ isolation, domains: DOMAINS });
  return { e, isolation, site };
}

describe('row-level on postgres with rls: false', () => {
  let url: string;
  let site: Site<EntityManager> | undefined;

  beforeAll(async () => {
    const pg = await startPostgres({ url: injectPostgresUrl() });
    url = await pg.createDatabase('md_row_without_rls');
  });

  afterAll(async () => {
    await site?.close();
  });

  const raw = (domain: string, sql: string) =>
    site!.run(domain, () => site!.em.getConnection().execute(sql)) as Promise<Array<Record<string, unknown>>>;

  it('the ORM still sees only the current domain, requests run as the request role, and raw SQL reads every domain’s rows (no second wall)', async () => {
    const opened = await open(url, false);
    site = opened.site;
    expect(opened.isolation.capabilities.databaseEnforced).toBe(false);
    for (const { name } of DOMAINS) {
      await site.provision(name);
      await site.run(name, async () => {
        site!.em.create(opened.e.Item, { id: randomUUID(), name: `${name}-0`, tag: 'norls', qty: 1 });
        await site!.em.flush();
      });
    }
    const names = await site.run('alpha', () => site!.em.find(opened.e.Item, { tag: 'norls' }));
    expect(names.map((i) => i.name)).toEqual(['alpha-0']);
    const [who] = await raw(
      'alpha',
      'select current_user as role, current_setting($$md.domain$$, true) as setting',
    );
    expect(who).toEqual({ role: 'md_norls_app', setting: null });
    const all = await raw('alpha', `select name from md_item where tag = 'norls' order by name`);
    expect(all.map((r) => r.name)).toEqual(['alpha-0', 'beta-0']);
  });

  it('started again with row-level security, the same database gets its second wall; rls: false is then refused', async () => {
    await site!.close();
    const opened = await open(url, true);
    site = opened.site;
    expect(opened.isolation.capabilities.databaseEnforced).toBe(true);
    const own = await raw('alpha', `select name from md_item where tag = 'norls' order by name`);
    expect(own.map((r) => r.name)).toEqual(['alpha-0']);
    await site.close();
    site = undefined;
    await expect(open(url, false)).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });
});
