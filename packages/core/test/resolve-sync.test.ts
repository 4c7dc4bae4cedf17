import { describe, expect, it } from 'vitest';
import { createSite, type DomainResolver, MdError, type RequestLike } from '../src/index.js';

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

function errorOf(fn: () => unknown): MdError {
  try {
    fn();
  } catch (error) {
    if (MdError.is(error)) return error;
    throw error;
  }
  throw new Error('expected an MdError');
}

describe('site.resolveSync', () => {
  it('answers exactly what site.resolve answers for synchronous resolvers', async () => {
    const site = await createSite({
      resolvers: [prefix],
      domains: [{ name: 'acme' }, { name: 'frozen', status: 'suspended' }],
      rootHosts: ['platform.test'],
      unavailableAllowList: ['/health'],
      debugHeader: true,
    });
    for (const req of [
      request('platform.test', '/t/acme/shop'),
      request('platform.test', '/t/frozen/health'),
    ]) {
      expect(site.resolveSync(req)).toEqual(await site.resolve(req));
    }
    const resolved = site.resolveSync(request('platform.test', '/t/acme/shop'));
    expect(resolved).toMatchObject({ via: 'prefix', path: '/shop', rewritten: true, cookiePath: '/t/acme' });
    expect(resolved.domain.name).toBe('acme');
    expect(resolved.headers).toEqual([['x-md-domain', 'acme; via=prefix']]);
  });

  it('throws the same typed errors as site.resolve', async () => {
    const site = await createSite({
      resolvers: [prefix],
      domains: [{ name: 'frozen', status: 'suspended' }],
      rootHosts: ['platform.test'],
    });
    expect(errorOf(() => site.resolveSync(request('bad..host'))).code).toBe('INVALID_HOST');
    expect(errorOf(() => site.resolveSync(request('platform.test', '/t/ghost/x'))).code).toBe(
      'DOMAIN_NOT_FOUND',
    );
    expect(errorOf(() => site.resolveSync(request('other.example'))).code).toBe('DOMAIN_NOT_FOUND');
    expect(errorOf(() => site.resolveSync(request('platform.test', '/t/frozen/x'))).code).toBe(
      'DOMAIN_SUSPENDED',
    );
  });

  it('refuses an asynchronous resolver with INVALID_OPTIONS and leaves no unhandled rejection', async () => {
    const failing: DomainResolver = {
      name: 'async',
      async resolve() {
        throw MdError.invalidPath('/x', 'test');
      },
    };
    const site = await createSite({ resolvers: [failing], domains: [{ name: 'acme' }] });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const error = errorOf(() => site.resolveSync(request('acme.example')));
      expect(error.code).toBe('INVALID_OPTIONS');
      expect(error.message).toMatch(/await site\.resolve/);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('emits request:not-resolved for failures, as site.resolve does', async () => {
    const site = await createSite({ resolvers: [prefix], domains: [{ name: 'acme' }] });
    const seen: string[] = [];
    site.events.on('request:not-resolved', ({ error }) => seen.push(error.code));
    errorOf(() => site.resolveSync(request('bad..host')));
    errorOf(() => site.resolveSync(request('nobody.example', '/x')));
    expect(seen).toEqual(['INVALID_HOST', 'DOMAIN_NOT_FOUND']);
  });
});
