import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toHttpAnswer } from '../src/http/index.js';
import {
  assertFeature,
  assertSessionDomain,
  availability,
  createSite,
  type DomainPolicy,
  type DomainResolver,
  MdError,
  type RequestLike,
  rateLimit,
} from '../src/index.js';
import { tempDir } from './temp.js';

async function codeOf(run: unknown): Promise<string | undefined> {
  try {
    await (typeof run === 'function' ? run() : run);
  } catch (error) {
    return MdError.is(error) ? error.code : `not an MdError: ${String(error)}`;
  }
  return undefined;
}

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

const byHost: DomainResolver = {
  name: 'host-label',
  resolve: (_req, ctx) => {
    const code = ctx.host.split('.')[0]!;
    return ctx.domains.has(code) ? { domain: code, via: 'host-label' } : undefined;
  },
};

afterEach(() => {
  vi.useRealTimers();
});

describe('rate limit per domain', () => {
  it('refuses a domain over its budget with 429 and Retry-After while another keeps its full budget', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const site = await createSite({
      resolvers: [byHost],
      domains: [{ name: 'noisy' }, { name: 'quiet', attributes: { plan: 'pro' } }],
      policies: [
        rateLimit({ tiers: { default: { points: 5, duration: 2 }, pro: { points: 100, duration: 1 } } }),
      ],
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
    expect(toHttpAnswer(refused)).toMatchObject({ status: 429, headers: [['retry-after', '2']] });
    for (let i = 0; i < 100; i++) await site.resolve(request('quiet.test'));
    vi.advanceTimersByTime(2000); // the window is over: a fresh budget of five
    for (let i = 0; i < 5; i++) await site.resolve(request('noisy.test'));
    expect(await codeOf(() => site.resolve(request('noisy.test')))).toBe('RATE_LIMITED');
  });

  it('takes limits from attributes, forgets a domain’s counter when it changes, and validates tiers', async () => {
    const site = await createSite({
      resolvers: [byHost],
      domains: [{ name: 'acme', attributes: { rateLimit: { points: 1, duration: 60 } } }],
      policies: [rateLimit({ tiers: { default: { points: 1000, duration: 1 } } })],
    });
    await site.resolve(request('acme.test'));
    expect(await codeOf(() => site.resolve(request('acme.test')))).toBe('RATE_LIMITED');
    // An update releases the domain: its limit may have changed, its counter starts over.
    await site.domains.update('acme', { attributes: { rateLimit: { points: 2, duration: 60 } } });
    await site.resolve(request('acme.test'));
    await site.resolve(request('acme.test'));
    expect(await codeOf(() => site.resolve(request('acme.test')))).toBe('RATE_LIMITED');
    expect(() => rateLimit({ tiers: { pro: { points: 1, duration: 1 } } })).toThrowError(/no "default" tier/);
    expect(() => rateLimit({ tiers: { default: { points: 0, duration: 1 } } })).toThrowError(/points >= 1/);
    expect(() => rateLimit({ tiers: { default: { points: 5, duration: 0.5 } } })).toThrowError(
      /whole numbers/,
    );
  });
});

describe('policies as named plugins', () => {
  it('run in order after resolution, add their headers, and may answer asynchronously', async () => {
    const seen: string[] = [];
    const first: DomainPolicy = {
      name: 'first',
      check: ({ domain }) => {
        seen.push(`first:${domain.name}`);
        return [['x-first', domain.name]];
      },
    };
    const second: DomainPolicy = {
      name: 'second',
      check: async ({ path }) => {
        seen.push(`second:${path}`);
        return [['x-second', path]];
      },
    };
    const site = await createSite({
      resolvers: [byHost],
      domains: [{ name: 'acme' }],
      policies: [first, second],
    });
    const resolved = await site.resolve(request('acme.test', '/orders'));
    expect(seen).toEqual(['first:acme', 'second:/orders']);
    expect(resolved.headers).toEqual([
      ['x-first', 'acme'],
      ['x-second', '/orders'],
    ]);
  });

  it('keep resolution synchronous when every resolver and policy is', async () => {
    const site = await createSite({ resolvers: [byHost], domains: [{ name: 'acme' }] });
    const resolved = site.resolve(request('acme.test'));
    expect(resolved).not.toBeInstanceOf(Promise);
    expect((resolved as { domain: { name: string } }).domain.name).toBe('acme');
  });

  it('are checked unique and well-formed at createSite', async () => {
    const noop: DomainPolicy = { name: 'noop', check: () => undefined };
    expect(await codeOf(createSite({ policies: [noop, { ...noop }] }))).toBe('DUPLICATE_PLUGIN');
    expect(await codeOf(createSite({ policies: [{ name: 'x' } as DomainPolicy] }))).toBe('INVALID_OPTIONS');
    expect(await codeOf(createSite({ policies: [{ name: '', check: () => {} }] }))).toBe('INVALID_OPTIONS');
    const setup = async () => {};
    expect(
      await codeOf(
        createSite({
          plugins: [
            { name: 'p', setup },
            { name: 'p', setup },
          ],
        }),
      ),
    ).toBe('DUPLICATE_PLUGIN');
    expect(await codeOf(createSite({ plugins: [{ name: 'p' } as never] }))).toBe('INVALID_OPTIONS');
  });

  it('refuse suspended and disabled domains by default, where no availability policy is listed', async () => {
    const headers: DomainPolicy = { name: 'headers', check: () => [['x-seen', 'yes']] };
    const site = await createSite({
      resolvers: [byHost],
      domains: [{ name: 'frozen', status: 'suspended' }, { name: 'acme' }],
      policies: [headers],
    });
    expect(site.policies.map((p) => p.name)).toEqual(['availability', 'headers']);
    expect(await codeOf(() => site.resolve(request('frozen.test', '/health')))).toBe('DOMAIN_SUSPENDED');
    expect((await site.resolve(request('acme.test'))).headers).toEqual([['x-seen', 'yes']]);
    const listed = await createSite({ policies: [headers, availability({ allow: ['/health'] })] });
    expect(listed.policies.map((p) => p.name)).toEqual(['headers', 'availability']);
    expect(() => availability({ allow: ['health'] })).toThrowError(/list of paths/);
  });
});

describe('guards', () => {
  it('assertFeature throws FEATURE_DISABLED for a domain without the feature', async () => {
    const site = await createSite({ domains: [{ name: 'acme', features: ['reports'] }, { name: 'globex' }] });
    site.run('acme', () => assertFeature('reports'));
    expect(() => site.run('globex', () => assertFeature('reports'))).toThrowError(
      expect.objectContaining({ code: 'FEATURE_DISABLED', status: 403 }),
    );
    expect(() => assertFeature('reports')).toThrowError(
      expect.objectContaining({ code: 'NO_CURRENT_DOMAIN' }),
    );
  });

  it('assertSessionDomain refuses a session of another domain, with a security event', async () => {
    const site = await createSite({ resolvers: [byHost], domains: [{ name: 'acme' }, { name: 'globex' }] });
    const events: unknown[] = [];
    site.events.on('security:cross-domain', (e) => events.push(e));
    const resolved = await site.resolve(request('globex.test', '/orders'));
    const error = site.runResolved(resolved, () => {
      assertSessionDomain({ domain: 'globex', user: 'bob' });
      try {
        assertSessionDomain({ domain: 'acme', user: 'alice' });
      } catch (e) {
        return e as MdError;
      }
      return undefined;
    });
    expect([error?.code, error?.status]).toEqual(['CROSS_DOMAIN_ACCESS', 403]);
    const entry = { userDomain: 'acme', requestDomain: 'globex', user: 'alice', path: '/orders' };
    expect(events).toEqual([entry]);
    expect(error?.details).toEqual(entry);
  });
});

describe('deprovision', () => {
  it('erases the domain’s cache keys and files, and nothing of another domain', async () => {
    const site = await createSite({
      filesRoot: join(tempDir('md-erase-'), 'files'),
      domains: [{ name: 'acme' }, { name: 'globex' }],
    });
    const acme = site.domains.get('acme')!;
    const globex = site.domains.get('globex')!;
    for (const domain of [acme, globex]) {
      await domain.cache.set('k', domain.name);
      await domain.files.write('a/b.txt', domain.name);
    }
    expect(await codeOf(() => site.deprovision('acme', { confirm: 'ACME' }))).toBe('CONFIRMATION_REQUIRED');
    expect(await acme.files.readText('a/b.txt')).toBe('acme');
    await site.deprovision('acme', { confirm: 'acme' });
    expect(await acme.cache.get('k')).toBeUndefined();
    expect(await codeOf(acme.files.readText('a/b.txt'))).toMatch(/ENOENT/);
    expect(await globex.cache.get('k')).toBe('globex');
    expect(await globex.files.readText('a/b.txt')).toBe('globex');
  });
});
