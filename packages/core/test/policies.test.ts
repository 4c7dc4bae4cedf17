import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  type CacheBackend,
  createSite,
  DomainRateLimiter,
  MdError,
  type MdLogger,
  memoryCacheBackend,
  type RequestLike,
  toErrorResponse,
} from '../src/index.js';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return MdError.is(error) ? error.code : `not an MdError: ${String(error)}`;
  }
  return undefined;
}

describe('domain.cache', () => {
  it('namespaces every key by domain: one domain never reads or clears another', async () => {
    const backend = memoryCacheBackend();
    const site = await createSite({ cache: backend, domains: [{ name: 'acme' }, { name: 'globex' }] });
    const acme = site.domains.get('acme')!.cache;
    const globex = site.domains.get('globex')!.cache;
    await acme.set('catalog', ['anvil']);
    await globex.set('catalog', ['widget']);
    expect(await acme.get('catalog')).toEqual(['anvil']);
    expect(await globex.get('catalog')).toEqual(['widget']);
    // Keys that try to name another domain's key stay inside their own namespace.
    for (const hostile of ['md:globex:catalog', '../globex:catalog', 'globex:catalog', ':catalog', '*']) {
      expect(await acme.get(hostile)).toBeUndefined();
    }
    expect(acme.keyOf('md:globex:catalog')).toBe('md:acme:md:globex:catalog');
    expect(await backend.get('md:globex:catalog')).toEqual(['widget']);
    await acme.clear();
    expect(await acme.get('catalog')).toBeUndefined();
    expect(await globex.get('catalog')).toEqual(['widget']);
    expect(await site.run('globex', () => site.domain.cache.getOrSet('catalog', () => ['x']))).toEqual([
      'widget',
    ]);
    expect(await site.run('acme', () => site.domain.cache.getOrSet('n', () => 7))).toBe(7);
  });

  it('clearing a domain whose name prefixes another leaves the other alone', async () => {
    const site = await createSite({ domains: [{ name: 'acm' }, { name: 'acme' }] });
    await site.domains.get('acm')!.cache.set('k', 1);
    await site.domains.get('acme')!.cache.set('k', 2);
    await site.domains.get('acm')!.cache.clear();
    expect(await site.domains.get('acme')!.cache.get('k')).toBe(2);
  });

  it('works over any pluggable backend', async () => {
    const seen: string[] = [];
    const map = new Map<string, unknown>();
    const backend: CacheBackend = {
      name: 'recording',
      get: (key) => map.get(key),
      set: (key, value) => {
        seen.push(key);
        map.set(key, value);
      },
      delete: (key) => void map.delete(key),
      deletePrefix: (prefix) => {
        for (const key of map.keys()) if (key.startsWith(prefix)) map.delete(key);
      },
    };
    const site = await createSite({ cache: backend, domains: [{ name: 'acme' }] });
    await site.domains.get('acme')!.cache.set('x', 1);
    expect(seen).toEqual(['md:acme:x']);
  });
});

