import { request } from 'node:http';
import { adminApi } from '@md/admin';
import { createSite, type Site } from '@md/core';
import { databasePerDomain } from '@md/isolation-database';
import { schemaPerDomain } from '@md/isolation-schema';
import type { MikroOrmStrategy } from '@md/mikro-orm';
import { hostResolver } from '@md/resolvers';
import { tempDir } from '@md/testing';
import { injectPostgresUrl } from '@md/testing/postgres';
import { EntitySchema } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { SqliteDriver } from '@mikro-orm/sql';
import { afterAll, describe, expect, it } from 'vitest';
import { createDomainRegistry, type DomainRegistry, mountOnboarding } from '../src/index.js';
import { type AdapterName, serveSite } from './fixtures/http-server.js';
import { freshUrl } from './helpers.js';

interface User {
  id: number;
  email: string;
  role: string;
}
const User = new EntitySchema<User>({
  name: 'User',
  tableName: 'users',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    email: { type: 'string' },
    role: { type: 'string' },
  },
});

const TOKEN = 'test-admin-token-0123456789';
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function call(
  base: string,
  method: string,
  path: string,
  { body, host = '127.0.0.1', token = TOKEN }: { body?: unknown; host?: string; token?: string | null } = {},
  // biome-ignore lint/suspicious/noExplicitAny: the answers are JSON of many shapes, checked by the assertions
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) }),
      );
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

type Kind = 'sqlite database' | 'postgres database' | 'postgres schema';

/** Each kind runs through another md adapter, so the onboarding API is proven mounted by all three. */
const ADAPTER: Record<Kind, AdapterName> = {
  'sqlite database': 'express',
  'postgres database': 'koa',
  'postgres schema': 'fastify',
};

async function isolationFor(kind: Kind, registryUrl: string) {
  if (kind === 'sqlite database') {
    return databasePerDomain({
      driver: SqliteDriver,
      folder: tempDir('md-onboarding-'),
      entities: [User],
    });
  }
  if (kind === 'postgres schema')
    return schemaPerDomain({ driver: PostgreSqlDriver, url: registryUrl, entities: [User] });
  return databasePerDomain({
    driver: PostgreSqlDriver,
    url: injectPostgresUrl(),
    databaseName: (d) => `md_onb_${process.pid}_${d.replace(/-/g, '_')}`,
    entities: [User],
  });
}

async function setup(kind: Kind) {
  const registryUrl = await freshUrl(kind === 'sqlite database' ? 'sqlite' : 'postgres');
  const registry: DomainRegistry = await createDomainRegistry({ url: registryUrl });
  const isolation = await isolationFor(kind, registryUrl);
  const admin = adminApi({ token: TOKEN, prefix: '/_md', hosts: ['127.0.0.1'] });
  const site = (await createSite({
    domains: registry,
    resolvers: [hostResolver()],
    isolation,
    plugins: [admin],
  })) as Site<unknown>;
  const follower = mountOnboarding(admin, {
    site,
    registry,
    createFirstAdmin: async ({ domain, input }) => {
      const em = site.em as SqlEntityManager;
      const user = em.create(User, {
        email: (input as { email: string }).email,
        role: `admin of ${domain.name}`,
      });
      await em.flush();
      return { id: user.id, email: user.email };
    },
    checkHost: (host) => !host.startsWith('unproven.'),
  });
  const server = await serveSite(
    site,
    async () => {
      const em = site.em as SqlEntityManager;
      const users = await em.find(User, {});
      return { domain: site.currentDomain, users: users.map((u) => u.email) };
    },
    ADAPTER[kind],
  );
  cleanups.push(async () => {
    follower.stop();
    await server.close();
    await site.close();
    await registry.close();
  });
  return { site, registry, base: server.url };
}

