import { type DomainResolver, MdError } from '@md/core';
import { toDomainCode } from './internal/domain-code.js';

/**
 * Options of {@link cookieResolver}: the cookie that remembers the domain.
 *
 * @example
 * cookieResolver({ cookie: 'workspace' });
 */
export interface CookieResolverOptions {
  /** The cookie remembering the chosen domain (default `'md_domain'`). */
  cookie?: string;
  /** The resolver's name, also reported as `via` (default `'cookie'`). */
  name?: string;
}

/**
 * The cookie resolver: a remembered domain preference (a choice kept in a
 * cookie), e.g. the workspace a user picked on a shared host.
 * Lowest trust — the browser stores it and anyone can edit it — so put it
 * last in the chain, let it choose only among domains the user may see, and
 * never treat it as authorisation. The value is folded to lower case and
 * must be a domain code (400 `INVALID_DOMAIN_NAME` otherwise, whose message
 * says to clear the cookie); a code nobody registered (a removed domain) is
 * left to the next resolver.
 *
 * @example
 * createSite({
 *   resolvers: [hostResolver(), pathResolver(), cookieResolver({ cookie: 'workspace' })],
 *   domains: [{ name: 'acme' }],
 * });
 * // Cookie: workspace=acme on a shared host -> 'acme' via 'cookie'
 */
export function cookieResolver({
  cookie = 'md_domain',
  name = 'cookie',
}: CookieResolverOptions = {}): DomainResolver {
  if (typeof cookie !== 'string' || cookie === '') {
    throw MdError.invalidOptions(`${name}: cookie must be a cookie name, e.g. "md_domain"`);
  }
  const source = `cookie "${cookie}" (clear it to choose again)`;
  return {
    name,
    resolve: function resolveCookie(req, ctx) {
      const cookies = req.cookies;
      const value = cookies !== undefined && Object.hasOwn(cookies, cookie) ? cookies[cookie] : undefined;
      if (typeof value !== 'string' || value === '') return undefined;
      const code = toDomainCode(value, source);
      return ctx.domains.has(code) ? { domain: code, via: name } : undefined;
    },
  };
}
