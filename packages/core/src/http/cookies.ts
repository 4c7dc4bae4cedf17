import { parseCookie, stringifySetCookie } from 'cookie';
import type { DomainCookieOptions } from '../context/cookie-options.js';
import { MdError } from '../errors/md-error.js';

/**
 * Parses a `Cookie` request header (with `cookie`) into a name → value map
 * with no prototype, so `__proto__` is an ordinary cookie. The first
 * occurrence of a name wins (browsers send the most specific path first),
 * quoted values are unquoted, a part without a name is dropped and a value
 * that does not percent-decode is kept as sent.
 *
 * @example
 * parseCookieHeader('md_domain=acme; theme=dark'); // { md_domain: 'acme', theme: 'dark' }
 */
export function parseCookieHeader(header: string | null | undefined): Record<string, string> {
  const cookies = parseCookie(header ?? '', { decode: decodeValue }) as Record<string, string>;
  delete cookies[''];
  return cookies;
}

/**
 * Serialises a `Set-Cookie` header value (with `cookie`) from a name, a
 * value and the options `cookieOptions()` gives, for frameworks without a
 * cookie API (bare Fastify). md's rule on top: it never writes a `Domain=`
 * attribute, so the cookie stays host-only. Throws `INVALID_OPTIONS` for a
 * name that is not an HTTP token.
 *
 * @example
 * reply.header('set-cookie', serializeCookie('sid', id, cookieOptions()));
 * // 'sid=…; Path=/stores/acme; HttpOnly; SameSite=Lax'
 */
export function serializeCookie(
  name: string,
  value: string,
  options: DomainCookieOptions & { maxAge?: number; expires?: Date },
): string {
  const { path, httpOnly, secure, sameSite, maxAge, expires } = options;
  try {
    return stringifySetCookie({
      name,
      value,
      path,
      httpOnly,
      secure,
      sameSite,
      ...(maxAge === undefined ? {} : { maxAge: Math.floor(maxAge) }),
      ...(expires === undefined ? {} : { expires }),
    });
  } catch (error) {
    throw MdError.invalidOptions(`cookie ${JSON.stringify(name)}: ${(error as Error).message}`, error);
  }
}

function decodeValue(raw: string): string {
  const value = raw.length > 1 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
