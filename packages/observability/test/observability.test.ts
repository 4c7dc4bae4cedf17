import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { assertSessionDomain, createSite, type DomainResolver, type MdError, type Site } from '@md/core';
import { handleRequest, withPath } from '@md/core/http';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DomainMetrics, debugHeader, type MdLogger, observability } from '../src/index.js';

function capture(): { logger: MdLogger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = pino({ base: undefined }, stream) as unknown as MdLogger;
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

const byLabel: DomainResolver = {
  name: 'label',
  resolve: (_req, { host, domains }) => {
    const code = host.split('.')[0]!;
    return domains.has(code) ? { domain: code, via: 'label' } : undefined;
  },
};

/** The smallest md adapter: node:http, handleRequest, runResolved. */
async function serve(
  site: Site,
): Promise<{ get(host: string, path?: string): Promise<Answer>; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    Promise.resolve(handleRequest(site, req, res, 'node')).then(
      ({ answer, resolved }) => {
        if (answer !== undefined) {
          res.writeHead(answer.status, Object.fromEntries(answer.headers));
          return res.end(JSON.stringify(answer.body));
        }
        for (const [name, value] of resolved.headers) res.setHeader(name, value);
        req.url = withPath(req.url ?? '/', resolved.path);
        site.runResolved(resolved, () => res.end(JSON.stringify({ domain: site.currentDomain })));
      },
      (error: unknown) => res.destroy(error as Error),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    get: (host, path = '/') =>
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }),
          );
        });
        req.on('error', reject);
        req.end();
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('observability(): logs', () => {
  it('binds the domain to every log line written inside a domain', async () => {
    const { logger, lines } = capture();
    const obs = observability({ logger });
    const site = await createSite({ plugins: [obs], domains: [{ name: 'acme' }, { name: 'globex' }] });
    await Promise.all(
      ['acme', 'globex'].map((name) =>
        site.run(name, async () => {
          await new Promise((r) => setTimeout(r, 2));
          obs.log.info({ step: 1 }, 'hello');
        }),
      ),
    );
    obs.log.info('outside');
    expect(lines().map((l) => [l.domain, l.msg])).toEqual([
      ['acme', 'hello'],
      ['globex', 'hello'],
      [undefined, 'outside'],
    ]);
    expect(obs.for('acme')).toBe(obs.for('acme'));
  });

  it('writes an audit line for every cross-domain refusal', async () => {
    const { logger, lines } = capture();
    const site = await createSite({
      plugins: [observability({ logger })],
      resolvers: [byLabel],
      domains: [{ name: 'acme' }, { name: 'globex' }],
    });
    const resolved = await site.resolve({
      host: 'globex.test',
      path: '/orders',
      headers: { get: () => undefined },
      query: new URLSearchParams(),
      cookies: {},
      kind: 'custom',
    });
    const error = site.runResolved(resolved, () => {
      try {
        assertSessionDomain({ domain: 'acme', user: 'alice' });
      } catch (e) {
        return e as MdError;
      }
      return undefined;
    });
    expect(error?.code).toBe('CROSS_DOMAIN_ACCESS');
    const entry = { userDomain: 'acme', requestDomain: 'globex', user: 'alice', path: '/orders' };
    expect(lines()).toEqual([expect.objectContaining({ audit: 'cross-domain', ...entry, level: 40 })]);
  });

  it('belongs to one site', async () => {
    const obs = observability({ logger: capture().logger });
    await createSite({ plugins: [obs] });
    await expect(createSite({ plugins: [obs] })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });
});

describe('observability(): metrics', () => {
  it('DomainMetrics keeps per-domain counters and latency histograms in Prometheus text, and forgets a domain', async () => {
    const metrics = new DomainMetrics();
    metrics.record('acme', 200, 12);
    metrics.record('acme', 200, 30);
    metrics.rejected('DOMAIN_NOT_FOUND');
    const text = await metrics.text();
    expect(text).toContain('md_requests_total{domain="acme",status="200"} 2');
    expect(text).toContain('md_request_duration_seconds_count{domain="acme"} 2');
    expect(text).toContain('md_request_duration_seconds_bucket{le="0.025",domain="acme"} 1');
    expect(text).toContain('md_requests_rejected_total{code="DOMAIN_NOT_FOUND"} 1');
    metrics.forget('acme');
    expect(await metrics.text()).not.toContain('domain="acme"');
  });

  it('counts every response through the onResponse hook, and drops a removed domain’s series', async () => {
    const obs = observability({ logger: capture().logger });
    const site = await createSite({ plugins: [obs], resolvers: [byLabel], domains: [{ name: 'acme' }] });
    const app = await serve(site);
    cleanups.push(() => app.close());
    expect((await app.get('acme.test')).body).toEqual({ domain: 'acme' });
    await app.get('acme.test');
    expect((await app.get('nobody.test')).status).toBe(404);
    // The finish event fires after the client has its answer: give it a tick.
    await new Promise((r) => setTimeout(r, 10));
    const text = await obs.metrics!.text();
    expect(text).toContain('md_requests_total{domain="acme",status="200"} 2');
    expect(text).toContain('md_request_duration_seconds_count{domain="acme"} 2');
    expect(text).toContain('md_requests_rejected_total{code="DOMAIN_NOT_FOUND"} 1');
    await site.domains.remove('acme');
    expect(await obs.metrics!.text()).not.toContain('domain="acme"');
  });

  it('does no metrics work per request on a site without it', async () => {
    const site = await createSite({ resolvers: [byLabel], domains: [{ name: 'acme' }] });
    expect(site.hooks.finished).toEqual([]);
    const withMetrics = await createSite({ plugins: [observability({ logger: capture().logger })] });
    expect(withMetrics.hooks.finished).toHaveLength(1);
    const noMetrics = await createSite({
      plugins: [observability({ logger: capture().logger, metrics: false })],
    });
    expect(noMetrics.hooks.finished).toEqual([]);
  });
});

describe('debugHeader()', () => {
  it('names the domain and the resolver of admitted requests only', async () => {
    const site = await createSite({
      resolvers: [byLabel],
      domains: [{ name: 'acme' }, { name: 'frozen', status: 'suspended' }],
      policies: [debugHeader()],
    });
    const app = await serve(site);
    cleanups.push(() => app.close());
    const ok = await app.get('acme.test');
    expect(ok.headers['x-md-domain']).toBe('acme; via=label');
    const refused = await app.get('frozen.test');
    expect([refused.status, refused.headers['x-md-domain']]).toEqual([403, undefined]);
    const custom = await createSite({ policies: [debugHeader({ header: 'X-Tenant' })] });
    const resolved = await custom.resolve({
      host: 'x.example',
      path: '/',
      headers: { get: () => undefined },
      query: new URLSearchParams(),
      cookies: {},
      kind: 'custom',
    });
    expect(resolved.headers).toEqual([['x-tenant', '_main_; via=root']]);
  });
});
