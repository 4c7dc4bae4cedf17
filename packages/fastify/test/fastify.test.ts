import { createSite, type DomainResolver } from '@md/core';
import { hostResolver, pathResolver } from '@md/resolvers';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { mdFastify, mdRewriteUrl } from '../src/index.js';

// Fastify-only wiring (fastify-plugin, rewriteUrl); the shared behaviour is in conformance.test.ts.
const site = await createSite({
  resolvers: [hostResolver(), pathResolver()],
  domains: [{ name: 'acme', hosts: ['acme.example'] }],
  rootHosts: ['platform.test'],
});

describe('mdFastify', () => {
  it("binds the domain to Fastify's own pino logger for the rest of the request", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const stream = { write: (line: string) => void lines.push(JSON.parse(line)) };
    const app = Fastify({ logger: { level: 'info', stream } });
    await app.register(mdFastify, { site });
    app.get('/log', async (request) => {
      request.log.info({ marker: 'in-handler' }, 'hello');
      return { ok: true };
    });
    await app.inject({ url: '/log', headers: { host: 'acme.example' } });
    expect(lines.find((l) => l.marker === 'in-handler')).toMatchObject({ domain: 'acme', msg: 'hello' });
    // Fastify's own completion line is written through the same request logger.
    expect(lines.find((l) => l.msg === 'request completed')).toMatchObject({ domain: 'acme' });
  });

  it('is a named, unencapsulated plugin: routes in sibling and child contexts see request.domain', async () => {
    const app = Fastify();
    await app.register(mdFastify, { site });
    await app.register(async (child) => {
      child.get('/child', async (request) => ({ domain: request.domain.name }));
    });
    expect(app.hasPlugin('@md/fastify')).toBe(true);
    expect(app.hasRequestDecorator('domain')).toBe(true);
    const res = await app.inject({ url: '/child', headers: { host: 'acme.example' } });
    expect(res.json()).toEqual({ domain: 'acme' });
  });

  it('refuses a path-mode request with a how-to-fix error when rewriteUrl is not configured', async () => {
    const app = Fastify();
    await app.register(mdFastify, { site });
    app.get('/shop', async (request) => ({ domain: request.domain.name }));
    const host = await app.inject({ url: '/shop', headers: { host: 'acme.example' } });
    expect(host.json()).toEqual({ domain: 'acme' });
    const path = await app.inject({ url: '/stores/acme/shop', headers: { host: 'platform.test' } });
    expect(path.statusCode).toBe(500);
    expect(path.json().error).toEqual({
      code: 'INVALID_OPTIONS',
      message: expect.stringMatching(/mdRewriteUrl/),
    });
  });

  it('serves an asynchronous resolver, and refuses with INVALID_OPTIONS as JSON one that rewrites the path', async () => {
    const slow: DomainResolver = {
      name: 'slow',
      resolve: async (req) =>
        req.path.startsWith('/t/acme')
          ? { domain: 'acme', via: 'slow', path: req.path.slice(7) || '/' }
          : undefined,
    };
    const slowHost: DomainResolver = {
      name: 'slow-host',
      resolve: async (_req, ctx) =>
        ctx.host === 'acme.example' ? { domain: 'acme', via: 'slow-host' } : undefined,
    };
    const asyncSite = await createSite({
      resolvers: [slowHost, slow],
      domains: [{ name: 'acme' }],
      rootHosts: ['platform.test'],
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const app = Fastify({ rewriteUrl: mdRewriteUrl(asyncSite) });
      await app.register(mdFastify, { site: asyncSite });
      app.get('/', async (request) => ({ domain: request.domain.name }));
      app.get('/t/acme/shop', async () => 'routed on the raw path');
      const host = await app.inject({ url: '/', headers: { host: 'acme.example' } });
      expect([host.statusCode, host.json()]).toEqual([200, { domain: 'acme' }]);
      const res = await app.inject({ url: '/t/acme/shop', headers: { host: 'platform.test' } });
      expect(res.statusCode).toBe(500);
      expect(res.json().error).toEqual({
        code: 'INVALID_OPTIONS',
        message: expect.stringMatching(/synchronously/),
      });
      const missing = await app.inject({ url: '/', headers: { host: 'nobody.example' } });
      expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'DOMAIN_NOT_FOUND']);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('refuses, loudly, rewriteUrl and plugin options that disagree on trusting X-Forwarded-Host', async () => {
    const app = Fastify({ rewriteUrl: mdRewriteUrl(site) });
    await app.register(mdFastify, { site, trustForwardedHost: true });
    app.get('/', async () => 'unreachable');
    const res = await app.inject({
      url: '/',
      headers: { host: 'platform.test', 'x-forwarded-host': 'acme.example' },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json().error).toEqual({
      code: 'INVALID_OPTIONS',
      message: expect.stringMatching(/same options/),
    });
  });

  it('resolves in onRequest when rewriteUrl was made for another site', async () => {
    const other = await createSite({
      resolvers: [hostResolver()],
      domains: [{ name: 'globex', hosts: ['acme.example'] }],
    });
    const app = Fastify({ rewriteUrl: mdRewriteUrl(other) });
    await app.register(mdFastify, { site });
    app.get('/', async (request) => ({ domain: request.domain.name, current: site.currentDomain }));
    const res = await app.inject({ url: '/', headers: { host: 'acme.example' } });
    expect(res.json()).toEqual({ domain: 'acme', current: 'acme' });
  });
});
