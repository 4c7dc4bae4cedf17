import { type DomainResolver, MdError } from '@md/core';
import { toDomainCode } from './internal/domain-code.js';
import { normalizeHostOption } from './internal/host-option.js';

/**
 * Options of {@link subdomainResolver}: the base domains, the labels that
 * never name a domain, and what the bare base domain gets.
 *
 * @example
 * subdomainResolver({ baseDomains: ['myplatform.com'], reserved: ['www', 'admin', 'api', 'status'] });
 */
export interface SubdomainResolverOptions {
  /** The platform's base domains: `acme.platform.com` names `acme` when `platform.com` is one. */
  baseDomains: string[];
  /** Labels that never name a domain (default `['www', 'admin', 'api']`). */
  reserved?: string[];
  /**
   * What the bare base domain (`platform.com` itself) gets. `'next'` (the
   * default) answers nothing, so a path resolver later in the chain can still
   * serve `platform.com/stores/acme/…` and the site's `rootHosts` fallback
   * serves the rest: list the base domain in `rootHosts`. `'root'` answers the
   * root domain at once and ends the chain; use it only when no resolver after
   * this one needs the bare base domain.
   */
  bareDomain?: 'next' | 'root';
  /** The resolver's name, also reported as `via` (default `'subdomain'`). */
  name?: string;
}

/**
 * The subdomain resolver: `{code}.{baseDomain}` names the domain `code`, for
 * one or more base domains. Exactly one label may precede a base domain
 * (`x.acme.platform.com` is not matched). Reserved labels and the site's
 * `rootHosts` never name a domain; the bare base domain follows `bareDomain`.
 * The resolver reserves its base domains: no domain may list a base domain
 * or any host under it (`www.platform.com`, `acme.platform.com`) among its
 * `hosts`, checked when domains are registered, so a custom host can never
 * take over another domain's subdomain or a reserved label.
 * A label that cannot be a domain code (`_dmarc`, `ab`, over 50 characters) is
 * a 400 `INVALID_DOMAIN_NAME`; a valid code nobody registered is left to the
 * next resolver. Lookups are Set/Map reads: the cost does not grow with the
 * number of domains. High trust: the platform owns the base domain's DNS.
 *
 * @example
 * const site = await createSite({
 *   resolvers: [hostResolver(), subdomainResolver({ baseDomains: ['myplatform.com'] })],
 *   domains: [{ name: 'wizamart' }],
 *   rootHosts: ['myplatform.com', 'admin.myplatform.com'],
 * });
 * // Host: wizamart.myplatform.com -> 'wizamart' via 'subdomain'
 * // Host: www.myplatform.com      -> reserved: not a domain (404 unless a root host)
 */
export function subdomainResolver({
  baseDomains,
  reserved = ['www', 'admin', 'api'],
  bareDomain = 'next',
  name = 'subdomain',
}: SubdomainResolverOptions): DomainResolver {
  if (!Array.isArray(baseDomains) || baseDomains.length === 0) {
    throw MdError.invalidOptions(
      `${name}: baseDomains must list at least one base domain, e.g. ["platform.com"]`,
    );
  }
  if (!Array.isArray(reserved) || reserved.some((label) => typeof label !== 'string')) {
    throw MdError.invalidOptions(`${name}: reserved must be a list of labels, e.g. ["www", "admin", "api"]`);
  }
  if (bareDomain !== 'next' && bareDomain !== 'root') {
    throw MdError.invalidOptions(`${name}: bareDomain must be "next" or "root"`);
  }
  const bases = new Set(baseDomains.map((base) => normalizeHostOption(base, `${name}: baseDomains`)));
  const reservedLabels = new Set(reserved.map((label) => label.toLowerCase()));
  const answerBare = bareDomain === 'root';

  return {
    name,
    reserved: { domains: [...bases] },
    resolve: function resolveSubdomain(_req, ctx) {
      const host = ctx.host;
      if (ctx.rootHosts.has(host)) return undefined;
      if (bases.has(host)) return answerBare ? { domain: ctx.rootDomain, via: name } : undefined;
      const dot = host.indexOf('.');
      if (dot < 0 || !bases.has(host.slice(dot + 1))) return undefined;
      const label = host.slice(0, dot);
      if (reservedLabels.has(label)) return undefined;
      const code = toDomainCode(label, 'subdomain label');
      return ctx.domains.has(code) ? { domain: code, via: name } : undefined;
    },
  };
}
