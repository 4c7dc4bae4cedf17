// The second wall of row-level isolation on PostgreSQL: a domain setting raw SQL cannot forge,
// set once per connection checkout, a request role that can do nothing else (issue 13, items 3, 4, 17).
import { randomUUID } from 'node:crypto';
import { createSite, type Site } from '@md/core';
import type { MikroOrmStrategy } from '@md/mikro-orm';
import { injectPostgresUrl, startPostgres } from '@md/testing/postgres';
import { type ConformanceEntities, createConformanceEntities } from '@md/testing/strategy';
import type { EntityManager } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowLevel } from '../src/index.js';

type Trx = { execute(sql: string, params?: unknown[]): Promise<unknown[]> };
const FORGERIES: Array<(victim: string) => string[]> = [
  (v) => [`select set_config('md.domain', '${v}', false)`],
  (v) => [`select set_config('md.domain', '${v}', true)`],
  (v) => [`set md.domain = '${v}'`],
  (v) => [`set local md.domain = '${v}'`],
  (v) => [`select set_config('md.domain', '${v}.' || repeat('f', 64), false)`],
  (v) => [
    `select set_config('md.domain', '${v}' || substr(current_setting('md.domain'), position('.' in current_setting('md.domain'))), false)`,
  ],
  () => ['reset md.domain'],
  () => ['reset all'],
  () => [`set search_path = pg_catalog`],
];

