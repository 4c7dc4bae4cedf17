import { createSite, MdError, type RequestLike } from '@md/core';
import * as barrel from '@md/resolvers';
import { cookieResolver } from '@md/resolvers/cookie';
import { headerResolver } from '@md/resolvers/header';
import { hostResolver } from '@md/resolvers/host';
import { pathResolver } from '@md/resolvers/path';
import { queryResolver } from '@md/resolvers/query';
import { subdomainResolver } from '@md/resolvers/subdomain';
import { describe, expect, it } from 'vitest';
import { request } from './fixtures.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return MdError.is(error) ? error.code : `not an MdError: ${String(error)}`;
  }
  return undefined;
}

async function errorOf(run: Promise<unknown> | (() => unknown)): Promise<MdError> {
  let error: unknown;
  try {
    await (typeof run === 'function' ? run() : run);
  } catch (e) {
    error = e;
  }
  if (!MdError.is(error)) throw new TypeError(`expected an MdError, got ${String(error)}`);
  return error;
}

describe('exports', () => {
  it('each subpath export is the same function as the root barrel export', () => {
    expect(barrel.hostResolver).toBe(hostResolver);
    expect(barrel.subdomainResolver).toBe(subdomainResolver);
    expect(barrel.pathResolver).toBe(pathResolver);
    expect(barrel.headerResolver).toBe(headerResolver);
    expect(barrel.queryResolver).toBe(queryResolver);
    expect(barrel.cookieResolver).toBe(cookieResolver);
  });

  it('every resolver has a unique default name, so one of each fits in a chain', async () => {
    const resolvers = [
      hostResolver(),
      subdomainResolver({ baseDomains: ['platform.com'] }),
      pathResolver(),
      headerResolver(),
      queryResolver(),
      cookieResolver(),
    ];
    expect(resolvers.map((r) => r.name)).toEqual(['host', 'subdomain', 'path', 'header', 'query', 'cookie']);
    await expect(createSite({ resolvers })).resolves.toBeDefined();
  });

  it('two path resolvers need two names', async () => {
    const duplicate = await errorOf(createSite({ resolvers: [pathResolver(), pathResolver()] }));
    expect(duplicate.code).toBe('DUPLICATE_PLUGIN');
    const site = await createSite({
      resolvers: [
        pathResolver({ name: 'storefront', patterns: ['/stores/:domain/shop/*'] }),
        pathResolver({ name: 'dashboard', patterns: ['/store/:domain/*'] }),
      ],
      domains: [{ name: 'acme' }],
    });
    expect((await site.resolve(request({ host: 'x.com', path: '/store/acme/a' }))).via).toBe('dashboard');
  });

  it('the name option is reported as `via` by every resolver', async () => {
    const site = await createSite({
      resolvers: [
        hostResolver({ name: 'custom-domain' }),
        subdomainResolver({ baseDomains: ['platform.com'], name: 'sub' }),
        headerResolver({ enabled: true, name: 'gateway' }),
        queryResolver({ enabled: true, name: 'preview' }),
        cookieResolver({ name: 'remembered' }),
      ],
      domains: [{ name: 'acme', hosts: ['acme.com'] }],
      rootHosts: ['x.com'],
    });
    const via = async (init: Parameters<typeof request>[0]) => (await site.resolve(request(init))).via;
    expect(await via({ host: 'acme.com' })).toBe('custom-domain');
    expect(await via({ host: 'acme.platform.com' })).toBe('sub');
    expect(await via({ host: 'x.com', headers: { 'x-tenant-id': 'acme' } })).toBe('gateway');
    expect(await via({ host: 'x.com', query: 'tenant_id=acme' })).toBe('preview');
    expect(await via({ host: 'x.com', cookies: { md_domain: 'acme' } })).toBe('remembered');
  });
});

