import { describe, expect, it } from 'vitest';
import {
  availability,
  createSite,
  type DomainPolicy,
  type DomainResolver,
  MdError,
  type RequestLike,
} from '../src/index.js';

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

const prefix: DomainResolver = {
  name: 'prefix',
  resolve(req) {
    const match = /^\/t\/([^/]+)(\/.*)?$/.exec(req.path);
    return match
      ? { domain: match[1]!, via: 'prefix', path: match[2] ?? '/', cookiePath: `/t/${match[1]}` }
      : undefined;
  },
};

/** A policy that names the resolved domain in a header, as `@md/observability`'s debugHeader does. */
const debug: DomainPolicy = {
  name: 'debug',
  check: ({ domain, via }) => [['x-md-domain', `${domain.name}; via=${via}`]],
};

function errorOf(fn: () => unknown): MdError {
  try {
    fn();
  } catch (error) {
    if (MdError.is(error)) return error;
    throw error;
  }
  throw new Error('expected an MdError');
}

describe('site.resolve without a promise', () => {
  it('answers synchronously, with what the awaited answer has, when every resolver and policy is synchronous', async () => {
    const site = await createSite({
      resolvers: [prefix],
      domains: [{ name: 'acme' }, { name: 'frozen', status: 'suspended' }],
      rootHosts: ['platform.test'],
      policies: [availability({ allow: ['/health'] }), debug],
    });
    for (const req of [
      request('platform.test', '/t/acme/shop'),
      request('platform.test', '/t/frozen/health'),
    ]) {
      const sync = site.resolve(req);
      expect(sync).not.toBeInstanceOf(Promise);
      expect(sync).toEqual(await site.resolve(req));
      expect(site.locate(req)).not.toBeInstanceOf(Promise);
    }
    const resolved = site.resolve(request('platform.test', '/t/acme/shop')) as Awaited<
      ReturnType<typeof site.resolve>
    >;
    expect(resolved).toMatchObject({ via: 'prefix', path: '/shop', rewritten: true, cookiePath: '/t/acme' });
    expect(resolved.domain.name).toBe('acme');
    expect(resolved.headers).toEqual([['x-md-domain', 'acme; via=prefix']]);
  });

  it('throws the typed errors synchronously', async () => {
    const site = await createSite({
      resolvers: [prefix],
      domains: [{ name: 'frozen', status: 'suspended' }],
      rootHosts: ['platform.test'],
    });
    expect(errorOf(() => site.resolve(request('bad..host'))).code).toBe('INVALID_HOST');
    expect(errorOf(() => site.resolve(request('platform.test', '/t/ghost/x'))).code).toBe('DOMAIN_NOT_FOUND');
    expect(errorOf(() => site.resolve(request('other.example'))).code).toBe('DOMAIN_NOT_FOUND');
    expect(errorOf(() => site.resolve(request('platform.test', '/t/frozen/x'))).code).toBe(
      'DOMAIN_SUSPENDED',
    );
  });

  it('answers a promise once a resolver does, whose rejection is the resolver’s error, reported once and never unhandled', async () => {
    const failing: DomainResolver = {
      name: 'async',
      async resolve() {
        throw MdError.invalidPath('/x', 'test');
      },
    };
    const site = await createSite({ resolvers: [failing], domains: [{ name: 'acme' }] });
    const seen: string[] = [];
    site.events.on('request:not-resolved', ({ error }) => seen.push(error.code));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const answer = site.resolve(request('acme.example'));
      expect(answer).toBeInstanceOf(Promise);
      const error = await (answer as Promise<unknown>).then(
        () => undefined,
        (e: unknown) => e as MdError,
      );
      expect(error?.code).toBe('INVALID_PATH');
      const located = site.locate(request('acme.example'));
      expect(located).toBeInstanceOf(Promise);
      expect(await (located as Promise<unknown>).catch((e: MdError) => e.code)).toBe('INVALID_PATH');
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
      expect(seen).toEqual(['INVALID_PATH', 'INVALID_PATH']);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('emits request:not-resolved for failures, synchronous or not', async () => {
    const site = await createSite({ resolvers: [prefix], domains: [{ name: 'acme' }] });
    const seen: string[] = [];
    site.events.on('request:not-resolved', ({ error }) => seen.push(error.code));
    errorOf(() => site.resolve(request('bad..host')));
    errorOf(() => site.resolve(request('nobody.example', '/x')));
    expect(seen).toEqual(['INVALID_HOST', 'DOMAIN_NOT_FOUND']);
  });

  it('hands every resolver the owner of the normalised host, looked up once before the chain', async () => {
    const seen: Array<[string, string | undefined]> = [];
    const spy: DomainResolver = {
      name: 'spy',
      resolve(_req, ctx) {
        seen.push([ctx.host, ctx.hostOwner?.name]);
        return undefined;
      },
    };
    const site = await createSite({
      resolvers: [
        spy,
        {
          name: 'by-owner',
          resolve: (_req, ctx) => ctx.hostOwner && { domain: ctx.hostOwner.name, via: 'owner' },
        },
      ],
      domains: [{ name: 'acme', hosts: ['acme.test', 'www.acme.test'] }],
    });
    const resolved = site.resolve(request('WWW.Acme.test:8080')) as Awaited<ReturnType<typeof site.resolve>>;
    // The proxy the index holds, as the resolver saw it (no second lookup by name).
    expect(resolved.domain).toBe(site.domains.get('acme'));
    expect(() => site.resolve(request('nobody.test'))).toThrow(MdError);
    expect(seen).toEqual([
      ['www.acme.test', 'acme'],
      ['nobody.test', undefined],
    ]);
    // After a change of hosts, the next request sees the new owner.
    await site.domains.update('acme', { hosts: ['nobody.test'] });
    expect(
      (site.resolve(request('nobody.test')) as Awaited<ReturnType<typeof site.resolve>>).domain.name,
    ).toBe('acme');
  });
});
