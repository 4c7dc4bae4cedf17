import { describe, expect, it } from 'vitest';
import { type AdminRequest, createAdminApi, createSite } from '../src/index.js';

const token = 'test-admin-token-0123456789';

function req(method: string, path: string, auth: string | null = `Bearer ${token}`): AdminRequest {
  return { method, path, headers: { get: (n) => (n === 'authorization' ? auth : undefined) } };
}

describe('admin API', () => {
  it('refuses requests without the right token', async () => {
    const site = await createSite({ domains: [{ name: 'acme' }] });
    const admin = createAdminApi(site, { token });
    for (const auth of [null, 'Bearer wrong', `Bearer ${token}x`, token, `bearer ${token}`]) {
      const res = await admin.handle(req('GET', '/_md/domains', auth));
      expect([res.status, (res.body as { error: { code: string } }).error.code]).toEqual([
        401,
        'UNAUTHORIZED',
      ]);
    }
  });

  it('lists domains, serves metrics and health, and 404s unknown routes', async () => {
    const site = await createSite({ domains: [{ name: 'acme', features: ['reports'] }] });
    const admin = createAdminApi(site, { token, prefix: '/admin' });
    expect(admin.owns('/admin/metrics')).toBe(true);
    expect(admin.owns('/administrator')).toBe(false);
    const domains = await admin.handle(req('GET', '/admin/domains'));
    expect(domains.body).toMatchObject({
      domains: [{ name: '_main_' }, { name: 'acme', features: ['reports'] }],
    });
    site.recordResponse(undefined, 404, 1, 'DOMAIN_NOT_FOUND');
    const metrics = await admin.handle(req('GET', '/admin/metrics'));
    expect(metrics.status).toBe(200);
    expect(metrics.headers[0]?.[0]).toBe('content-type');
    expect(metrics.body).toContain('md_requests_rejected_total{code="DOMAIN_NOT_FOUND"} 1');
    expect((await admin.handle(req('GET', '/admin/health'))).status).toBe(200);
    expect((await admin.handle(req('GET', '/admin/health/acme'))).body).toMatchObject({ ok: true });
    const missing = await admin.handle(req('GET', '/admin/health/nope'));
    expect(missing.status).toBe(404);
    expect((await admin.handle(req('POST', '/admin/metrics'))).status).toBe(404);
  });

  it('runs added routes in the root domain with their parameters', async () => {
    const site = await createSite({ domains: [{ name: 'acme' }] });
    const admin = createAdminApi(site, { token }).route(
      'POST',
      '/domains/:name/suspend',
      async (_r, { name }) => {
        await site.domains.update(name!, { status: 'suspended' });
        return { name, status: site.domains.get(name!)!.status, ranIn: site.currentDomain };
      },
    );
    const res = await admin.handle(req('POST', '/_md/domains/acme/suspend'));
    expect(res).toEqual({
      status: 200,
      headers: [],
      body: { name: 'acme', status: 'suspended', ranIn: '_main_' },
    });
  });

  it('rejects weak tokens and bad prefixes', async () => {
    const site = await createSite();
    expect(() => createAdminApi(site, { token: 'short' })).toThrowError(/at least 16/);
    expect(() => createAdminApi(site, { token, prefix: 'md' })).toThrowError(/prefix/);
  });
});

describe('feature guard', () => {
  it('throws FEATURE_DISABLED for a domain without the feature', async () => {
    const site = await createSite({ domains: [{ name: 'acme', features: ['reports'] }, { name: 'globex' }] });
    site.run('acme', () => site.assertFeature('reports'));
    expect(() => site.run('globex', () => site.assertFeature('reports'))).toThrowError(
      expect.objectContaining({ code: 'FEATURE_DISABLED', status: 403 }),
    );
  });
});
