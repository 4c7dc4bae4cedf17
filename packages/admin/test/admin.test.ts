import { createSite, type IsolationStrategy } from '@md/core';
import { describe, expect, it } from 'vitest';
import { type AdminRequest, adminApi, siteHealth } from '../src/index.js';

const token = 'test-admin-token-0123456789';

function req(method: string, path: string, auth: string | null = `Bearer ${token}`): AdminRequest {
  return { method, path, headers: { get: (n) => (n === 'authorization' ? auth : undefined) } };
}

describe('admin API', () => {
  it('refuses requests without the right token', async () => {
    const admin = adminApi({ token });
    await createSite({ domains: [{ name: 'acme' }], plugins: [admin] });
    for (const auth of [null, 'Bearer wrong', `Bearer ${token}x`, token, `bearer ${token}`]) {
      const res = await admin.handle(req('GET', '/_md/domains', auth));
      expect([res.status, (res.body as { error: { code: string } }).error.code]).toEqual([
        401,
        'UNAUTHORIZED',
      ]);
    }
  });

  it('lists domains, serves metrics and health, and 404s unknown routes', async () => {
    const metrics = { contentType: 'text/plain; version=0.0.4', text: async () => 'md_requests_total 1\n' };
    const admin = adminApi({ token, prefix: '/admin', metrics });
    await createSite({ domains: [{ name: 'acme', features: ['reports'] }], plugins: [admin] });
    expect(admin.owns('/admin/metrics')).toBe(true);
    expect(admin.owns('/administrator')).toBe(false);
    const domains = await admin.handle(req('GET', '/admin/domains'));
    expect(domains.body).toMatchObject({
      domains: [{ name: '_main_' }, { name: 'acme', features: ['reports'] }],
    });
    const served = await admin.handle(req('GET', '/admin/metrics'));
    expect(served).toEqual({
      status: 200,
      headers: [['content-type', metrics.contentType]],
      body: 'md_requests_total 1\n',
    });
    expect((await admin.handle(req('GET', '/admin/health'))).status).toBe(200);
    expect((await admin.handle(req('GET', '/admin/health/acme'))).body).toMatchObject({ ok: true });
    const missing = await admin.handle(req('GET', '/admin/health/nope'));
    expect(missing.status).toBe(404);
    expect((await admin.handle(req('POST', '/admin/metrics'))).status).toBe(404);
    const bare = adminApi({ token });
    await createSite({ plugins: [bare] });
    expect((await bare.handle(req('GET', '/_md/metrics'))).status).toBe(404);
  });

  it('runs added routes in the root domain with their parameters', async () => {
    const admin = adminApi({ token });
    const site = await createSite({ domains: [{ name: 'acme' }], plugins: [admin] });
    admin.route('POST', '/domains/:name/suspend', async (_r, { name }) => {
      await site.domains.update(name!, { status: 'suspended' });
      return { name, status: site.domains.get(name!)!.status, ranIn: site.currentDomain };
    });
    const res = await admin.handle(req('POST', '/_md/domains/acme/suspend'));
    expect(res).toEqual({
      status: 200,
      headers: [],
      body: { name: 'acme', status: 'suspended', ranIn: '_main_' },
    });
  });

  it('answers 400 INVALID_PATH, not 500, for a path that is not valid percent-encoding', async () => {
    const admin = adminApi({ token });
    await createSite({ domains: [{ name: 'acme' }], plugins: [admin] });
    for (const path of ['/_md/health/%ff', '/_md/health/%zz', '/_md/health/%']) {
      const res = await admin.handle(req('GET', path));
      expect([res.status, (res.body as { error: { code: string } }).error.code]).toEqual([
        400,
        'INVALID_PATH',
      ]);
    }
  });

  it('answers on the site’s root hosts by default, or on its own hosts, which no domain may claim', async () => {
    const resolvers = [{ name: 'none', resolve: () => undefined }];
    await expect(createSite({ resolvers, plugins: [adminApi({ token })] })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
      message: expect.stringMatching(/rootHosts/),
    });
    const admin = adminApi({ token, hosts: ['Ops.Example.:8443'] });
    expect(admin.reserved).toEqual({ hosts: ['ops.example'] });
    const site = await createSite({ resolvers, plugins: [admin] });
    expect(() => site.domains.register({ name: 'evil', hosts: ['ops.example'] })).toThrowError(
      expect.objectContaining({ code: 'HOST_RESERVED' }),
    );
  });

  it('rejects weak tokens, bad prefixes, hosts and body timeouts, a second site, and answering before it is set up', async () => {
    expect(() => adminApi({ token: 'short' })).toThrowError(/at least 16/);
    expect(() => adminApi({ token, prefix: 'md' })).toThrowError(/prefix/);
    expect(() => adminApi({ token, prefix: '/a//b' })).toThrowError(/prefix/);
    expect(() => adminApi({ token, hosts: [] })).toThrowError(/hosts/);
    expect(() => adminApi({ token, hosts: ['a/b'] })).toThrowError(/not a host name/);
    expect(() => adminApi({ token, bodyTimeoutMs: 0 })).toThrowError(/bodyTimeoutMs/);
    const admin = adminApi({ token });
    expect((await admin.handle(req('GET', '/_md/domains'))).body).toMatchObject({
      error: { code: 'INVALID_OPTIONS', message: expect.stringMatching(/plugins: \[admin\]/) },
    });
    await createSite({ plugins: [admin] });
    await expect(createSite({ plugins: [admin] })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });
});

