import { describe, expect, it } from 'vitest';
import { toHttpAnswer } from '../src/http/index.js';
import {
  availability,
  cookieOptions,
  createSite,
  type DomainResolver,
  MdError,
  type RequestLike,
} from '../src/index.js';

function request(host: string, path = '/', headers: Record<string, string> = {}): RequestLike {
  return {
    host,
    path,
    headers: { get: (name) => headers[name.toLowerCase()] },
    query: new URLSearchParams(),
    cookies: {},
    kind: 'custom',
  };
}

/** A minimal resolver for core's own tests: `<code>.test` hosts. */
const byLabel: DomainResolver = {
  name: 'label',
  resolve(_req, ctx) {
    const code = ctx.host.endsWith('.test') ? ctx.host.slice(0, -5) : undefined;
    return code !== undefined && ctx.domains.has(code) ? { domain: code, via: 'label' } : undefined;
  },
};

const asyncPath: DomainResolver = {
  name: 'async-path',
  async resolve(req) {
    await Promise.resolve();
    const match = /^\/t\/([^/]+)(\/.*)?$/.exec(req.path);
    return match
      ? { domain: match[1]!, via: 'async-path', path: match[2] ?? '/', cookiePath: `/t/${match[1]}` }
      : undefined;
  },
};

async function errorOf(run: unknown): Promise<MdError> {
  try {
    await (typeof run === 'function' ? run() : run);
  } catch (error) {
    if (MdError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('createSite', () => {
  it('rejects duplicate and malformed plugins', async () => {
    expect((await errorOf(createSite({ resolvers: [byLabel, { ...byLabel }] }))).code).toBe(
      'DUPLICATE_PLUGIN',
    );
    expect((await errorOf(createSite({ resolvers: [{ name: '' } as DomainResolver] }))).code).toBe(
      'INVALID_OPTIONS',
    );
    expect((await errorOf(createSite({ resolvers: [{ name: 'x' } as DomainResolver] }))).code).toBe(
      'INVALID_OPTIONS',
    );
    expect((await errorOf(createSite({ rootDomain: '' }))).code).toBe('INVALID_OPTIONS');
  });

  it('supports a custom root domain name', async () => {
    const site = await createSite({ rootDomain: 'root', domains: [{ name: 'acme' }] });
    expect(site.currentDomain).toBe('root');
    expect(site.domains.root.isRoot).toBe(true);
  });
});

describe('site.resolve', () => {
  it('single-domain mode: no resolvers and no domains resolves everything to the root domain', async () => {
    const site = await createSite();
    const resolved = await site.resolve(request('anything.example:3000', '/orders'));
    expect(resolved.domain.name).toBe('_main_');
    expect(resolved.path).toBe('/orders');
    expect(resolved.rewritten).toBe(false);
  });

  it('asks resolvers in order, falls back to root only on root hosts, and fails closed elsewhere', async () => {
    const site = await createSite({
      resolvers: [byLabel, asyncPath],
      domains: [{ name: 'acme' }, { name: 'globex' }],
      rootHosts: ['platform.test', 'admin.example.com'],
    });
    expect((await site.resolve(request('acme.test'))).via).toBe('label');
    const viaPath = await site.resolve(request('admin.example.com', '/t/globex/shop/products'));
    expect([viaPath.domain.name, viaPath.path, viaPath.cookiePath, viaPath.rewritten]).toEqual([
      'globex',
      '/shop/products',
      '/t/globex',
      true,
    ]);
    expect((await site.resolve(request('Admin.Example.com.:443', '/'))).domain.name).toBe('_main_');
    const notFound = await errorOf(() => site.resolve(request('unknown.example.com', '/x')));
    expect(notFound.code).toBe('DOMAIN_NOT_FOUND');
    expect(toHttpAnswer(notFound)).toEqual({
      status: 404,
      body: { error: { code: 'DOMAIN_NOT_FOUND', message: notFound.message } },
      headers: [],
    });
    const unregistered = await errorOf(() => site.resolve(request('platform.test', '/t/nobody/x')));
    expect(unregistered.code).toBe('DOMAIN_NOT_FOUND');
    expect((await errorOf(() => site.resolve(request('bad host', '/')))).code).toBe('INVALID_HOST');
  });

  it('refuses suspended and disabled domains except on the allow-list; changes apply on the next request', async () => {
    const site = await createSite({
      resolvers: [byLabel],
      domains: [
        { name: 'acme', status: 'suspended' },
        { name: 'globex', status: 'disabled' },
      ],
      policies: [availability({ allow: ['/health', '/billing/*'] })],
    });
    const suspended = await errorOf(() => site.resolve(request('acme.test', '/orders')));
    expect([suspended.code, suspended.status]).toEqual(['DOMAIN_SUSPENDED', 403]);
    expect((await errorOf(() => site.resolve(request('globex.test', '/')))).code).toBe('DOMAIN_DISABLED');
    expect((await site.resolve(request('acme.test', '/health'))).domain.name).toBe('acme');
    expect((await site.resolve(request('acme.test', '/billing/pay'))).domain.name).toBe('acme');
    expect((await site.resolve(request('acme.test', '/billing'))).domain.name).toBe('acme');
    expect((await errorOf(() => site.resolve(request('acme.test', '/billingx')))).code).toBe(
      'DOMAIN_SUSPENDED',
    );
    await site.domains.update('acme', { status: 'active' });
    expect((await site.resolve(request('acme.test', '/orders'))).domain.name).toBe('acme');
  });

  it('emits resolved / not-resolved events, and adds no headers unless a policy asks', async () => {
    const site = await createSite({ resolvers: [byLabel], domains: [{ name: 'acme' }] });
    const seen: string[] = [];
    site.events.on('request:resolved', (e) => seen.push(`ok:${e.domain}:${e.via}`));
    site.events.on('request:not-resolved', (e) => seen.push(`no:${e.host}:${e.error.code}`));
    const resolved = await site.resolve(request('acme.test'));
    expect(resolved.headers).toEqual([]);
    await errorOf(() => site.resolve(request('other.test')));
    expect(seen).toEqual(['ok:acme:label', 'no:other.test:DOMAIN_NOT_FOUND']);
  });

  it('gives host-only cookie options scoped to the resolved path prefix', async () => {
    const site = await createSite({
      resolvers: [asyncPath],
      domains: [{ name: 'acme' }],
      rootHosts: ['localhost'],
    });
    const resolved = await site.resolve(request('localhost', '/t/acme/login'));
    site.runResolved(resolved, () => {
      expect(cookieOptions()).toEqual({
        path: '/t/acme',
        httpOnly: true,
        sameSite: 'lax',
        secure: false,
        domain: undefined,
      });
      expect(site.request?.path).toBe('/login');
    });
    const root = await site.resolve(request('localhost', '/'));
    site.runResolved(root, () =>
      expect(cookieOptions({ secure: true })).toMatchObject({ path: '/', secure: true }),
    );
    expect(cookieOptions().path).toBe('/');
  });

  it('maps unknown errors to a 500 that reveals nothing', () => {
    expect(toHttpAnswer(new Error('secret detail'))).toEqual({
      status: 500,
      body: { error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } },
      headers: [],
    });
  });
});

describe('provisioning through the site', () => {
  it('needs an isolation strategy and a confirmation to deprovision', async () => {
    const calls: string[] = [];
    const site = await createSite({
      domains: [{ name: 'acme' }],
      isolation: {
        name: 'recording',
        capabilities: {},
        init: async () => void calls.push('init'),
        provision: async (d) => void calls.push(`provision:${d.name}`),
        deprovision: async (d) => void calls.push(`deprovision:${d.name}`),
        em: () => ({}),
        close: async () => void calls.push('close'),
      },
    });
    await site.provision('acme');
    expect((await errorOf(() => site.deprovision('acme', { confirm: 'ACME' }))).code).toBe(
      'CONFIRMATION_REQUIRED',
    );
    await site.deprovision('acme', { confirm: 'acme' });
    expect((await errorOf(() => site.migrate('acme'))).code).toBe('ISOLATION_NOT_CONFIGURED');
    await site.close();
    expect(calls).toEqual(['init', 'provision:acme', 'deprovision:acme', 'close']);
    const bare = await createSite({ domains: [{ name: 'acme' }] });
    expect((await errorOf(() => bare.provision('acme'))).code).toBe('ISOLATION_NOT_CONFIGURED');
    expect((await errorOf(() => bare.provision('nope'))).code).toBe('DOMAIN_NOT_FOUND');
    expect((await errorOf(() => bare.deprovision('nope', { confirm: 'nope' }))).code).toBe(
      'DOMAIN_NOT_FOUND',
    );
  });
});
