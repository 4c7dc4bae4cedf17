import { type DomainResolver, MdError } from '@md/core';
import { toDomainCode } from './internal/domain-code.js';
import { normalizeHostOption } from './internal/host-option.js';

/**
 * Options of {@link cookieResolver}: the cookie that remembers the domain,
 * and the hosts where it may choose one.
 *
 * @example
 * cookieResolver({ cookie: 'workspace', hosts: ['app.platform.com'] });
 */
export interface CookieResolverOptions {
  /** The cookie remembering the chosen domain (default `'md_domain'`). */
  cookie?: string;
  /**
   * The shared hosts where the cookie chooses among domains (default: the
   * site's `rootHosts`). On any other host the cookie is never read, so a
   * request to an unknown or reserved host is not served as the cookie's
   * domain. Hosts listed here are reserved: no domain can claim them.
   */
  hosts?: string[];
  /** The resolver's name, also reported as `via` (default `'cookie'`). */
  name?: string;
}

/**
 * The cookie resolver: a remembered domain preference (a choice kept in a
 * cookie), e.g. the workspace a user picked on a shared host. It answers
 * only on the hosts configured for it (`hosts`, by default the site's
 * `rootHosts`) and fails closed everywhere else. Lowest trust — the browser
 * stores it and anyone can edit it — so put it last in the chain, let it
 * choose only among domains the user may see, and never treat it as
 * authorisation. The value is folded to lower case and must be a domain code
 * (400 `INVALID_DOMAIN_NAME` otherwise, whose message says to clear the
 * cookie); a code nobody registered (a removed domain) is left to the next
 * resolver.
 *
 * @example
 * createSite({
 *   resolvers: [hostResolver(), pathResolver(), cookieResolver({ cookie: 'workspace' })],
 *   domains: [{ name: 'acme' }],
 *   rootHosts: ['platform.com'],
 * });
 * // Cookie: workspace=acme on platform.com -> 'acme' via 'cookie'; on any other host: not read
 */
export function cookieResolver({
  cookie = 'md_domain',
  hosts,
  name = 'cookie',
}: CookieResolverOptions = {}): DomainResolver {
  if (typeof cookie !== 'string' || cookie === '') {
    throw MdError.invalidOptions(`${name}: cookie must be a cookie name, e.g. "md_domain"`);
  }
  let onlyHosts: ReadonlySet<string> | undefined;
  if (hosts !== undefined) {
    if (!Array.isArray(hosts)) throw MdError.invalidOptions(`${name}: hosts must be a list of host names`);
    onlyHosts = new Set(hosts.map((host) => normalizeHostOption(host, `${name}: hosts`)));
  }
  const source = `cookie "${cookie}" (clear it to choose again)`;
  return {
    name,
    ...(onlyHosts === undefined ? {} : { reserved: { hosts: [...onlyHosts] } }),
    resolve: function resolveCookie(req, ctx) {
      if (!(onlyHosts ?? ctx.rootHosts).has(ctx.host)) return undefined;
      const cookies = req.cookies;
      const value = cookies !== undefined && Object.hasOwn(cookies, cookie) ? cookies[cookie] : undefined;
      if (typeof value !== 'string' || value === '') return undefined;
      const code = toDomainCode(value, source);
      return ctx.domains.has(code) ? { domain: code, via: name } : undefined;
    },
  };
}