describe('options are checked when the resolver is made', () => {
  it.each([
    ['no base domains', () => subdomainResolver({ baseDomains: [] })],
    [
      'base domains not a list',
      () => subdomainResolver({ baseDomains: 'platform.com' as unknown as string[] }),
    ],
    ['a base domain that is not a host', () => subdomainResolver({ baseDomains: ['platform .com'] })],
    ['reserved not a list', () => subdomainResolver({ baseDomains: ['p.com'], reserved: 'www' as never })],
    ['unknown bareDomain', () => subdomainResolver({ baseDomains: ['p.com'], bareDomain: 'main' as never })],
    ['no patterns', () => pathResolver({ patterns: [] })],
    ['pattern without a leading slash', () => pathResolver({ patterns: ['stores/:domain/*'] })],
    ['pattern without :domain', () => pathResolver({ patterns: ['/stores/*'] })],
    ['pattern with :domain first', () => pathResolver({ patterns: ['/:domain/*'] })],
    ['pattern with two :domain', () => pathResolver({ patterns: ['/s/:domain/:domain/*'] })],
    ['pattern with * in the middle', () => pathResolver({ patterns: ['/stores/:domain/*/x'] })],
    ['pattern with ..', () => pathResolver({ patterns: ['/stores/../:domain/*'] })],
    ['pattern with an empty segment', () => pathResolver({ patterns: ['/stores//:domain/*'] })],
    ['pattern with percent-encoding', () => pathResolver({ patterns: ['/st%6fres/:domain/*'] })],
    ['pattern with another parameter', () => pathResolver({ patterns: ['/:lang/:domain/*'] })],
    ['path hosts that are not hosts', () => pathResolver({ hosts: ['a/b'] })],
    ['header paths not starting with /', () => headerResolver({ enabled: true, paths: ['internal/*'] })],
    ['header paths with ..', () => headerResolver({ enabled: true, paths: ['/internal/../*'] })],
    ['header enabled not a boolean', () => headerResolver({ enabled: 'yes' as never })],
    ['header trust not a function', () => headerResolver({ enabled: true, trust: true as never })],
    ['query paths not a list', () => queryResolver({ enabled: true, paths: '/preview' as never })],
    ['header name empty', () => headerResolver({ header: '' })],
    ['query param not a string', () => queryResolver({ param: 1 as never })],
    ['cookie name empty', () => cookieResolver({ cookie: '' })],
    ['cookie hosts not a list', () => cookieResolver({ hosts: 'x.com' as never })],
    ['cookie hosts that are not hosts', () => cookieResolver({ hosts: ['x .com'] })],
  ])('%s -> INVALID_OPTIONS', (_name, make) => {
    expect(codeOf(make)).toBe('INVALID_OPTIONS');
  });
});