describe('row-level on postgres: the signed domain setting', () => {
  let url: string;
  let site: Site<EntityManager>;
  let isolation: MikroOrmStrategy;
  let e: ConformanceEntities;

  beforeAll(async () => {
    url = await (await startPostgres({ url: injectPostgresUrl() })).createDatabase('md_row_security');
    e = createConformanceEntities();
    // One connection for every request: whatever one statement leaves on it, the next one gets.
    isolation = rowLevel({
      driver: PostgreSqlDriver,
      url,
      entities: [e.Owner, e.Item, e.Tag, e.Plan],
      shared: [e.Plan],
      poolSize: 1,
    });
    site = await createSite<EntityManager>({ isolation, domains: [{ name: 'alpha' }, { name: 'beta' }] });
    for (const name of ['alpha', 'beta']) {
      await site.provision(name);
      await site.run(name, async () => {
        for (let i = 0; i < 2; i++)
          site.em.create(e.Item, { id: randomUUID(), name: `${name}-${i}`, tag: 'rls', qty: i });
        await site.em.flush();
      });
    }
  });

  afterAll(async () => {
    await site?.close();
  });

  const rawNames = async (domain: string) =>
    site.run(domain, async () =>
      (
        (await site.em
          .getConnection()
          .execute(`select name from md_item where tag = 'rls' order by name`)) as Array<{ name: string }>
      ).map((r) => r.name),
    );

  it('a pool of one connection alternating two domains, each forging md.domain in raw SQL, never reads the other’s rows nor leaves a setting behind', async () => {
    for (let round = 0; round < 2 * FORGERIES.length; round++) {
      const domain = round % 2 === 0 ? 'alpha' : 'beta';
      const victim = domain === 'alpha' ? 'beta' : 'alpha';
      const forged = await site.run(domain, () =>
        (site.em as unknown as { transactional<T>(cb: (trx: Trx) => Promise<T>): Promise<T> }).transactional(
          async (trx) => {
            for (const sql of FORGERIES[round % FORGERIES.length]!(victim)) await trx.execute(sql);
            return (
              (await trx.execute(`select name from public.md_item where tag = 'rls'`)) as Array<{
                name: string;
              }>
            ).map((r) => r.name);
          },
        ),
      );
      // A forged, reset or foreign-signed setting verifies as no domain: no row at all, never the victim's.
      expect(forged.filter((name) => name.startsWith(victim))).toEqual([]);
      // Session-wide, outside any transaction: left on the one connection for whoever comes next.
      await site.run(domain, async () => {
        for (const sql of FORGERIES[round % FORGERIES.length]!(victim))
          if (!sql.startsWith('set local')) await site.em.getConnection().execute(sql);
      });
      // The next checkout of the one connection carries the right domain again, whatever was left on it.
      expect(await rawNames(victim)).toEqual([`${victim}-0`, `${victim}-1`]);
      expect(await rawNames(domain)).toEqual([`${domain}-0`, `${domain}-1`]);
    }
  });

  it('the setting is the domain with its signature; md_current_domain() answers the domain only when the signature verifies', async () => {
    const [own] = (await site.run('alpha', () =>
      site.em
        .getConnection()
        .execute(`select current_setting('md.domain') as token, public.md_current_domain() as domain`),
    )) as Array<{ token: string; domain: string }>;
    expect(own!.token).toMatch(/^alpha\.[0-9a-f]{64}$/);
    expect(own!.domain).toBe('alpha');
    const [outside] = (await isolation
      .sharedEm()
      .getConnection()
      .execute('select public.md_current_domain() as domain')) as Array<{
      domain: string | null;
    }>;
    expect(outside!.domain).toBeNull();
  });

  it('the request role cannot read the key, write a digest, replace the function, switch row security off, make temporary tables or see other sessions’ statements', async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const q = async (sql: string) => (await admin.query(sql)).rows[0] as Record<string, unknown>;
      expect(
        await q(
          `select rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, rolreplication from pg_roles where rolname = 'md_app'`,
        ),
      ).toEqual({
        rolsuper: false,
        rolcreatedb: false,
        rolcreaterole: false,
        rolbypassrls: false,
        rolreplication: false,
      });
      expect(
        await q(`select has_schema_privilege('md_app', 'md_rls', 'USAGE') as usage,
                  has_database_privilege('md_app', current_database(), 'TEMP') as temp,
                  has_database_privilege('md_app', current_database(), 'CREATE') as create_db,
                  has_schema_privilege('md_app', 'public', 'CREATE') as create_public`),
      ).toEqual({ usage: false, temp: false, create_db: false, create_public: false });
      // The verifier reads only digests: a STABLE PL/pgSQL function with the caller's rights (its plan kept per session), owned by the admin.
      expect(
        await q(`select prosecdef, provolatile, pg_get_userbyid(proowner) <> 'md_app' as not_owned, l.lanname
                 from pg_proc p join pg_language l on l.oid = p.prolang where proname = 'md_current_domain'`),
      ).toEqual({ prosecdef: false, provolatile: 's', not_owned: true, lanname: 'plpgsql' });
      // The digests may be read, never written: a request cannot register a setting of its own.
      expect(
        await q(`select has_table_privilege('md_app', 'public.md_domain_key', 'SELECT') as read,
                  has_table_privilege('md_app', 'public.md_domain_key', 'INSERT, UPDATE, DELETE, TRUNCATE') as write,
                  has_table_privilege('md_app', 'md_rls.signing_key', 'SELECT') as key`),
      ).toEqual({ read: true, write: false, key: false });
      // Every scoped table, the generated pivot table included, forces row-level security with md's policy.
      const tables = (
        await admin.query(`select c.relname, c.relforcerowsecurity, count(p.policyname)::int as policies
          from pg_class c left join pg_policies p on p.tablename = c.relname and p.policyname = 'md_tenant'
          where c.relname in ('md_item', 'md_owner', 'md_tag', 'md_item_tags') group by 1, 2 order by 1`)
      ).rows;
      expect(tables).toEqual(
        ['md_item', 'md_item_tags', 'md_owner', 'md_tag'].map((relname) => ({
          relname,
          relforcerowsecurity: true,
          policies: 1,
        })),
      );
    } finally {
      await admin.end();
    }
    const [tracking] = (await site.run('alpha', () =>
      site.em.getConnection().execute(`select current_setting('track_activities') as value`),
    )) as Array<{ value: string }>;
    expect(tracking!.value).toBe('off');
  });

  it('row-level on postgres without an appRole survives a restart: a second site on the same database connects and reads', async () => {
    await site.close();
    const again = createConformanceEntities();
    isolation = rowLevel({
      driver: PostgreSqlDriver,
      url,
      entities: [again.Owner, again.Item, again.Tag, again.Plan],
      shared: [again.Plan],
    });
    site = await createSite<EntityManager>({ isolation, domains: [{ name: 'alpha' }, { name: 'beta' }] });
    e = again;
    expect(await isolation.isProvisioned('alpha')).toBe(true);
    expect(await site.run('alpha', () => site.em.count(e.Item, { tag: 'rls' }))).toBe(2);
    expect(await rawNames('beta')).toEqual(['beta-0', 'beta-1']);
  });
});