describe.each(['sqlite database', 'postgres database', 'postgres schema'] as const)(
  'onboarding API over HTTP (%s per domain, through its adapter)',
  (kind) => {
    it('creates a domain that answers in time, manages hosts, suspends, resumes and deletes with confirmation', async () => {
      const { base, registry, site } = await setup(kind);

      expect((await call(base, 'POST', '/_md/domains', { body: { name: 'acme' }, token: null })).status).toBe(
        401,
      );
      expect((await call(base, 'POST', '/_md/domains', { body: { name: 'Bad!' } })).body.error.code).toBe(
        'INVALID_DOMAIN_NAME',
      );

      const started = performance.now();
      const created = await call(base, 'POST', '/_md/domains', {
        body: {
          name: 'clinic-42',
          displayName: 'Clinic 42',
          hosts: ['clinic42.test'],
          attributes: { plan: 'pro' },
          admin: { email: 'boss@clinic42.test' },
        },
      });
      const live = await call(base, 'GET', '/', { host: 'clinic42.test' });
      const ms = performance.now() - started;
      expect(created.status).toBe(201);
      expect(created.body.admin.email).toBe('boss@clinic42.test');
      expect(created.body.domain).toMatchObject({
        name: 'clinic-42',
        displayName: 'Clinic 42',
        status: 'active',
      });
      expect(live).toEqual({ status: 200, body: { domain: 'clinic-42', users: ['boss@clinic42.test'] } });
      expect(ms).toBeLessThan(kind === 'sqlite database' ? 1000 : 2000);
      console.info(`[${kind}] create → first answer: ${ms.toFixed(0)} ms`);

      // Creating it again conflicts and leaves the first one alone.
      expect((await call(base, 'POST', '/_md/domains', { body: { name: 'clinic-42' } })).status).toBe(409);

      // Hosts: added unverified (not served), verified (served), removed (gone).
      const added = await call(base, 'POST', '/_md/domains/clinic-42/hosts', {
        body: { host: 'www.clinic42.test' },
      });
      expect(added).toMatchObject({ status: 201, body: { host: 'www.clinic42.test', verified: false } });
      expect((await call(base, 'GET', '/', { host: 'www.clinic42.test' })).status).toBe(404);
      expect(
        (await call(base, 'POST', '/_md/domains/clinic-42/hosts/www.clinic42.test/verify')).body.verified,
      ).toBe(true);
      expect((await call(base, 'GET', '/', { host: 'www.clinic42.test' })).body.domain).toBe('clinic-42');
      await call(base, 'POST', '/_md/domains/clinic-42/hosts', { body: { host: 'unproven.clinic42.test' } });
      expect(
        (await call(base, 'POST', '/_md/domains/clinic-42/hosts/unproven.clinic42.test/verify')).status,
      ).toBe(400);
      expect((await call(base, 'DELETE', '/_md/domains/clinic-42/hosts/nobody.test')).body.error.code).toBe(
        'HOST_NOT_FOUND',
      );
      expect((await call(base, 'DELETE', '/_md/domains/clinic-42/hosts/www.clinic42.test')).status).toBe(204);
      expect((await call(base, 'GET', '/', { host: 'www.clinic42.test' })).status).toBe(404);

      // Suspend / resume.
      expect((await call(base, 'POST', '/_md/domains/clinic-42/suspend')).body.status).toBe('suspended');
      expect((await call(base, 'GET', '/', { host: 'clinic42.test' })).body.error.code).toBe(
        'DOMAIN_SUSPENDED',
      );
      expect((await call(base, 'POST', '/_md/domains/clinic-42/resume')).body.status).toBe('active');
      expect((await call(base, 'GET', '/', { host: 'clinic42.test' })).status).toBe(200);

      // Update.
      const patched = await call(base, 'PATCH', '/_md/domains/clinic-42', {
        body: { attributes: { plan: 'enterprise' }, features: ['reports'] },
      });
      expect(patched.body).toMatchObject({ attributes: { plan: 'enterprise' }, features: ['reports'] });
      expect(site.domains.get('clinic-42')?.hasFeature('reports')).toBe(true);
      expect((await call(base, 'GET', '/_md/domains/clinic-42')).body.displayName).toBe('Clinic 42');

      // Delete needs the confirmation, then destroys the data and forgets the domain.
      expect((await call(base, 'DELETE', '/_md/domains/clinic-42')).body.error.code).toBe(
        'CONFIRMATION_REQUIRED',
      );
      expect(site.domains.has('clinic-42')).toBe(true);
      expect((await call(base, 'DELETE', '/_md/domains/clinic-42?confirm=clinic-42')).status).toBe(204);
      expect((await call(base, 'GET', '/', { host: 'clinic42.test' })).status).toBe(404);
      expect(await registry.get('clinic-42')).toBeUndefined();
      expect(await (site.isolation as MikroOrmStrategy).isProvisioned('clinic-42')).toBe(false);
    });

    it('rolls a failed creation back completely', async () => {
      const { base, registry, site } = await setup(kind);
      // The first-admin hook throws on a missing email: nothing of the domain may stay.
      const failed = await call(base, 'POST', '/_md/domains', {
        body: { name: 'broken', hosts: ['broken.test'] },
      });
      expect(failed.status).toBe(500);
      expect(await registry.get('broken')).toBeUndefined();
      expect(site.domains.has('broken')).toBe(false);
      expect(await (site.isolation as MikroOrmStrategy).isProvisioned('broken')).toBe(false);
      expect((await call(base, 'GET', '/', { host: 'broken.test' })).status).toBe(404);
    });
  },
);
