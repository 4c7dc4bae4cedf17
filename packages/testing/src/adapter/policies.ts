import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientResponse, send } from './http-client.js';
import { createPolicyFixture, POLICY_ADMIN_TOKEN, type PolicyFixture } from './policy-fixture.js';
import type { AdapterHarness, RunningApp } from './types.js';

function error(res: ClientResponse): { status: number; code: unknown } {
  return { status: res.status, code: (res.body as { error?: { code?: unknown } })?.error?.code };
}

/**
 * The domain-policy part of the adapter conformance suite: status,
 * feature guard, branding, scoped cache and files, per-domain rate limit,
 * cross-domain guard, logs, metrics and health, all over real HTTP through
 * the adapter under test. Called by {@link describeAdapterConformance}.
 *
 * @example
 * describePolicyConformance(harness);
 */
export function describePolicyConformance(harness: AdapterHarness): void {
  describe(`domain policies through ${harness.name}`, () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    let fixture: PolicyFixture;
    let app: RunningApp;
    const get = (host: string, path: string, headers: Record<string, string> = {}) =>
      send(app.url, { host, path, headers, agent });
    const adminGet = (path: string, token = POLICY_ADMIN_TOKEN) =>
      get('platform.example', path, { authorization: `Bearer ${token}` });

    beforeAll(async () => {
      fixture = await createPolicyFixture();
      app = await harness.start(fixture.site, fixture.routes, {});
    });

    afterAll(async () => {
      agent.destroy();
      await app?.close();
      await fixture?.site.close();
    });

    it('status: suspended and disabled answer 403 with a clear body, the allow-list keeps working, changes apply on the next request', async () => {
      const suspended = await get('paused.example', '/ping');
      expect(error(suspended)).toEqual({ status: 403, code: 'DOMAIN_SUSPENDED' });
      expect((suspended.body as { error: { message: string } }).error.message).toMatch(/suspended/);
      expect((await get('paused.example', '/billing/pay')).body).toEqual({ domain: 'paused', billing: true });
      expect((await get('paused.example', '/health')).status).toBe(200);
      await fixture.site.domains.update('paused', { status: 'active' });
      expect((await get('paused.example', '/ping')).body).toEqual({ domain: 'paused' });
      await fixture.site.domains.update('paused', { status: 'disabled' });
      expect(error(await get('paused.example', '/ping'))).toEqual({ status: 403, code: 'DOMAIN_DISABLED' });
      await fixture.site.domains.update('paused', { status: 'suspended' });
      expect(error(await get('unknown.example', '/ping'))).toEqual({ status: 404, code: 'DOMAIN_NOT_FOUND' });
    });

    it('feature guard: a route whose feature the domain lacks answers 403 FEATURE_DISABLED', async () => {
      expect(await get('acme.example', '/reports')).toMatchObject({
        status: 200,
        body: { domain: 'acme', report: 'ok' },
      });
      const refused = await get('globex.example', '/reports');
      expect(error(refused)).toEqual({ status: 403, code: 'FEATURE_DISABLED' });
      expect((refused.body as { error: { message: string } }).error.message).toContain('"reports"');
    });

    it('branding: each domain answers its own name, colours and logo as JSON', async () => {
      expect((await get('acme.example', '/branding')).body).toMatchObject({
        name: 'acme',
        branding: { name: 'Acme', primaryColor: '#c0392b', logoUrl: '/logo/acme.svg' },
      });
      expect((await get('globex.example', '/branding')).body).toMatchObject({
        name: 'globex',
        branding: { name: 'Globex', primaryColor: '#15803d' },
      });
    });

    it('scoped cache: the same key holds each domain’s own value', async () => {
      await get('acme.example', '/cache/put?value=from-acme');
      expect((await get('globex.example', '/cache/get')).body).toEqual({ value: null });
      await get('globex.example', '/cache/put?value=from-globex');
      expect((await get('acme.example', '/cache/get')).body).toEqual({ value: 'from-acme' });
      expect((await get('globex.example', '/cache/get')).body).toEqual({ value: 'from-globex' });
    });

    it('scoped files: each domain reads its own root, and an escape is 400 PATH_ESCAPE', async () => {
      expect((await get('acme.example', '/files?path=hello.txt')).body).toBe('hello from acme');
      expect((await get('globex.example', '/files?path=hello.txt')).body).toBe('hello from globex');
      for (const path of ['../globex/hello.txt', '%2Fetc%2Fpasswd', '..%2F..%2Fetc%2Fpasswd']) {
        expect(error(await get('acme.example', `/files?path=${path}`))).toEqual({
          status: 400,
          code: 'PATH_ESCAPE',
        });
      }
    });

    it('rate limit: a noisy domain gets 429 with Retry-After while another keeps full throughput', async () => {
      const [noisy, quiet] = await Promise.all([
        Promise.all(Array.from({ length: 40 }, () => get('noisy.example', '/ping'))),
        Promise.all(Array.from({ length: 200 }, () => get('quiet.example', '/ping'))),
      ]);
      const served = noisy.filter((r) => r.status === 200).length;
      const limited = noisy.filter((r) => r.status === 429);
      // A budget of 5 in each 5 s window; at most two more should a window end while the requests run.
      expect(served).toBeGreaterThanOrEqual(5);
      expect(served).toBeLessThanOrEqual(7);
      expect(limited.length).toBe(40 - served);
      for (const r of limited) {
        expect(error(r)).toEqual({ status: 429, code: 'RATE_LIMITED' });
        expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
      expect(quiet.map((r) => r.status)).toEqual(Array(200).fill(200));
    });

    it('cross-domain guard: a session of another domain is refused with 403 and a security event', async () => {
      expect((await get('acme.example', '/session?domain=acme&user=alice')).body).toBe('same domain');
      expect(error(await get('acme.example', '/session?domain=globex&user=bob'))).toEqual({
        status: 403,
        code: 'CROSS_DOMAIN_ACCESS',
      });
      expect(fixture.security.at(-1)).toEqual({
        userDomain: 'globex',
        requestDomain: 'acme',
        user: 'bob',
        path: '/session',
      });
      expect(fixture.logs.filter((l) => l.audit === 'cross-domain').at(-1)).toMatchObject({
        level: 'warn',
        userDomain: 'globex',
        requestDomain: 'acme',
        user: 'bob',
      });
    });

    it('logs: every line written inside a request names its domain', async () => {
      await Promise.all([
        get('acme.example', '/log'),
        get('globex.example', '/log'),
        get('acme.example', '/log'),
      ]);
      const lines = fixture.logs.filter((l) => l.marker === 'policy-suite');
      expect(lines.map((l) => l.domain).sort()).toEqual(['acme', 'acme', 'globex']);
    });

    it('metrics: per-domain counters and latency histograms in Prometheus text, behind the admin token', async () => {
      await get('acme.example', '/ping');
      await get('nobody.example', '/ping');
      expect(error(await adminGet('/_md/metrics', 'wrong-token'))).toEqual({
        status: 401,
        code: 'UNAUTHORIZED',
      });
      expect(error(await get('platform.example', '/_md/metrics'))).toEqual({
        status: 401,
        code: 'UNAUTHORIZED',
      });
      const metrics = await adminGet('/_md/metrics');
      expect(metrics.status).toBe(200);
      expect(String(metrics.headers['content-type'])).toMatch(/^text\/plain/);
      const text = String(metrics.body);
      expect(text).toMatch(/md_requests_total\{domain="acme",status="200"\} \d+/);
      expect(text).toMatch(/md_request_duration_seconds_count\{domain="acme"\} \d+/);
      expect(text).toMatch(
        /md_requests_total\{domain="noisy",status="429"\} \d+|md_requests_rejected_total\{code="RATE_LIMITED"\} \d+/,
      );
      expect(text).toMatch(/md_requests_rejected_total\{code="DOMAIN_NOT_FOUND"\} \d+/);
      expect(error(await adminGet('/_md/nothing-here'))).toEqual({ status: 404, code: 'ROUTE_NOT_FOUND' });
    });

    it('health: for the site and per domain through the admin API, and on each domain’s own host', async () => {
      const all = await adminGet('/_md/health');
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ ok: true, domains: { acme: { ok: true }, globex: { ok: true } } });
      expect((await adminGet('/_md/health/globex')).body).toMatchObject({
        ok: true,
        domains: { globex: { ok: true } },
      });
      expect(error(await adminGet('/_md/health/nobody'))).toEqual({ status: 404, code: 'DOMAIN_NOT_FOUND' });
      const own = await get('acme.example', '/health');
      expect({ status: own.status, body: own.body }).toEqual({ status: 200, body: { status: 'ok' } });
    });

    it('admin API bodies: 413 PAYLOAD_TOO_LARGE over 1 MiB, 400 INVALID_REQUEST when not JSON, only read with the token', async () => {
      const post = (body: string, token = POLICY_ADMIN_TOKEN) =>
        send(app.url, {
          host: 'platform.example',
          path: '/_md/domains',
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
          agent,
        });
      const large = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 16) });
      expect(error(await post(large))).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      expect(error(await post('{"name":'))).toEqual({ status: 400, code: 'INVALID_REQUEST' });
      expect(error(await post(large, 'wrong-token'))).toEqual({ status: 401, code: 'UNAUTHORIZED' });
      // A body under the limit reaches the router, which has no such route here.
      expect(error(await post('{"name":"acme"}'))).toEqual({ status: 404, code: 'ROUTE_NOT_FOUND' });
    });

    it('admin routes answer on root hosts only: elsewhere their prefix is an ordinary path of the domain', async () => {
      const auth = { authorization: `Bearer ${POLICY_ADMIN_TOKEN}` };
      const listed = await get('platform.example', '/_md/domains', auth);
      expect(listed.status).toBe(200);
      expect((listed.body as { domains: Array<{ name: string }> }).domains.map((d) => d.name)).toContain(
        'acme',
      );
      // On a tenant's host the app has no such route, whatever the token says.
      const tenant = await get('acme.example', '/_md/domains', auth);
      expect(tenant.status).toBe(404);
      expect(JSON.stringify(tenant.body)).not.toContain('globex');
      // On a host nobody owns, resolution fails closed.
      expect(error(await get('nobody.example', '/_md/domains', auth))).toEqual({
        status: 404,
        code: 'DOMAIN_NOT_FOUND',
      });
    });
  });
}
