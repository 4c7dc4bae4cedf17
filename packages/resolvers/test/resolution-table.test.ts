import { createSite, type DomainResolver, MdError, type MdErrorCode, type Site } from '@md/core';
import {
  cookieResolver,
  headerResolver,
  hostResolver,
  pathResolver,
  queryResolver,
  subdomainResolver,
} from '@md/resolvers';
import { beforeAll, describe, expect, it } from 'vitest';
import { DOMAINS, type RequestInit, request } from './fixtures.js';

/** The chains under test; each case names the one it runs against. */
const CHAINS = {
  // Seed 001's priority: custom domain, then subdomain, then path.
  seed: {
    resolvers: () => [hostResolver(), subdomainResolver({ baseDomains: ['myplatform.com'] }), pathResolver()],
    rootHosts: ['myplatform.com', 'admin.myplatform.com'],
  },
  // Seed 001's storefront pattern, with a literal segment after the code.
  shop: {
    resolvers: () => [pathResolver({ patterns: ['/stores/:domain/shop/*'] })],
    rootHosts: ['myplatform.com'],
  },
  // Two path resolvers side by side: a storefront tied to the platform host and a dashboard.
  dual: {
    resolvers: () => [
      pathResolver({ name: 'storefront', patterns: ['/stores/:domain/shop/*'], hosts: ['myplatform.com'] }),
      pathResolver({ name: 'dashboard', patterns: ['/store/:domain/*'] }),
    ],
    rootHosts: [],
  },
  // Every resolver, header and query enabled but limited by route and caller, cookie last.
  all: {
    resolvers: () => [
      hostResolver(),
      subdomainResolver({ baseDomains: ['myplatform.com'] }),
      pathResolver(),
      headerResolver({ enabled: true, paths: ['/internal/*'], trust: (req) => req.ip === '10.0.0.5' }),
      queryResolver({ enabled: true, paths: ['/preview/*', '/internal/*'] }),
      cookieResolver({ hosts: ['api.internal', 'myplatform.com'] }),
    ],
    rootHosts: ['myplatform.com'],
  },
  // Header and query with their defaults (off), cookie on.
  defaults: {
    resolvers: () => [headerResolver(), queryResolver(), cookieResolver()],
    rootHosts: ['shared.example'],
  },
  headerFirst: {
    resolvers: () => [headerResolver({ enabled: true }), hostResolver()],
    rootHosts: [],
  },
  hostFirst: {
    resolvers: () => [hostResolver(), headerResolver({ enabled: true })],
    rootHosts: [],
  },
  // The bare base domain answers the root domain itself; custom reserved list.
  bareRoot: {
    resolvers: () => [
      subdomainResolver({
        baseDomains: ['myplatform.com', 'eu.platform.io'],
        reserved: ['www', 'status'],
        bareDomain: 'root',
      }),
      pathResolver(),
    ],
    rootHosts: [],
  },
} satisfies Record<string, { resolvers: () => DomainResolver[]; rootHosts: string[] }>;

type ChainName = keyof typeof CHAINS;

interface Answer {
  domain: string;
  via: string;
  /** The path the app routes on; defaults to the request path (nothing rewritten). */
  path?: string;
  /** Defaults to `/`. */
  cookiePath?: string;
}

interface Case {
  chain: ChainName;
  name: string;
  req: RequestInit;
  expect: Answer | { error: MdErrorCode; status: number };
}

const ok = (chain: ChainName, name: string, req: RequestInit, answer: Answer): Case => ({
  chain,
  name,
  req,
  expect: answer,
});
const fails = (chain: ChainName, name: string, req: RequestInit, error: MdErrorCode): Case => ({
  chain,
  name,
  req,
  expect: { error, status: error === 'DOMAIN_NOT_FOUND' ? 404 : error === 'DOMAIN_SUSPENDED' ? 403 : 400 },
});
const root = { domain: '_main_', via: 'root' };

