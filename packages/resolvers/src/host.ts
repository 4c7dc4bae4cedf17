import type { DomainResolver } from '@md/core';

/**
 * Options of {@link hostResolver}.
 *
 * @example
 * hostResolver({ name: 'custom-domain' });
 */
export interface HostResolverOptions {
  /** The resolver's name, also reported as `via` (default `'host'`). */
  name?: string;
}

/**
 * The custom-domain resolver: answers the domain that owns the request's
 * exact host (`acme.com`, `www.acme.com` and `shop.acme.com` may all belong to
 * one domain). It reads the host core has already normalised (lower case, no
 * port or trailing dot, IDN as punycode) and looks it up in the
 * DomainHandler's host index — one Map read, whatever the number of domains.
 * Hosts nobody owns are left to the next resolver. Highest trust: a host only
 * reaches a domain after an operator registered it.
 *
 * @example
 * const site = await createSite({
 *   resolvers: [hostResolver()],
 *   domains: [{ name: 'acme', hosts: ['acme.com', 'www.acme.com'] }],
 * });
 * (await site.resolve(request)).domain.name; // 'acme' for Host: WWW.ACME.COM:443
 */
export function hostResolver({ name = 'host' }: HostResolverOptions = {}): DomainResolver {
  return {
    name,
    resolve: function resolveHost(_req, ctx) {
      // Core looked the host up once for the chain (undefined: nobody owns it); a context made by hand may lack it.
      const domain = 'hostOwner' in (ctx as object) ? ctx.hostOwner : ctx.domains.findByHost(ctx.host);
      return domain === undefined ? undefined : { domain: domain.name, via: name };
    },
  };
}
