import type { IncomingMessage } from 'node:http';
import { MdError } from './errors.js';
import type { DomainCookieOptions } from './site.js';
import type { RequestLike } from './types.js';

/**
 * Options every framework adapter accepts, so the three read a request the same way.
 *
 * @example
 * app.use(mdExpress(site, { trustForwardedHost: true }));
 */
export interface AdapterOptions {
  /**
   * Read the host from the first `X-Forwarded-Host` value instead of `Host`.
   * Off by default: turn it on only behind a proxy you run that overwrites
   * the header, or any client can pick its domain by sending one.
   */
  trustForwardedHost?: boolean;
}

/**
 * Parses a `Cookie` request header into a name → value map. The first
 * occurrence of a name wins (browsers send the most specific path first),
 * quoted values are unquoted and percent-decoding errors keep the raw value.
 *
 * @example
 * parseCookieHeader('md_domain=acme; theme=dark'); // { md_domain: 'acme', theme: 'dark' }
 */
export function parseCookieHeader(header: string | null | undefined): Record<string, string> {
  // A null prototype: a cookie named "__proto__" or "constructor" is just a cookie.
  const cookies: Record<string, string> = Object.create(null);
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name === '' || name in cookies) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length > 1 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    cookies[name] = safeDecode(value);
  }
  return cookies;
}

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Serialises a `Set-Cookie` header value from a name, a value and the options
 * `site.cookieOptions()` gives, for frameworks without a cookie API (bare
 * Fastify). It never writes a `Domain=` attribute, so the cookie stays
 * host-only. Throws `INVALID_OPTIONS` for a name that is not an HTTP token.
 *
 * @example
 * reply.header('set-cookie', serializeCookie('sid', id, site.cookieOptions()));
 * // 'sid=…; Path=/stores/acme; HttpOnly; SameSite=Lax'
 */
export function serializeCookie(
  name: string,
  value: string,
  options: DomainCookieOptions & { maxAge?: number; expires?: Date },
): string {
  if (!COOKIE_NAME.test(name))
    throw MdError.invalidOptions(`cookie name ${JSON.stringify(name)} is not a token`);
  let cookie = `${name}=${encodeURIComponent(value)}; Path=${options.path}`;
  if (options.maxAge !== undefined) cookie += `; Max-Age=${Math.floor(options.maxAge)}`;
  if (options.expires !== undefined) cookie += `; Expires=${options.expires.toUTCString()}`;
  if (options.httpOnly) cookie += '; HttpOnly';
  if (options.secure) cookie += '; Secure';
  return `${cookie}; SameSite=${options.sameSite === 'strict' ? 'Strict' : 'Lax'}`;
}

/**
 * Builds the neutral {@link RequestLike} from a Node.js request, the one
 * object under Express's `req`, Fastify's `request.raw` and Koa's `ctx.req`,
 * so every adapter hands resolvers the same thing: the `Host` header (never
 * `X-Forwarded-Host` unless `trustForwardedHost`), the path without the query
 * string, case-insensitive headers, the query and the parsed cookies.
 *
 * @example
 * const resolved = await site.resolve(createRequestLike(req, 'express'));
 */
export function createRequestLike(
  req: IncomingMessage,
  kind: RequestLike['kind'],
  options: AdapterOptions = {},
): RequestLike {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const headers = req.headers;
  const forwarded = options.trustForwardedHost ? headerValue(headers['x-forwarded-host']) : undefined;
  let query: URLSearchParams | undefined;
  let cookies: Record<string, string> | undefined;
  return {
    host: forwarded?.split(',')[0]?.trim() || (headers.host ?? ''),
    path: q < 0 ? url : url.slice(0, q),
    headers: { get: (name) => headerValue(headers[name.toLowerCase()]) },
    // Parsed on first use: most chains never read the query or the cookies.
    get query() {
      query ??= new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
      return query;
    },
    get cookies() {
      cookies ??= parseCookieHeader(headers.cookie);
      return cookies;
    },
    ip: req.socket?.remoteAddress,
    kind,
    raw: req,
  };
}

/**
 * Replaces the path of a request URL and keeps its query string: how the
 * adapters route a path-mode request (`/stores/acme/shop?page=2`) on its
 * clean path (`/shop?page=2`).
 *
 * @example
 * withPath('/stores/acme/shop?page=2', '/shop'); // '/shop?page=2'
 */
export function withPath(url: string, path: string): string {
  const q = url.indexOf('?');
  return q < 0 ? path : path + url.slice(q);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function safeDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