describe('domain.files', () => {
  async function filesSite() {
    const root = await mkdtemp(join(tmpdir(), 'md-files-'));
    const outside = await mkdtemp(join(tmpdir(), 'md-outside-'));
    await writeFile(join(outside, 'secret.txt'), 'secret');
    const site = await createSite({
      filesRoot: join(root, 'files'),
      domains: [{ name: 'acme' }, { name: 'globex' }],
    });
    const acme = site.domains.get('acme')!.files;
    await acme.write('logo.txt', 'acme logo');
    await site.domains.get('globex')!.files.write('private.txt', 'globex only');
    await mkdir(join(acme.root, 'links'), { recursive: true });
    await symlink(outside, join(acme.root, 'links', 'out-dir'));
    await symlink(join(outside, 'secret.txt'), join(acme.root, 'links', 'out-file'));
    await symlink(join(outside, 'missing.txt'), join(acme.root, 'links', 'dangling'));
    await symlink(join(acme.root, 'logo.txt'), join(acme.root, 'links', 'inside'));
    return { site, acme, root, outside };
  }

  it('reads and writes under the domain root', async () => {
    const { acme, root } = await filesSite();
    expect(acme.root).toBe(join(root, 'files', 'acme'));
    expect(await acme.readText('logo.txt')).toBe('acme logo');
    const written = await acme.write('products/1/photo.txt', 'p1');
    expect(written).toBe(join(acme.root, 'products/1/photo.txt'));
    expect(await readFile(written, 'utf8')).toBe('p1');
    expect(await acme.readText('./products/../logo.txt')).toBe('acme logo');
    expect(await acme.readText('links/inside')).toBe('acme logo');
  });

  const hostile = [
    '../globex/private.txt',
    '../../etc/passwd',
    '..',
    '../',
    'products/../../globex/private.txt',
    './../acme2/x',
    '/etc/passwd',
    '/tmp',
    'C:\\Windows\\win.ini',
    'c:/windows/win.ini',
    '\\\\server\\share',
    '..\\globex\\private.txt',
    'logo.txt\0.png',
    '',
    '.',
    'links/out-dir/secret.txt',
    'links/out-file',
    'links/dangling',
    'links/out-dir/new-file.txt',
    'a/b/../../../globex/private.txt',
  ];

  it.each(hostile)('refuses the escaping path %j with PATH_ESCAPE', async (path) => {
    const { acme } = await filesSite();
    expect(await codeOf(acme.readText(path))).toBe('PATH_ESCAPE');
    expect(await codeOf(acme.write(path, 'x'))).toBe('PATH_ESCAPE');
  });

  it('never wrote through a refused path', async () => {
    const { acme, outside } = await filesSite();
    await codeOf(acme.write('links/out-dir/new-file.txt', 'x'));
    await codeOf(acme.write('links/dangling', 'x'));
    expect(await codeOf(readFile(join(outside, 'new-file.txt')))).toMatch(/ENOENT/);
    expect(await codeOf(readFile(join(outside, 'missing.txt')))).toMatch(/ENOENT/);
  });
});

function request(host: string, path = '/'): RequestLike {
  return {
    host,
    path,
    headers: { get: () => undefined },
    query: new URLSearchParams(),
    cookies: {},
    kind: 'custom',
  };
}

const byHost = {
  name: 'host-label',
  resolve: (_req: RequestLike, ctx: { host: string; domains: { has(n: string): boolean } }) => {
    const code = ctx.host.split('.')[0]!;
    return ctx.domains.has(code) ? { domain: code, via: 'host-label' } : undefined;
  },
};

describe('rate limit per domain', () => {
  it('refuses a domain over its bucket with 429 and Retry-After while another keeps its full budget', async () => {
    let now = 0;
    const site = await createSite({
      resolvers: [byHost],
      domains: [{ name: 'noisy' }, { name: 'quiet', attributes: { plan: 'pro' } }],
      rateLimit: {
        tiers: { default: { rate: 2, burst: 5 }, pro: { rate: 100, burst: 100 } },
        now: () => now,
      },
    });
    let refused: MdError | undefined;
    let served = 0;
    for (let i = 0; i < 20; i++) {
      try {
        await site.resolve(request('noisy.test'));
        served++;
      } catch (error) {
        refused = error as MdError;
      }
    }
    expect(served).toBe(5);
    expect(refused?.code).toBe('RATE_LIMITED');
    expect(toErrorResponse(refused)).toMatchObject({ status: 429, headers: [['retry-after', '1']] });
    for (let i = 0; i < 100; i++) await site.resolve(request('quiet.test'));
    now += 1000; // two tokens later
    await site.resolve(request('noisy.test'));
    await site.resolve(request('noisy.test'));
    expect(await codeOf(site.resolve(request('noisy.test')))).toBe('RATE_LIMITED');
  });

  it('takes limits from attributes and validates tiers', async () => {
    const site = await createSite({
      domains: [{ name: 'acme', attributes: { rateLimit: { rate: 1, burst: 1 } } }],
    });
    const limiter = new DomainRateLimiter({ tiers: { default: { rate: 5, burst: 5 } } });
    expect(limiter.tierOf(site.domains.get('acme')!)).toEqual({ rate: 1, burst: 1 });
    expect(() => new DomainRateLimiter({ tiers: { pro: { rate: 1, burst: 1 } } })).toThrowError(
      /no "default" tier/,
    );
    expect(() => new DomainRateLimiter({ tiers: { default: { rate: 0, burst: 1 } } })).toThrowError(
      /rate > 0/,
    );
  });
});

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

