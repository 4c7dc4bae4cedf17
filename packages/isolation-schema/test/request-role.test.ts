// schema-per-domain on PostgreSQL: requests connect as a plain role that owns nothing, and its
// sessions cannot read each other's statements (issue 13: the class of item 2 on the shared pool).
import { createSite, type SitePlugin } from '@md/core';
import { injectPostgresUrl, startPostgres } from '@md/testing/postgres';
import { createConformanceEntities } from '@md/testing/strategy';
import type { EntityManager } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { schemaPerDomain } from '../src/index.js';

/** A plugin that records what the site reports as `site:error`, from before the strategy starts. */
function reports(into: string[]): SitePlugin {
  return {
    name: 'reports',
    setup: (site) => void site.events.on('site:error', ({ error }) => into.push(String(error))),
  };
}

async function open(url: string, reported: string[]) {
  const e = createConformanceEntities();
  const isolation = schemaPerDomain({
    driver: PostgreSqlDriver,
    url,
    entities: [e.Owner, e.Item, e.Tag, e.Plan],
    shared: [e.Plan],
  });
  const site = await createSite<EntityManager>({
    isolation,
    plugins: [reports(reported)],
    domains: [{ name: 'alpha' }],
  });
  await site.provision('alpha');
  return { site, e };
}

describe('schema-per-domain on postgres: the request role', () => {
  it('requests run as a plain role that owns nothing, and its sessions’ statements are hidden from pg_stat_activity', async () => {
    const url = await (await startPostgres({ url: injectPostgresUrl() })).createDatabase('md_schema_role');
    const reported: string[] = [];
    const { site, e } = await open(url, reported);
    try {
      const [row] = (await site.run('alpha', () =>
        site.em.getConnection().execute(
          `select current_user as role, current_setting('track_activities') as tracking,
                    (select rolsuper or rolcreaterole or rolcreatedb from pg_roles where rolname = current_user) as powerful,
                    (select count(*)::int from pg_namespace where pg_get_userbyid(nspowner) = current_user) as owns`,
        ),
      )) as Array<{ role: string; tracking: string; powerful: boolean; owns: number }>;
      expect(row).toEqual({ role: 'md_schema_role_app', tracking: 'off', powerful: false, owns: 0 });
      expect(reported).toEqual([]);
      expect(await site.run('alpha', () => site.em.count(e.Item, {}))).toBe(0);
    } finally {
      await site.close();
    }
  });

  it('an admin that may not hide the request role’s statements starts the site and reports it as site:error', async () => {
    const server = await startPostgres({ url: injectPostgresUrl() });
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    try {
      await admin.query(`drop database if exists md_schema_owner with (force)`);
      await admin.query(`drop role if exists md_schema_app_owner`);
      await admin.query(`drop role if exists md_schema_owner_app`);
      await admin.query(`create role md_schema_app_owner login password 'owner-secret' createrole`);
      await admin.query(`create database md_schema_owner owner md_schema_app_owner`);
    } finally {
      await admin.end();
    }
    const url = new URL(server.url);
    url.username = 'md_schema_app_owner';
    url.password = 'owner-secret';
    url.pathname = '/md_schema_owner';
    const reported: string[] = [];
    const { site, e } = await open(url.toString(), reported);
    try {
      expect(reported).toHaveLength(1);
      expect(reported[0]).toMatch(/track_activities/);
      expect(await site.run('alpha', () => site.em.count(e.Item, {}))).toBe(0);
    } finally {
      await site.close();
    }
  });
});
