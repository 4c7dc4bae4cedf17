import { parseSetCookie } from 'set-cookie-parser';
import type { ClientResponse } from './http-client.js';

/** One request of the suite's tables. */
export interface Case {
  title: string;
  host: string;
  path: string;
  headers?: Record<string, string>;
}

/** A resolved request: which route answered, for which domain, found how, on which URL. */
export interface Resolved extends Case {
  route: string;
  domain: string;
  via: string;
  url: string;
}

/** Every resolver mode, and what each must answer. */
export const MODES: Resolved[] = [
  {
    title: 'host',
    host: 'acme.example',
    path: '/whoami',
    route: 'whoami',
    domain: 'acme',
    via: 'host',
    url: '/whoami',
  },
  {
    title: 'host, normalised (case, port, trailing dot)',
    host: 'ACME.Example.:8080',
    path: '/whoami',
    route: 'whoami',
    domain: 'acme',
    via: 'host',
    url: '/whoami',
  },
  {
    title: 'subdomain',
    host: 'globex.platform.test',
    path: '/whoami',
    route: 'whoami',
    domain: 'globex',
    via: 'subdomain',
    url: '/whoami',
  },
  {
    title: 'path, routed on the clean path with the query kept',
    host: 'platform.test',
    path: '/stores/acme/shop/products?page=2',
    route: 'products',
    domain: 'acme',
    via: 'path',
    url: '/shop/products?page=2',
  },
  {
    title: 'path, second pattern',
    host: 'platform.test',
    path: '/store/globex/whoami',
    route: 'whoami',
    domain: 'globex',
    via: 'path',
    url: '/whoami',
  },
  {
    title: 'header',
    host: 'platform.test',
    path: '/whoami',
    headers: { 'x-tenant-id': 'globex' },
    route: 'whoami',
    domain: 'globex',
    via: 'header',
    url: '/whoami',
  },
  {
    title: 'query',
    host: 'platform.test',
    path: '/whoami?tenant_id=globex',
    route: 'whoami',
    domain: 'globex',
    via: 'query',
    url: '/whoami?tenant_id=globex',
  },
  {
    title: 'cookie',
    host: 'platform.test',
    path: '/whoami',
    headers: { cookie: 'theme=dark; md_domain=globex' },
    route: 'whoami',
    domain: 'globex',
    via: 'cookie',
    url: '/whoami',
  },
  {
    title: 'root host fallback',
    host: 'platform.test',
    path: '/whoami',
    route: 'whoami',
    domain: '_main_',
    via: 'root',
    url: '/whoami',
  },
  {
    title: 'X-Forwarded-Host is not trusted by default',
    host: 'platform.test',
    path: '/whoami',
    headers: { 'x-forwarded-host': 'acme.example' },
    route: 'whoami',
    domain: '_main_',
    via: 'root',
    url: '/whoami',
  },
];

/** Paths the availability policy keeps open for suspended and disabled domains. */
export const ALLOWED: Resolved[] = [
  {
    title: 'suspended, exact entry',
    host: 'frozen.example',
    path: '/health',
    route: 'health',
    domain: 'frozen',
    via: 'host',
    url: '/health',
  },
  {
    title: 'suspended, prefix entry',
    host: 'frozen.example',
    path: '/billing/invoices',
    route: 'invoices',
    domain: 'frozen',
    via: 'host',
    url: '/billing/invoices',
  },
  {
    title: 'suspended, path mode (the clean path is checked)',
    host: 'platform.test',
    path: '/stores/frozen/health',
    route: 'health',
    domain: 'frozen',
    via: 'path',
    url: '/health',
  },
  {
    title: 'disabled',
    host: 'closed.example',
    path: '/health',
    route: 'health',
    domain: 'closed',
    via: 'host',
    url: '/health',
  },
];

/** Requests that must be refused, with the status and code. */
export const ERRORS: Array<Case & { status: number; code: string }> = [
  { title: 'unknown host', host: 'nobody.example', path: '/whoami', status: 404, code: 'DOMAIN_NOT_FOUND' },
  {
    title: 'unknown subdomain',
    host: 'ghost.platform.test',
    path: '/whoami',
    status: 404,
    code: 'DOMAIN_NOT_FOUND',
  },
  {
    title: 'unknown store on a host that is not a root host',
    host: 'nobody.example',
    path: '/stores/ghost/whoami',
    status: 404,
    code: 'DOMAIN_NOT_FOUND',
  },
  { title: 'suspended', host: 'frozen.example', path: '/whoami', status: 403, code: 'DOMAIN_SUSPENDED' },
  {
    title: 'suspended, path mode',
    host: 'platform.test',
    path: '/stores/frozen/whoami',
    status: 403,
    code: 'DOMAIN_SUSPENDED',
  },
  { title: 'disabled', host: 'closed.example', path: '/whoami', status: 403, code: 'DOMAIN_DISABLED' },
  { title: 'bad host', host: 'bad..host', path: '/whoami', status: 400, code: 'INVALID_HOST' },
  {
    title: 'bad host characters',
    host: 'acme.example/x',
    path: '/whoami',
    status: 400,
    code: 'INVALID_HOST',
  },
  {
    title: 'bad domain code in a header',
    host: 'platform.test',
    path: '/whoami',
    headers: { 'x-tenant-id': 'no_such!' },
    status: 400,
    code: 'INVALID_DOMAIN_NAME',
  },
  {
    title: 'path escaping its store prefix',
    host: 'platform.test',
    path: '/stores/acme/%2e%2e/whoami',
    status: 400,
    code: 'INVALID_PATH',
  },
];

/** Where a cookie set by the domain must be scoped. */
export const COOKIES: Array<Case & { cookiePath: string }> = [
  { title: 'host mode', host: 'acme.example', path: '/set-cookie', cookiePath: '/' },
  { title: 'subdomain mode', host: 'acme.platform.test', path: '/set-cookie', cookiePath: '/' },
  { title: 'path mode', host: 'platform.test', path: '/stores/acme/set-cookie', cookiePath: '/stores/acme' },
];

/** What a resolved request must answer, whatever the framework. */
export function expectedAnswer({ route, domain, via, url }: Resolved) {
  return {
    status: 200,
    debug: `${domain}; via=${via}`,
    body: { route, typed: domain, current: domain, deep: domain, via, url },
  };
}

/** What the suite compares of a resolved answer. */
export function answer(res: ClientResponse) {
  return { status: res.status, debug: res.headers['x-md-domain'], body: res.body };
}

/** Parses the Set-Cookie headers (with set-cookie-parser) into the attributes the suite compares. */
export function parseSetCookies(headers: string[]) {
  return parseSetCookie(headers, { decodeValues: true }).map((cookie) => ({
    name: cookie.name,
    value: cookie.value,
    path: cookie.path,
    domain: cookie.domain,
    httpOnly: cookie.httpOnly === true,
    sameSite: String(cookie.sameSite).toLowerCase(),
  }));
}