const CASES: Case[] = [
  // ── seed 001's three request examples, exactly ──────────────────────────
  ok(
    'seed',
    'seed 001 example 1: custom domain',
    { host: 'customdomain.com', path: '/shop/products' },
    {
      domain: 'wizamart',
      via: 'host',
      path: '/shop/products',
      cookiePath: '/',
    },
  ),
  ok(
    'seed',
    'seed 001 example 2: subdomain',
    { host: 'wizamart.myplatform.com', path: '/shop/products' },
    {
      domain: 'wizamart',
      via: 'subdomain',
      path: '/shop/products',
      cookiePath: '/',
    },
  ),
  ok(
    'seed',
    'seed 001 example 3: path',
    { host: 'myplatform.com', path: '/stores/WIZAMART/shop/products' },
    {
      domain: 'wizamart',
      via: 'path',
      path: '/shop/products',
      cookiePath: '/stores/wizamart',
    },
  ),
  ok(
    'shop',
    'seed 001 example 3 on the storefront pattern',
    {
      host: 'myplatform.com',
      path: '/stores/WIZAMART/shop/products',
    },
    { domain: 'wizamart', via: 'path', path: '/shop/products', cookiePath: '/stores/wizamart' },
  ),

  // ── host (custom domain): valid and normalised ──────────────────────────
  ok(
    'seed',
    'a second host of the same domain',
    { host: 'wizamart.com' },
    { domain: 'wizamart', via: 'host' },
  ),
  ok(
    'seed',
    'a www host of the same domain',
    { host: 'www.wizamart.com' },
    { domain: 'wizamart', via: 'host' },
  ),
  ok('seed', 'upper-case host', { host: 'CustomDomain.COM' }, { domain: 'wizamart', via: 'host' }),
  ok('seed', 'host with a port', { host: 'customdomain.com:8080' }, { domain: 'wizamart', via: 'host' }),
  ok('seed', 'host with a trailing dot', { host: 'customdomain.com.' }, { domain: 'wizamart', via: 'host' }),
  ok('seed', 'trailing dot and port', { host: 'MyTechStore.NET.:443' }, { domain: 'techstore', via: 'host' }),
  ok('seed', 'IDN host becomes punycode', { host: 'bücher.example' }, { domain: 'bucher', via: 'host' }),
  ok(
    'seed',
    'IDN host already in punycode',
    { host: 'xn--bcher-kva.example' },
    { domain: 'bucher', via: 'host' },
  ),
  ok('seed', 'upper-case IDN host', { host: 'BÜCHER.example:3000' }, { domain: 'bucher', via: 'host' }),
  fails('seed', 'unknown host fails closed', { host: 'unknown.com' }, 'DOMAIN_NOT_FOUND'),
  fails('seed', 'no wildcard for custom domains', { host: 'evil.customdomain.com' }, 'DOMAIN_NOT_FOUND'),
  fails(
    'seed',
    'a custom host as a prefix of another',
    { host: 'customdomain.com.evil.net' },
    'DOMAIN_NOT_FOUND',
  ),
  fails('seed', 'suspended domain', { host: 'closed.myplatform.com' }, 'DOMAIN_SUSPENDED'),

  // ── hostile hosts ───────────────────────────────────────────────────────
  fails('seed', 'host with a path', { host: 'customdomain.com/admin' }, 'INVALID_HOST'),
  fails('seed', 'host with a space', { host: 'custom domain.com' }, 'INVALID_HOST'),
  fails('seed', 'host with CRLF', { host: 'customdomain.com\r\nx-tenant-id: acme' }, 'INVALID_HOST'),
  fails('seed', 'host with a NUL', { host: 'customdomain.com\u0000.evil.net' }, 'INVALID_HOST'),
  fails('seed', 'host with a tab', { host: 'customdomain.com\t' }, 'INVALID_HOST'),
  fails('seed', 'host with credentials', { host: 'user@customdomain.com' }, 'INVALID_HOST'),
  fails('seed', 'host with a backslash', { host: 'customdomain.com\\evil' }, 'INVALID_HOST'),
  fails('seed', 'host with a query', { host: 'customdomain.com?x=1' }, 'INVALID_HOST'),
  fails('seed', 'host with a fragment', { host: 'customdomain.com#x' }, 'INVALID_HOST'),
  fails('seed', 'host with percent-encoding', { host: 'customdomain%2ecom' }, 'INVALID_HOST'),
  fails(
    'seed',
    'host over 253 characters',
    { host: `${'a'.repeat(63)}.`.repeat(4).slice(0, 255) },
    'INVALID_HOST',
  ),
  fails('seed', 'label over 63 characters', { host: `${'a'.repeat(64)}.myplatform.com` }, 'INVALID_HOST'),
  fails('seed', 'empty host', { host: '' }, 'INVALID_HOST'),
  fails('seed', 'non-numeric port', { host: 'customdomain.com:http' }, 'INVALID_HOST'),
  fails('seed', 'empty label', { host: 'customdomain..com' }, 'INVALID_HOST'),
  fails('seed', 'leading dot', { host: '.customdomain.com' }, 'INVALID_HOST'),
  fails('seed', 'label ending in a hyphen', { host: 'wizamart-.myplatform.com' }, 'INVALID_HOST'),

  // ── subdomain ───────────────────────────────────────────────────────────
  ok(
    'seed',
    'subdomain, upper case with port',
    { host: 'WIZAMART.MyPlatform.com:3000' },
    {
      domain: 'wizamart',
      via: 'subdomain',
    },
  ),
  ok(
    'seed',
    'another store subdomain',
    { host: 'techstore.myplatform.com' },
    { domain: 'techstore', via: 'subdomain' },
  ),
  ok(
    'seed',
    'subdomain with trailing dot',
    { host: 'kiosk.myplatform.com.' },
    { domain: 'kiosk', via: 'subdomain' },
  ),
  ok('seed', 'bare base domain is a root host', { host: 'myplatform.com' }, root),
  ok('seed', 'admin label on a root host', { host: 'admin.myplatform.com', path: '/dashboard' }, root),
  fails(
    'seed',
    'reserved www never resolves, even when registered',
    { host: 'www.myplatform.com' },
    'DOMAIN_NOT_FOUND',
  ),
  fails(
    'seed',
    'reserved api never resolves, even when registered',
    { host: 'api.myplatform.com' },
    'DOMAIN_NOT_FOUND',
  ),
  fails('seed', 'unregistered subdomain fails closed', { host: 'ghost.myplatform.com' }, 'DOMAIN_NOT_FOUND'),
  fails('seed', 'two labels before the base', { host: 'x.wizamart.myplatform.com' }, 'DOMAIN_NOT_FOUND'),
  fails('seed', 'base domain as a prefix', { host: 'wizamart.myplatform.com.evil.net' }, 'DOMAIN_NOT_FOUND'),
  fails('seed', 'base domain glued to the label', { host: 'wizamartmyplatform.com' }, 'DOMAIN_NOT_FOUND'),
  fails('seed', 'a look-alike base domain', { host: 'wizamart.myplatform.co' }, 'DOMAIN_NOT_FOUND'),
  fails('seed', 'label with an underscore', { host: '_dmarc.myplatform.com' }, 'INVALID_DOMAIN_NAME'),
  fails('seed', 'label too short for a code', { host: 'ab.myplatform.com' }, 'INVALID_DOMAIN_NAME'),
  fails(
    'seed',
    'label too long for a code',
    { host: `${'a'.repeat(51)}.myplatform.com` },
    'INVALID_DOMAIN_NAME',
  ),
  ok(
    'seed',
    'custom host beats subdomain',
    { host: 'fashionhub.shop' },
    { domain: 'fashionhub', via: 'host' },
  ),
  ok(
    'seed',
    'a subdomain is never another domain’s custom host (hosts under a base domain are reserved)',
    { host: 'promo.myplatform.com' },
    { domain: 'promo', via: 'subdomain' },
  ),
  ok(
    'seed',
    'subdomain beats path',
    { host: 'techstore.myplatform.com', path: '/stores/wizamart/shop' },
    {
      domain: 'techstore',
      via: 'subdomain',
      path: '/stores/wizamart/shop',
    },
  ),

  // ── path: valid ─────────────────────────────────────────────────────────
  ok(
    'seed',
    'dashboard pattern',
    { host: 'myplatform.com', path: '/store/WIZAMART/dashboard' },
    {
      domain: 'wizamart',
      via: 'path',
      path: '/dashboard',
      cookiePath: '/store/wizamart',
    },
  ),
  ok(
    'seed',
    'prefix only',
    { host: 'myplatform.com', path: '/stores/techstore' },
    {
      domain: 'techstore',
      via: 'path',
      path: '/',
      cookiePath: '/stores/techstore',
    },
  ),
  ok(
    'seed',
    'prefix with trailing slash',
    { host: 'myplatform.com', path: '/stores/techstore/' },
    {
      domain: 'techstore',
      via: 'path',
      path: '/',
      cookiePath: '/stores/techstore',
    },
  ),
  ok(
    'seed',
    'percent-encoded code is decoded once',
    { host: 'myplatform.com', path: '/stores/%77izamart/shop' },
    {
      domain: 'wizamart',
      via: 'path',
      path: '/shop',
      cookiePath: '/stores/wizamart',
    },
  ),
  ok(
    'seed',
    'clean path keeps its own encoding',
    { host: 'myplatform.com', path: '/stores/kiosk/q/a%20b/100%25' },
    {
      domain: 'kiosk',
      via: 'path',
      path: '/q/a%20b/100%25',
      cookiePath: '/stores/kiosk',
    },
  ),
  ok(
    'seed',
    'three dots are a name, not a dot segment',
    { host: 'myplatform.com', path: '/stores/kiosk/files/...' },
    {
      domain: 'kiosk',
      via: 'path',
      path: '/files/...',
      cookiePath: '/stores/kiosk',
    },
  ),
  ok(
    'seed',
    'dotted file names are fine',
    { host: 'myplatform.com', path: '/stores/kiosk/.well-known/x.json' },
    {
      domain: 'kiosk',
      via: 'path',
      path: '/.well-known/x.json',
      cookiePath: '/stores/kiosk',
    },
  ),
  ok(
    'seed',
    'path mode works on any host without `hosts`',
    { host: 'other.net', path: '/stores/kiosk/a' },
    {
      domain: 'kiosk',
      via: 'path',
      path: '/a',
      cookiePath: '/stores/kiosk',
    },
  ),
  ok(
    'seed',
    'unregistered code falls through to root',
    { host: 'myplatform.com', path: '/stores/ghost/shop' },
    root,
  ),
  fails(
    'seed',
    'unregistered code on a non-root host',
    { host: 'other.net', path: '/stores/ghost/x' },
    'DOMAIN_NOT_FOUND',
  ),
  ok('seed', 'a listing page is not a domain', { host: 'myplatform.com', path: '/stores/' }, root),
  ok('seed', 'no trailing slash, no match', { host: 'myplatform.com', path: '/stores' }, root),
  ok(
    'seed',
    'literals match case-sensitively',
    { host: 'myplatform.com', path: '/STORES/wizamart/shop' },
    root,
  ),
  fails(
    'seed',
    'a dot segment before the prefix is refused (core refuses dot segments anywhere)',
    {
      host: 'myplatform.com',
      path: '/x/../stores/wizamart/shop',
    },
    'INVALID_PATH',
  ),
  ok(
    'seed',
    'a double slash before the prefix does not match',
    {
      host: 'myplatform.com',
      path: '//stores/wizamart/shop',
    },
    root,
  ),
  ok(
    'seed',
    'an encoded unreserved letter is that letter (core decodes unreserved characters once)',
    { host: 'myplatform.com', path: '/%73tores/wizamart/shop' },
    { domain: 'wizamart', via: 'path', path: '/shop', cookiePath: '/stores/wizamart' },
  ),

  // ── path: hostile ───────────────────────────────────────────────────────
  fails(
    'seed',
    '.. as the code',
    { host: 'myplatform.com', path: '/stores/../techstore/shop' },
    'INVALID_PATH',
  ),
  fails(
    'seed',
    '.. after the code',
    { host: 'myplatform.com', path: '/stores/wizamart/../techstore' },
    'INVALID_PATH',
  ),
  fails(
    'seed',
    '.. climbing out of the prefix',
    {
      host: 'myplatform.com',
      path: '/stores/wizamart/../../store/techstore/x',
    },
    'INVALID_PATH',
  ),
  fails('seed', '. segment', { host: 'myplatform.com', path: '/stores/wizamart/./shop' }, 'INVALID_PATH'),
  fails(
    'seed',
    '%2e%2e as the code',
    { host: 'myplatform.com', path: '/stores/%2e%2e/techstore' },
    'INVALID_PATH',
  ),
  fails(
    'seed',
    '%2E%2e in the rest',
    { host: 'myplatform.com', path: '/stores/wizamart/%2E%2e/x' },
    'INVALID_PATH',
  ),
  fails('seed', 'mixed .%2e', { host: 'myplatform.com', path: '/stores/wizamart/.%2e/x' }, 'INVALID_PATH'),
  fails(
    'seed',
    'trailing %2e segment',
    { host: 'myplatform.com', path: '/stores/wizamart/shop/%2e' },
    'INVALID_PATH',
  ),
  fails(
    'seed',
    '// before the code',
    { host: 'myplatform.com', path: '/stores//techstore/shop' },
    'INVALID_PATH',
  ),
  fails(
    'seed',
    '// after the code',
    { host: 'myplatform.com', path: '/stores/wizamart//shop' },
    'INVALID_PATH',
  ),
  fails(
    'seed',
    '%2f inside the code',
    { host: 'myplatform.com', path: '/stores/wizamart%2ftechstore/shop' },
    'INVALID_PATH',
  ),
  fails(
    'seed',
    '%2F in the rest',
    { host: 'myplatform.com', path: '/stores/wizamart/a%2F..%2Fb' },
    'INVALID_PATH',
  ),
  fails(
    'seed',
    '%5c traversal',
    { host: 'myplatform.com', path: '/stores/wizamart%5c..%5ctechstore' },
    'INVALID_PATH',
  ),
  fails(
    'seed',
    'raw backslash traversal',
    { host: 'myplatform.com', path: '/stores/wizamart\\..\\techstore' },
    'INVALID_PATH',
  ),
  fails(
    'seed',
    'double-encoded %252e as the code',
    {
      host: 'myplatform.com',
      path: '/stores/%252e%252e/techstore',
    },
    'INVALID_PATH',
  ),
  fails(
    'seed',
    'double-encoded %252e in the rest',
    {
      host: 'myplatform.com',
      path: '/stores/wizamart/%252e%252e/admin',
    },
    'INVALID_PATH',
  ),
  fails(
    'seed',
    'double-encoded %252f',
    { host: 'myplatform.com', path: '/stores/wizamart%252ftechstore' },
    'INVALID_PATH',
  ),
  fails(
    'seed',
    'encoded NUL in the code',
    { host: 'myplatform.com', path: '/stores/wiza%00mart/shop' },
    'INVALID_PATH',
  ),
  fails(
    'seed',
    'raw control character',
    { host: 'myplatform.com', path: '/stores/wizamart/\u0007' },
    'INVALID_PATH',
  ),
  fails(
    'seed',
    'malformed percent-encoding',
    { host: 'myplatform.com', path: '/stores/wizamart%zz/shop' },
    'INVALID_PATH',
  ),
  fails(
    'seed',
    'truncated percent-encoding',
    { host: 'myplatform.com', path: '/stores/wizamart/%E' },
    'INVALID_PATH',
  ),
  fails(
    'seed',
    'invalid UTF-8 in the code',
    { host: 'myplatform.com', path: '/stores/%C3%28kiosk/x' },
    'INVALID_PATH',
  ),
  fails(
    'seed',
    'non-ASCII code',
    { host: 'myplatform.com', path: '/stores/wizam%C3%A4rt/shop' },
    'INVALID_DOMAIN_NAME',
  ),
  fails(
    'seed',
    'Kelvin sign never folds to k',
    { host: 'myplatform.com', path: '/stores/%E2%84%AAiosk/x' },
    'INVALID_DOMAIN_NAME',
  ),
  fails(
    'seed',
    'the root domain cannot be named',
    { host: 'myplatform.com', path: '/stores/_main_/shop' },
    'INVALID_DOMAIN_NAME',
  ),
  fails('seed', 'code too short', { host: 'myplatform.com', path: '/stores/ab/shop' }, 'INVALID_DOMAIN_NAME'),
  fails(
    'seed',
    'code with a space',
    { host: 'myplatform.com', path: '/stores/wiza%20mart/shop' },
    'INVALID_DOMAIN_NAME',
  ),
  fails(
    'seed',
    'hostile path on a non-root host',
    { host: 'other.net', path: '/store/%2e%2e/x' },
    'INVALID_PATH',
  ),

  // ── path with literal segments after the code ───────────────────────────
  ok(
    'shop',
    'storefront root',
    { host: 'myplatform.com', path: '/stores/wizamart/shop' },
    {
      domain: 'wizamart',
      via: 'path',
      path: '/shop',
      cookiePath: '/stores/wizamart',
    },
  ),
  ok(
    'shop',
    'the literal must follow the code',
    { host: 'myplatform.com', path: '/stores/wizamart/admin' },
    root,
  ),
  ok(
    'shop',
    'the literal is a whole segment',
    { host: 'myplatform.com', path: '/stores/wizamart/shopping' },
    root,
  ),
  ok('shop', 'the literal is required', { host: 'myplatform.com', path: '/stores/wizamart' }, root),
  ok(
    'shop',
    'the dashboard is another pattern',
    { host: 'myplatform.com', path: '/store/wizamart/shop' },
    root,
  ),
  fails(
    'shop',
    'hostile code before the literal',
    { host: 'myplatform.com', path: '/stores/%2e%2e/shop' },
    'INVALID_PATH',
  ),

  // ── two path resolvers ──────────────────────────────────────────────────
  ok(
    'dual',
    'storefront on the platform host',
    { host: 'myplatform.com', path: '/stores/wizamart/shop/cart' },
    {
      domain: 'wizamart',
      via: 'storefront',
      path: '/shop/cart',
      cookiePath: '/stores/wizamart',
    },
  ),
  fails(
    'dual',
    'storefront refuses other hosts',
    { host: 'other.net', path: '/stores/wizamart/shop' },
    'DOMAIN_NOT_FOUND',
  ),
  ok(
    'dual',
    'dashboard on any host',
    { host: 'other.net', path: '/store/techstore/settings' },
    {
      domain: 'techstore',
      via: 'dashboard',
      path: '/settings',
      cookiePath: '/store/techstore',
    },
  ),

  // ── header ──────────────────────────────────────────────────────────────
  ok(
    'all',
    'trusted caller on a trusted route',
    {
      host: 'api.internal',
      path: '/internal/sync',
      headers: { 'X-Tenant-ID': 'ACME' },
      ip: '10.0.0.5',
    },
    { domain: 'acme', via: 'header' },
  ),
  ok(
    'all',
    'the prefix itself is a trusted route',
    {
      host: 'api.internal',
      path: '/internal',
      headers: { 'x-tenant-id': 'acme' },
      ip: '10.0.0.5',
    },
    { domain: 'acme', via: 'header' },
  ),
  fails(
    'all',
    'untrusted caller is ignored',
    {
      host: 'api.internal',
      path: '/internal/sync',
      headers: { 'x-tenant-id': 'acme' },
      ip: '203.0.113.9',
    },
    'DOMAIN_NOT_FOUND',
  ),
  fails(
    'all',
    'untrusted route is ignored',
    {
      host: 'api.internal',
      path: '/public',
      headers: { 'x-tenant-id': 'acme' },
      ip: '10.0.0.5',
    },
    'DOMAIN_NOT_FOUND',
  ),
  fails(
    'all',
    'dot segments cannot borrow a trusted route',
    {
      host: 'api.internal',
      path: '/internal/../public',
      headers: { 'x-tenant-id': 'acme' },
      ip: '10.0.0.5',
    },
    'INVALID_PATH',
  ),
  fails(
    'all',
    'a look-alike route is not the prefix',
    {
      host: 'api.internal',
      path: '/internalx',
      headers: { 'x-tenant-id': 'acme' },
      ip: '10.0.0.5',
    },
    'DOMAIN_NOT_FOUND',
  ),
  fails(
    'all',
    'invalid code from a trusted caller',
    {
      host: 'api.internal',
      path: '/internal/sync',
      headers: { 'x-tenant-id': 'acme;drop' },
      ip: '10.0.0.5',
    },
    'INVALID_DOMAIN_NAME',
  ),
  fails(
    'all',
    'invalid code from an untrusted caller is never read',
    {
      host: 'api.internal',
      path: '/internal/sync',
      headers: { 'x-tenant-id': 'acme;drop' },
      ip: '203.0.113.9',
    },
    'DOMAIN_NOT_FOUND',
  ),
  fails(
    'all',
    'two header values are ambiguous',
    {
      host: 'api.internal',
      path: '/internal/sync',
      headers: { 'x-tenant-id': 'acme, techstore' },
      ip: '10.0.0.5',
    },
    'INVALID_DOMAIN_NAME',
  ),
  fails(
    'all',
    'the root domain cannot be named by header',
    {
      host: 'api.internal',
      path: '/internal/sync',
      headers: { 'x-tenant-id': '_main_' },
      ip: '10.0.0.5',
    },
    'INVALID_DOMAIN_NAME',
  ),
  fails(
    'all',
    'unregistered code from a header',
    {
      host: 'api.internal',
      path: '/internal/sync',
      headers: { 'x-tenant-id': 'ghost' },
      ip: '10.0.0.5',
    },
    'DOMAIN_NOT_FOUND',
  ),
  ok(
    'all',
    'custom host beats a trusted header',
    {
      host: 'customdomain.com',
      path: '/internal/sync',
      headers: { 'x-tenant-id': 'techstore' },
      ip: '10.0.0.5',
    },
    { domain: 'wizamart', via: 'host' },
  ),
  ok(
    'headerFirst',
    'header first in the chain wins',
    {
      host: 'customdomain.com',
      headers: { 'x-tenant-id': 'techstore' },
    },
    { domain: 'techstore', via: 'header' },
  ),
  ok(
    'hostFirst',
    'host first in the chain wins',
    {
      host: 'customdomain.com',
      headers: { 'x-tenant-id': 'techstore' },
    },
    { domain: 'wizamart', via: 'host' },
  ),

  // ── query ───────────────────────────────────────────────────────────────
  ok(
    'all',
    'query on a preview route',
    { host: 'api.internal', path: '/preview/home', query: 'tenant_id=techstore' },
    {
      domain: 'techstore',
      via: 'query',
    },
  ),
  ok(
    'all',
    'query is folded to lower case',
    { host: 'api.internal', path: '/preview/x', query: 'tenant_id=TECHSTORE' },
    {
      domain: 'techstore',
      via: 'query',
    },
  ),
  ok(
    'all',
    'repeated parameter: the first value counts',
    {
      host: 'api.internal',
      path: '/preview/x',
      query: 'tenant_id=acme&tenant_id=techstore',
    },
    { domain: 'acme', via: 'query' },
  ),
  fails(
    'all',
    'query outside its routes is ignored',
    {
      host: 'api.internal',
      path: '/home',
      query: 'tenant_id=techstore',
    },
    'DOMAIN_NOT_FOUND',
  ),
  fails(
    'all',
    'query with a space',
    { host: 'api.internal', path: '/preview/x', query: 'tenant_id=tech+store' },
    'INVALID_DOMAIN_NAME',
  ),
  fails(
    'all',
    'query with a traversal',
    { host: 'api.internal', path: '/preview/x', query: 'tenant_id=..%2Facme' },
    'INVALID_DOMAIN_NAME',
  ),
  ok(
    'all',
    'header beats query',
    {
      host: 'api.internal',
      path: '/internal/sync',
      headers: { 'x-tenant-id': 'acme' },
      query: 'tenant_id=techstore',
      ip: '10.0.0.5',
    },
    { domain: 'acme', via: 'header' },
  ),
  ok(
    'all',
    'query answers when the header is untrusted',
    {
      host: 'api.internal',
      path: '/internal/sync',
      headers: { 'x-tenant-id': 'acme' },
      query: 'tenant_id=techstore',
      ip: '203.0.113.9',
    },
    { domain: 'techstore', via: 'query' },
  ),

  // ── cookie: lowest priority ─────────────────────────────────────────────
  ok(
    'all',
    'cookie on a shared host',
    { host: 'api.internal', path: '/home', cookies: { md_domain: 'techstore' } },
    {
      domain: 'techstore',
      via: 'cookie',
    },
  ),
  ok(
    'all',
    'query beats cookie',
    {
      host: 'api.internal',
      path: '/preview/x',
      query: 'tenant_id=acme',
      cookies: { md_domain: 'techstore' },
    },
    { domain: 'acme', via: 'query' },
  ),
  ok(
    'all',
    'host beats cookie',
    { host: 'customdomain.com', cookies: { md_domain: 'techstore' } },
    {
      domain: 'wizamart',
      via: 'host',
    },
  ),
  ok(
    'all',
    'subdomain beats cookie',
    { host: 'wizamart.myplatform.com', cookies: { md_domain: 'techstore' } },
    {
      domain: 'wizamart',
      via: 'subdomain',
    },
  ),
  ok(
    'all',
    'path beats cookie',
    {
      host: 'myplatform.com',
      path: '/stores/wizamart/shop',
      cookies: { md_domain: 'techstore' },
    },
    { domain: 'wizamart', via: 'path', path: '/shop', cookiePath: '/stores/wizamart' },
  ),
  ok(
    'all',
    'cookie is folded to lower case',
    { host: 'api.internal', cookies: { md_domain: 'Kiosk' } },
    {
      domain: 'kiosk',
      via: 'cookie',
    },
  ),
  fails(
    'all',
    'tampered cookie',
    { host: 'api.internal', cookies: { md_domain: '../kiosk' } },
    'INVALID_DOMAIN_NAME',
  ),
  fails(
    'all',
    'cookie of a removed domain on a shared host',
    {
      host: 'api.internal',
      cookies: { md_domain: 'ghost' },
    },
    'DOMAIN_NOT_FOUND',
  ),
  ok(
    'all',
    'cookie of a removed domain on a root host',
    { host: 'myplatform.com', cookies: { md_domain: 'ghost' } },
    root,
  ),
  fails('all', 'empty cookie', { host: 'api.internal', cookies: { md_domain: '' } }, 'DOMAIN_NOT_FOUND'),
  fails(
    'all',
    'cookie is never read on a host it is not configured for',
    { host: 'nope.example', cookies: { md_domain: 'kiosk' } },
    'DOMAIN_NOT_FOUND',
  ),
  fails(
    'all',
    'cookie is never read on a reserved label of the base domain',
    { host: 'www.myplatform.com', cookies: { md_domain: 'kiosk' } },
    'DOMAIN_NOT_FOUND',
  ),
  fails(
    'all',
    'another cookie name',
    { host: 'api.internal', cookies: { other: 'kiosk' } },
    'DOMAIN_NOT_FOUND',
  ),

  // ── defaults: header and query are off ──────────────────────────────────
  ok(
    'defaults',
    'header is off by default',
    { host: 'shared.example', headers: { 'x-tenant-id': 'acme' } },
    root,
  ),
  ok('defaults', 'query is off by default', { host: 'shared.example', query: 'tenant_id=acme' }, root),
  ok(
    'defaults',
    'a disabled header is never validated',
    { host: 'shared.example', headers: { 'x-tenant-id': '../..' } },
    root,
  ),
  fails(
    'defaults',
    'disabled header on an unknown host fails closed',
    {
      host: 'nope.example',
      headers: { 'x-tenant-id': 'acme' },
    },
    'DOMAIN_NOT_FOUND',
  ),
  ok(
    'defaults',
    'cookie still answers on a root host',
    { host: 'shared.example', cookies: { md_domain: 'acme' } },
    {
      domain: 'acme',
      via: 'cookie',
    },
  ),
  fails(
    'defaults',
    'cookie is never read on an unknown host (fails closed)',
    { host: 'nope.example', cookies: { md_domain: 'acme' } },
    'DOMAIN_NOT_FOUND',
  ),
  fails('defaults', 'nothing answers an unknown host', { host: 'nope.example' }, 'DOMAIN_NOT_FOUND'),

  // ── bare base domain answers the root domain ────────────────────────────
  ok('bareRoot', 'bare base domain', { host: 'myplatform.com' }, { domain: '_main_', via: 'subdomain' }),
  ok(
    'bareRoot',
    'second bare base domain',
    { host: 'EU.platform.io' },
    { domain: '_main_', via: 'subdomain' },
  ),
  ok(
    'bareRoot',
    'bare base domain ends the chain before path',
    {
      host: 'myplatform.com',
      path: '/stores/wizamart/shop',
    },
    { domain: '_main_', via: 'subdomain', path: '/stores/wizamart/shop' },
  ),
  ok(
    'bareRoot',
    'code under the second base domain',
    { host: 'techstore.eu.platform.io' },
    {
      domain: 'techstore',
      via: 'subdomain',
    },
  ),
  ok(
    'bareRoot',
    'a custom reserved list replaces the default',
    { host: 'api.myplatform.com' },
    {
      domain: 'api',
      via: 'subdomain',
    },
  ),
  fails('bareRoot', 'custom reserved label', { host: 'status.myplatform.com' }, 'DOMAIN_NOT_FOUND'),
  fails('bareRoot', 'the parent of a base domain is not one', { host: 'platform.io' }, 'DOMAIN_NOT_FOUND'),
];