describe('siteHealth', () => {
  it('reports health per domain and for the site, through the strategy', async () => {
    const site = await createSite({
      domains: [{ name: 'acme' }, { name: 'broken' }],
      isolation: {
        name: 'probe',
        capabilities: {},
        init: async () => {},
        provision: async () => {},
        deprovision: async () => {},
        em: () => ({}),
        close: async () => {},
        health: async (domain) => {
          if (domain.name === 'broken') throw new Error('database unreachable');
          return { ok: true, ms: 1 };
        },
      },
    });
    expect(await siteHealth(site, 'acme')).toEqual({ ok: true, domains: { acme: { ok: true, ms: 1 } } });
    const all = await siteHealth(site);
    expect(all.ok).toBe(false);
    expect(all.domains.broken).toMatchObject({ ok: false, error: 'database unreachable' });
  });

  it('over every domain, asks the cheap isProvisioned probe (never health), at most 8 at once', async () => {
    const calls = { health: 0, probes: 0, inFlight: 0, maxInFlight: 0 };
    const isolation: IsolationStrategy = {
      name: 'probe',
      capabilities: {},
      init: async () => {},
      provision: async () => {},
      deprovision: async () => {},
      em: () => ({}),
      close: async () => {},
      health: async () => {
        calls.health++;
        return { ok: true, ms: 1 };
      },
      isProvisioned: async (name) => {
        calls.probes++;
        calls.maxInFlight = Math.max(calls.maxInFlight, ++calls.inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        calls.inFlight--;
        return name !== 'gone';
      },
    };
    const names = Array.from({ length: 40 }, (_, i) => `d-${String(i).padStart(2, '0')}`);
    const site = await createSite({ domains: [...names, 'gone'].map((name) => ({ name })), isolation });
    const all = await siteHealth(site);
    expect(Object.keys(all.domains)).toEqual(['_main_', ...names, 'gone']);
    expect(all.domains.gone).toMatchObject({ ok: false, error: 'not provisioned' });
    expect({
      ok: all.ok,
      health: calls.health,
      probes: calls.probes,
      maxInFlight: calls.maxInFlight,
    }).toEqual({
      ok: false,
      health: 0,
      probes: 42,
      maxInFlight: 8,
    });
  });
});
