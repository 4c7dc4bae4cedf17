import { tempDir } from '@md/testing';
import { injectPostgresUrl } from '@md/testing/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdapterName, type RunningServer, startServer } from '../src/servers.js';
import { createStorefront, type Isolation, type Storefront } from '../src/site.js';
import { Visitor } from './client.js';

interface Combo {
  adapter: AdapterName;
  isolation: Isolation;
  database: 'sqlite' | 'postgres';
}

const adapters: AdapterName[] = ['express', 'fastify', 'koa'];
const storage: Array<Pick<Combo, 'isolation' | 'database'>> = [
  { isolation: 'database', database: 'sqlite' },
  { isolation: 'database', database: 'postgres' },
  { isolation: 'schema', database: 'postgres' },
  { isolation: 'row', database: 'sqlite' },
  { isolation: 'row', database: 'postgres' },
];
const combos: Combo[] = adapters.flatMap((adapter) => storage.map((s) => ({ adapter, ...s })));

let counter = 0;
const ADMIN_TOKEN = 'storefront-test-admin-token-42';

describe.each(combos)(
  'storefront on $adapter + $isolation ($database)',
  ({ adapter, isolation, database }) => {
    let storefront: Storefront;
    let server: RunningServer;

    beforeAll(async () => {
      counter++;
      const dataDir = tempDir('md-storefront-');
      let databaseUrl: string | undefined;
      if (database === 'postgres') {
        // A database of its own per combination, so runs never see each other's rows.
        const admin = new URL(injectPostgresUrl());
        const { default: pg } = await import('pg');
        const client = new pg.Client({ connectionString: admin.toString() });
        await client.connect();
        const name = `sf_${adapter}_${isolation}_${counter}_${process.pid}`;
        await client.query(`CREATE DATABASE ${name}`);
        await client.end();
        admin.pathname = `/${name}`;
        databaseUrl = admin.toString();
      }
      storefront = await createStorefront({
        isolation,
        dataDir,
        bcryptCost: 4,
        adminToken: ADMIN_TOKEN,
        ...(databaseUrl ? { databaseUrl } : {}),
      });
      server = await startServer(adapter, storefront.site, storefront.app);
    });

    afterAll(async () => {
      await server?.close();
      await storefront?.site.close();
    });

    it('serves each domain its own branding, preferences and products', async () => {
      const v = new Visitor(server.url);
      const acme = await v.get('acme.localhost', '/');
      expect(acme.status).toBe(200);
      expect(acme.headers['x-md-domain']).toBe('acme; via=host');
      expect(acme.text).toContain('Acme Outfitters');
      expect(acme.text).toContain('Anvil');
      expect(acme.text).not.toContain('Hammock');
      expect(acme.text).toContain('$49.99');
      const globex = await v.get('globex.localhost', '/');
      expect(globex.text).toContain('Globex Corporation');
      expect(globex.text).toContain('Hammock');
      expect(globex.text).not.toContain('Anvil');
      expect(globex.text).toContain('39,00\u00a0€');
      const initech = await v.get('localhost', '/stores/initech/api/products');
      expect(JSON.parse(initech.text)).toMatchObject({
        domain: 'initech',
        products: [{ name: 'Red Stapler' }, { name: 'TPS Cover Sheet' }],
      });
      const info = JSON.parse((await v.get('localhost', '/stores/initech/api/domain')).text);
      // initech sets its locale, and falls back to the root domain for its currency.
      expect(info.preferences).toEqual({ locale: 'fr-FR', currency: 'GBP' });
      const root = await v.get('localhost', '/');
      expect(root.text).toContain('3 isolated domains');
    });

    it('keeps users and sessions apart: the same name on two domains is two users', async () => {
      const browser = new Visitor(server.url);
      const up = await browser.post('acme.localhost', '/signup', {
        username: 'alice',
        password: 'acme-password',
      });
      expect(up.status).toBe(303);
      expect(up.cookies).toHaveLength(1);
      expect(up.cookies[0]).toMatch(/^sid=[0-9a-f]{64}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/);
      expect(up.cookies[0]).not.toMatch(/domain=/i);
      expect(JSON.parse((await browser.get('acme.localhost', '/api/me')).text).user.username).toBe('alice');
      // Same browser on globex: logged out there.
      expect(JSON.parse((await browser.get('globex.localhost', '/api/me')).text)).toEqual({
        domain: 'globex',
        user: null,
      });
      // acme's password does not open globex: alice does not exist there yet.
      expect(
        (await browser.post('globex.localhost', '/login', { username: 'alice', password: 'acme-password' }))
          .status,
      ).toBe(401);
      expect(
        (
          await browser.post('globex.localhost', '/signup', {
            username: 'alice',
            password: 'globex-password',
          })
        ).status,
      ).toBe(303);
      const acmeMe = JSON.parse((await browser.get('acme.localhost', '/api/me')).text);
      const globexMe = JSON.parse((await browser.get('globex.localhost', '/api/me')).text);
      expect(globexMe.user.username).toBe('alice');
      expect(globexMe.user.id).not.toBe(acmeMe.user.id);
      // Each password opens only its own domain.
      const other = new Visitor(server.url);
      expect(
        (await other.post('acme.localhost', '/login', { username: 'alice', password: 'globex-password' }))
          .status,
      ).toBe(401);
      expect(
        (await other.post('acme.localhost', '/login', { username: 'alice', password: 'acme-password' }))
          .status,
      ).toBe(303);
      // Replaying acme's session cookie on globex authenticates nobody.
      const sid = browser.cookies().find((c) => c.startsWith('acme.localhost'));
      expect(sid).toBe('acme.localhost / sid');
      expect((await browser.post('acme.localhost', '/logout', {})).status).toBe(303);
      expect(JSON.parse((await browser.get('acme.localhost', '/api/me')).text).user).toBeNull();
      expect(JSON.parse((await browser.get('globex.localhost', '/api/me')).text).user.username).toBe('alice');
    });

    it('scopes path-mode cookies to the store prefix and routes on the clean path', async () => {
      const v = new Visitor(server.url);
      const up = await v.post('localhost', '/stores/initech/signup', {
        username: 'alice',
        password: 'initech-password',
      });
      expect(up.status).toBe(303);
      expect(up.headers.location).toBe('/stores/initech/');
      expect(up.cookies[0]).toMatch(/; Path=\/stores\/initech;/);
      expect(JSON.parse((await v.get('localhost', '/stores/initech/api/me')).text).user.username).toBe(
        'alice',
      );
      // The root domain on the same host never receives initech's cookie.
      expect(v.cookies()).toEqual(['localhost /stores/initech sid']);
    });

    it('switches pages by feature flag, and orders land in their own domain only', async () => {
      const v = new Visitor(server.url);
      await v.post('acme.localhost', '/signup', { username: 'buyer', password: 'buyer-password' });
      const products = JSON.parse((await v.get('acme.localhost', '/api/products')).text).products;
      const anvil = products.find((p: { name: string }) => p.name === 'Anvil');
      expect((await v.post('acme.localhost', '/orders', { productId: anvil.id, qty: '3' })).status).toBe(303);
      const report = await v.get('acme.localhost', '/reports');
      expect(report.status).toBe(200);
      expect(report.text).toContain('<td>Anvil</td><td>3</td>');
      const globex = await v.get('globex.localhost', '/reports');
      expect(globex.status).toBe(403);
      expect(globex.text).toContain('FEATURE_DISABLED');
      // A product id of acme is refused on globex: it is not in globex's data.
      await v.post('globex.localhost', '/signup', { username: 'buyer', password: 'buyer-password' });
      expect((await v.post('globex.localhost', '/orders', { productId: anvil.id, qty: '1' })).status).toBe(
        400,
      );
    });

    it('answers unknown hosts and bad input with typed errors', async () => {
      const v = new Visitor(server.url);
      const unknown = await v.get('nobody.example.com', '/');
      expect([unknown.status, JSON.parse(unknown.text).error.code]).toEqual([404, 'DOMAIN_NOT_FOUND']);
      expect((await v.get('localhost', '/stores/nobody/')).status).toBe(404);
      const bad = await v.post('acme.localhost', '/signup', { username: 'x', password: 'short' });
      expect(bad.status).toBe(400);
      expect((await v.get('acme.localhost', '/logo.svg')).text).toContain('<svg');
    });

    it('reports each domain healthy (its database reachable) and counts requests per domain', async () => {
      const v = new Visitor(server.url);
      // Public: only ok / unavailable. The details (the data layer's answer) are behind the token.
      const health = await v.get('acme.localhost', '/health');
      expect(health.status).toBe(200);
      expect(JSON.parse(health.text)).toEqual({ status: 'ok' });
      expect((await v.get('localhost', '/_md/health/acme')).status).toBe(401);
      const details = await v.get('localhost', '/_md/health/acme', {
        authorization: `Bearer ${ADMIN_TOKEN}`,
      });
      expect(details.status).toBe(200);
      expect(JSON.parse(details.text)).toMatchObject({ ok: true, domains: { acme: { ok: true } } });
      expect((await v.get('localhost', '/_md/metrics')).status).toBe(401);
      const metrics = await v.get('localhost', '/_md/metrics', { authorization: `Bearer ${ADMIN_TOKEN}` });
      expect(metrics.status).toBe(200);
      expect(metrics.text).toMatch(/md_requests_total\{domain="acme",status="200"\} \d+/);
    });
  },
);