describe('resolution table', () => {
  const sites = new Map<ChainName, Site>();

  beforeAll(async () => {
    for (const [name, chain] of Object.entries(CHAINS) as [ChainName, (typeof CHAINS)[ChainName]][]) {
      sites.set(
        name,
        await createSite({ resolvers: chain.resolvers(), domains: DOMAINS, rootHosts: chain.rootHosts }),
      );
    }
  });

  it('has at least 80 cases with unique names per chain', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(80);
    expect(new Set(CASES.map((c) => `${c.chain}: ${c.name}`)).size).toBe(CASES.length);
  });

  it.each(CASES)('$chain: $name', async ({ chain, req, expect: expected }) => {
    const site = sites.get(chain)!;
    const neutral = request(req);
    if ('error' in expected) {
      let error: unknown;
      try {
        await site.resolve(neutral);
      } catch (e) {
        error = e;
      }
      expect(MdError.is(error), `expected an MdError, got ${String(error)}`).toBe(true);
      expect(error).toMatchObject({ code: expected.error, status: expected.status });
      // Every resolver here is synchronous, so resolution is too: it fails by throwing at once,
      // and so does locating alone (Fastify's rewriteUrl) unless only a policy refuses.
      expect(() => site.resolve(neutral)).toThrow(expect.objectContaining({ code: expected.error }));
      if (!['DOMAIN_SUSPENDED', 'DOMAIN_DISABLED'].includes(expected.error)) {
        expect(() => site.locate(neutral)).toThrow(expect.objectContaining({ code: expected.error }));
      }
      return;
    }
    const resolved = await site.resolve(neutral);
    const answer = {
      domain: resolved.domain.name,
      via: resolved.via,
      path: resolved.path,
      cookiePath: resolved.cookiePath,
    };
    expect(answer).toEqual({
      domain: expected.domain,
      via: expected.via,
      path: expected.path ?? neutral.path,
      // Only path mode scopes cookies below "/".
      cookiePath: expected.cookiePath ?? '/',
    });
    const sync = site.resolve(neutral);
    expect(sync).not.toBeInstanceOf(Promise);
    const { domain, via, path } = sync as Awaited<typeof sync>;
    expect([domain.name, via, path]).toEqual([answer.domain, answer.via, answer.path]);
    const located = site.locate(neutral) as Awaited<typeof sync>;
    expect([located.domain.name, located.via, located.path]).toEqual([
      answer.domain,
      answer.via,
      answer.path,
    ]);
  });
});
