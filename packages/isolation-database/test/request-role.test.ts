// database-per-domain on PostgreSQL: request connections never run as the admin that owns every
// domain's database (issue 13, item 2).
import { createSite, type Site } from '@md/core';
import type { MikroOrmStrategy } from '@md/mikro-orm';
import { injectPostgresUrl } from '@md/testing/postgres';
import { type ConformanceEntities, createConformanceEntities } from '@md/testing/strategy';
import type { EntityManager } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databasePerDomain } from '../src/index.js';

const withDatabase = (url: string, name: string) =>
  Object.assign(new URL(url), { pathname: `/${name}` }).toString();
const databaseOf = (domain: string) => `md_roles_${domain.replace(/[^a-z0-9]/g, '_')}`;

describe('database-per-domain on postgres: request roles', () => {
  let site: Site<EntityManager>;
  let isolation: MikroOrmStrategy;
  let e: ConformanceEntities;
  let admin: pg.Client;

  beforeAll(async () => {
    e = createConformanceEntities();
    isolation = databasePerDomain({
      driver: PostgreSqlDriver,
      url: injectPostgresUrl(),
      databaseName: databaseOf,
      entities: [e.Owner, e.Item, e.Tag, e.Plan],
      shared: [e.Plan],
    });
    site = await createSite<EntityManager>({ isolation, domains: [{ name: 'alpha' }, { name: 'beta' }] });
    await site.provision('alpha');
    await site.provision('beta');
    admin = new pg.Client({ connectionString: injectPostgresUrl() });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await site?.close();
  });

  const who = (domain: string) =>
    site.run(domain, async () => {
      const [row] = (await site.em
        .getConnection()
        .execute('select current_user as role, current_database() as db')) as Array<{
        role: string;
        db: string;
      }>;
      return row!;
    });

  it('request connections of database-per-domain run as the domain’s own role, which reaches only its database and owns nothing', async () => {
    const alpha = await who('alpha');
    expect(alpha).toEqual({ role: `${databaseOf('alpha')}_app`, db: databaseOf('alpha') });
    const { rows } = await admin.query(
      `select r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolbypassrls,
              has_database_privilege(r.rolname, $2, 'CONNECT') as own_connect,
              has_database_privilege(r.rolname, $2, 'TEMP') as own_temp,
              has_database_privilege(r.rolname, $2, 'CREATE') as own_create,
              has_database_privilege(r.rolname, $3, 'CONNECT') as other_connect,
              (select count(*)::int from pg_database d where d.datdba = r.oid) as owns
       from pg_roles r where r.rolname = $1`,
      [alpha.role, databaseOf('alpha'), databaseOf('beta')],
    );
    expect(rows[0]).toEqual({
      rolsuper: false,
      rolcreatedb: false,
      rolcreaterole: false,
      rolbypassrls: false,
      own_connect: true,
      own_temp: false,
      own_create: false,
      other_connect: false,
      owns: 0,
    });
    // The other domain has its own role; the admin is nobody's request role.
    expect((await who('beta')).role).toBe(`${databaseOf('beta')}_app`);
  });

  it('raw SQL of a domain’s request can drop neither another domain’s database nor its own tables', async () => {
    const drop = site.run('alpha', () =>
      site.em.getConnection().execute(`drop database "${databaseOf('beta')}"`),
    );
    await expect(drop).rejects.toThrow(/must be owner|permission denied/);
    const table = site.run('alpha', () => site.em.getConnection().execute('drop table md_item cascade'));
    await expect(table).rejects.toThrow(/must be owner|permission denied/);
    expect(await isolation.isProvisioned('beta')).toBe(true);
  });

  it('provisioning an existing domain again brings its request role back in line', async () => {
    // A domain provisioned before request roles existed: its role is missing.
    await site.domains.update('alpha', {}); // drops alpha's pool
    const inAlpha = new pg.Client({
      connectionString: withDatabase(injectPostgresUrl(), databaseOf('alpha')),
    });
    await inAlpha.connect();
    await inAlpha.query(`drop owned by "${databaseOf('alpha')}_app"`);
    await inAlpha.end();
    await admin.query(`revoke all on database "${databaseOf('alpha')}" from "${databaseOf('alpha')}_app"`);
    await admin.query(`drop role "${databaseOf('alpha')}_app"`);
    await expect(site.run('alpha', () => site.em.count(e.Item, {}))).rejects.toThrow(
      /password authentication failed|role .* does not exist/,
    );
    await site.domains.update('alpha', {});
    await site.provision('alpha');
    expect(await site.run('alpha', () => site.em.count(e.Item, {}))).toBe(0);
  });

  it('deprovisioning a domain drops its database and its request role', async () => {
    await site.deprovision('beta', { confirm: 'beta' });
    const { rows } = await admin.query('select count(*)::int as n from pg_roles where rolname = $1', [
      `${databaseOf('beta')}_app`,
    ]);
    expect(rows[0]!.n).toBe(0);
    expect(await isolation.isProvisioned('beta')).toBe(false);
  });
});