describe('behaviour beyond the table', () => {
  it('400 messages say where the bad code came from', async () => {
    const site = await createSite({
      resolvers: [pathResolver(), headerResolver({ enabled: true }), cookieResolver()],
      rootHosts: ['p.com'],
    });
    const fromPath = await errorOf(() => site.resolve(request({ host: 'p.com', path: '/stores/a_b/x' })));
    expect(fromPath.status).toBe(400);
    expect(fromPath.message).toContain('"/stores/:domain/*"');
    expect(fromPath.message).toContain('"a_b"');
    const fromHeader = await errorOf(() =>
      site.resolve(request({ host: 'p.com', headers: { 'x-tenant-id': 'a b' } })),
    );
    expect(fromHeader.message).toContain('header "x-tenant-id"');
    const fromCookie = await errorOf(() =>
      site.resolve(request({ host: 'p.com', cookies: { md_domain: 'x' } })),
    );
    expect(fromCookie.message).toContain('cookie "md_domain" (clear it');
    const traversal = await errorOf(() =>
      site.resolve(request({ host: 'p.com', path: '/stores/acme/%2e%2e/x' })),
    );
    expect(traversal.code).toBe('INVALID_PATH');
    expect(traversal.message).toContain('"." or ".." segment');
  });

  it('custom header, parameter and cookie names', async () => {
    const site = await createSite({
      resolvers: [
        headerResolver({ enabled: true, header: 'X-Org' }),
        queryResolver({ enabled: true, param: 'org' }),
        cookieResolver({ cookie: 'workspace', hosts: ['x.com'] }),
      ],
      domains: [{ name: 'acme' }, { name: 'beta' }, { name: 'gamma' }],
    });
    const name = async (init: Parameters<typeof request>[0]) =>
      (await site.resolve(request(init))).domain.name;
    expect(await name({ host: 'x.com', headers: { 'x-org': 'acme', 'x-tenant-id': 'beta' } })).toBe('acme');
    expect(await name({ host: 'x.com', query: 'org=beta&tenant_id=acme' })).toBe('beta');
    expect(await name({ host: 'x.com', cookies: { workspace: 'gamma', md_domain: 'acme' } })).toBe('gamma');
  });

  it('trust is asked only when the header is present on an allowed route', async () => {
    const asked: string[] = [];
    const trust = (req: RequestLike) => {
      asked.push(req.path);
      return true;
    };
    const site = await createSite({
      resolvers: [headerResolver({ enabled: true, trust, paths: ['/internal/*'] })],
      domains: [{ name: 'acme' }],
      rootHosts: ['p.com'],
    });
    await site.resolve(request({ host: 'p.com', path: '/public', headers: { 'x-tenant-id': 'acme' } }));
    await site.resolve(request({ host: 'p.com', path: '/internal/a' }));
    const resolved = await site.resolve(
      request({ host: 'p.com', path: '/internal/b', headers: { 'x-tenant-id': 'acme' } }),
    );
    expect(resolved.domain.name).toBe('acme');
    expect(asked).toEqual(['/internal/b']);
  });

  it('a trust function must answer exactly true', async () => {
    const site = await createSite({
      resolvers: [headerResolver({ enabled: true, trust: () => 'yes' as unknown as boolean })],
      domains: [{ name: 'acme' }],
      rootHosts: ['p.com'],
    });
    const resolved = await site.resolve(request({ host: 'p.com', headers: { 'x-tenant-id': 'acme' } }));
    expect(resolved.domain.name).toBe('_main_');
  });

  it('resolvers read the live registry: added and removed domains take effect at once', async () => {
    const site = await createSite({
      resolvers: [hostResolver(), subdomainResolver({ baseDomains: ['p.com'] }), pathResolver()],
      rootHosts: ['p.com'],
    });
    const name = async (init: Parameters<typeof request>[0]) =>
      (await site.resolve(request(init))).domain.name;
    expect(await name({ host: 'p.com', path: '/stores/late/x' })).toBe('_main_');
    site.domains.register({ name: 'late', hosts: ['late.example'] });
    expect(await name({ host: 'p.com', path: '/stores/late/x' })).toBe('late');
    expect(await name({ host: 'late.p.com' })).toBe('late');
    expect(await name({ host: 'late.example' })).toBe('late');
    await site.domains.remove('late');
    expect(await name({ host: 'p.com', path: '/stores/late/x' })).toBe('_main_');
    expect((await errorOf(() => site.resolve(request({ host: 'late.example' })))).code).toBe(
      'DOMAIN_NOT_FOUND',
    );
  });

  it('a host owned by the root domain resolves to it through the host resolver', async () => {
    const site = await createSite({ resolvers: [hostResolver()], root: { hosts: ['central.example'] } });
    const resolved = await site.resolve(request({ host: 'Central.Example' }));
    expect([resolved.domain.name, resolved.via]).toEqual(['_main_', 'host']);
  });

  it('overlapping base domains: exactly one label before the base that follows it', async () => {
    const site = await createSite({
      resolvers: [subdomainResolver({ baseDomains: ['myplatform.com', 'eu.myplatform.com'] })],
      domains: [{ name: 'acme' }, { name: 'eux' }],
      rootHosts: ['myplatform.com', 'eu.myplatform.com'],
    });
    const name = async (host: string) => (await site.resolve(request({ host }))).domain.name;
    expect(await name('acme.eu.myplatform.com')).toBe('acme');
    expect(await name('acme.myplatform.com')).toBe('acme');
    expect(await name('eu.myplatform.com')).toBe('_main_');
    expect((await errorOf(() => site.resolve(request({ host: 'x.acme.myplatform.com' })))).code).toBe(
      'DOMAIN_NOT_FOUND',
    );
  });

  it('path patterns are tried in order and the first that matches decides', async () => {
    const site = await createSite({
      resolvers: [pathResolver({ patterns: ['/s/:domain/shop/*', '/s/:domain/*'] })],
      domains: [{ name: 'acme' }],
    });
    const shop = await site.resolve(request({ host: 'x.com', path: '/s/acme/shop/a' }));
    const other = await site.resolve(request({ host: 'x.com', path: '/s/acme/admin' }));
    expect([shop.path, other.path]).toEqual(['/shop/a', '/admin']);
  });

  it('an exact pattern (no trailing *) allows only an optional final slash', async () => {
    const site = await createSite({
      resolvers: [pathResolver({ patterns: ['/stores/:domain/shop'] })],
      domains: [{ name: 'acme' }],
      rootHosts: ['p.com'],
    });
    const path = async (p: string) => {
      const r = await site.resolve(request({ host: 'p.com', path: p }));
      return `${r.domain.name} ${r.path}`;
    };
    expect(await path('/stores/acme/shop')).toBe('acme /shop');
    expect(await path('/stores/acme/shop/')).toBe('acme /shop/');
    expect(await path('/stores/acme/shop/cart')).toBe('_main_ /stores/acme/shop/cart');
  });
});