describe('cross-domain guard, logs, metrics and health', () => {
  it('refuses a session of another domain, with a security event and an audit line', async () => {
    const { logger, lines } = capture();
    const site = await createSite({
      logger,
      resolvers: [byHost],
      domains: [{ name: 'acme' }, { name: 'globex' }],
    });
    const events: unknown[] = [];
    site.events.on('security:cross-domain', (e) => events.push(e));
    const resolved = await site.resolve(request('globex.test', '/orders'));
    const error = site.runResolved(resolved, () => {
      site.assertSessionDomain({ domain: 'globex', user: 'bob' });
      try {
        site.assertSessionDomain({ domain: 'acme', user: 'alice' });
      } catch (e) {
        return e as MdError;
      }
      return undefined;
    });
    expect([error?.code, error?.status]).toEqual(['CROSS_DOMAIN_ACCESS', 403]);
    const entry = { userDomain: 'acme', requestDomain: 'globex', user: 'alice', path: '/orders' };
    expect(events).toEqual([entry]);
    expect(lines()).toEqual([expect.objectContaining({ audit: 'cross-domain', ...entry, level: 40 })]);
  });

  it('binds the domain to every log line written inside a domain', async () => {
    const { logger, lines } = capture();
    const site = await createSite({ logger, domains: [{ name: 'acme' }, { name: 'globex' }] });
    await Promise.all(
      ['acme', 'globex'].map((name) =>
        site.run(name, async () => {
          await new Promise((r) => setTimeout(r, 2));
          site.log.info({ step: 1 }, 'hello');
        }),
      ),
    );
    site.log.info('outside');
    expect(lines().map((l) => [l.domain, l.msg])).toEqual([
      ['acme', 'hello'],
      ['globex', 'hello'],
      [undefined, 'outside'],
    ]);
  });

  it('exposes per-domain counters and latency histograms in Prometheus text', async () => {
    const site = await createSite({ resolvers: [byHost], domains: [{ name: 'acme' }] });
    const resolved = await site.resolve(request('acme.test'));
    site.recordResponse(resolved, 200, 12);
    site.recordResponse(resolved, 200, 30);
    site.recordResponse(undefined, 404, 1, 'DOMAIN_NOT_FOUND');
    const text = await site.metrics.text();
    expect(text).toContain('md_requests_total{domain="acme",status="200"} 2');
    expect(text).toContain('md_request_duration_seconds_count{domain="acme"} 2');
    expect(text).toContain('md_request_duration_seconds_bucket{le="0.025",domain="acme"} 1');
    expect(text).toContain('md_requests_rejected_total{code="DOMAIN_NOT_FOUND"} 1');
    await site.domains.remove('acme');
    expect(await site.metrics.text()).not.toContain('domain="acme"');
  });

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
    expect(await site.health('acme')).toEqual({ ok: true, domains: { acme: { ok: true, ms: 1 } } });
    const all = await site.health();
    expect(all.ok).toBe(false);
    expect(all.domains.broken).toMatchObject({ ok: false, error: 'database unreachable' });
  });
});
