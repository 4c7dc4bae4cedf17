import type { DomainProxy } from './proxy.js';

/**
 * The read-only view of a site's domains that resolvers, policies, plugins
 * and isolation strategies receive: lookups by name and by host are single
 * Map reads, whatever the number of domains. Only `site.domains` (the
 * collection) can change them.
 *
 * @example
 * const resolver: DomainResolver = {
 *   name: 'first-label',
 *   resolve: (_req, { host, domains }) => {
 *     const code = host.split('.')[0]!;
 *     return domains.has(code) ? { domain: code, via: 'first-label' } : undefined;
 *   },
 * };
 */
export interface DomainLookup extends Iterable<DomainProxy> {
  /** The root domain's name (`'_main_'` unless configured). */
  readonly rootDomain: string;
  /** The root domain's proxy (always registered). */
  readonly root: DomainProxy;
  /** Number of domains, the root domain included. */
  readonly size: number;
  get(name: string): DomainProxy | undefined;
  /** Like `get`, but throws `DOMAIN_NOT_FOUND` for an unknown name. */
  require(name: string): DomainProxy;
  has(name: string): boolean;
  /** The domain owning an exact, already normalised host (see `normalizeHost`). */
  findByHost(host: string): DomainProxy | undefined;
  /** Names of every domain, the root domain first. */
  names(): string[];
}