describe('hosts a resolver keeps for the platform can never be claimed by a domain', () => {
  it('the subdomain resolver keeps its base domains and every host under them', async () => {
    const resolver = subdomainResolver({ baseDomains: ['Platform.COM.', 'eu.platform.io'] });
    expect(resolver.reserved).toEqual({ domains: ['platform.com', 'eu.platform.io'] });
    const site = await createSite({ resolvers: [resolver], domains: [{ name: 'promo' }] });
    for (const host of [
      'platform.com',
      'www.platform.com',
      'admin.platform.com',
      'promo.platform.com',
      'a.b.eu.platform.io',
    ]) {
      expect(
        codeOf(() => site.domains.register({ name: 'hijack', hosts: [host] })),
        host,
      ).toBe('HOST_RESERVED');
    }
    // Neighbours that only look alike stay claimable.
    site.domains.register({
      name: 'fine',
      hosts: ['myplatform.com', 'platform.com.evil.net', 'platform.io'],
    });
    expect((await site.resolve(request({ host: 'promo.platform.com' }))).domain.name).toBe('promo');
  });

  it('the path and cookie resolvers keep the hosts they are limited to', async () => {
    const path = pathResolver({ hosts: ['shops.example'] });
    const cookie = cookieResolver({ hosts: ['app.example'] });
    expect([path.reserved, cookie.reserved]).toEqual([
      { hosts: ['shops.example'] },
      { hosts: ['app.example'] },
    ]);
    expect([pathResolver().reserved, cookieResolver().reserved]).toEqual([undefined, undefined]);
    const site = await createSite({ resolvers: [hostResolver(), path, cookie], domains: [{ name: 'acme' }] });
    for (const host of ['shops.example', 'APP.example']) {
      expect(
        codeOf(() => site.domains.register({ name: 'hijack', hosts: [host] })),
        host,
      ).toBe('HOST_RESERVED');
    }
    const answer = await site.resolve(request({ host: 'app.example', cookies: { md_domain: 'acme' } }));
    expect([answer.domain.name, answer.via]).toEqual(['acme', 'cookie']);
  });

  it("the host resolver takes core's lookup of the host, an absent owner included, and looks up only a context made by hand", async () => {
    const site = await createSite({ domains: [{ name: 'acme', hosts: ['acme.example'] }] });
    let lookups = 0;
    const domains = new Proxy(site.domains, {
      get: (target, key) =>
        key === 'findByHost'
          ? (host: string) => {
              lookups++;
              return target.findByHost(host);
            }
          : Reflect.get(target, key, target),
    });
    const base = { domains, rootDomain: site.domains.rootDomain, rootHosts: new Set<string>() };
    const resolver = hostResolver();
    const req = request({ host: 'acme.example' });
    expect(
      resolver.resolve(req, { ...base, host: 'acme.example', hostOwner: site.domains.get('acme') }),
    ).toEqual({
      domain: 'acme',
      via: 'host',
    });
    expect(resolver.resolve(req, { ...base, host: 'nobody.example', hostOwner: undefined })).toBeUndefined();
    expect(lookups).toBe(0);
    const handMade = { ...base, host: 'acme.example' } as unknown as Parameters<typeof resolver.resolve>[1];
    expect(resolver.resolve(req, handMade)).toEqual({ domain: 'acme', via: 'host' });
    expect(lookups).toBe(1);
  });
});
