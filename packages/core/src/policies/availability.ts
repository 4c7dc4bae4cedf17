import { MdError } from '../errors/md-error.js';
import type { DomainPolicy } from './contract.js';

/**
 * Options of {@link availability}.
 *
 * @example
 * availability({ allow: ['/health', '/billing/*'] });
 */
export interface AvailabilityOptions {
  /**
   * Paths that keep answering for suspended or disabled domains (health,
   * billing, login to pay), matched on the clean path. An entry ending in
   * `/*` matches that prefix and the prefix itself.
   */
  allow?: string[];
}

/**
 * The status policy: refuses a `suspended` domain with `403 DOMAIN_SUSPENDED`
 * and a `disabled` one with `403 DOMAIN_DISABLED`, except on the paths in
 * `allow`. A status change applies on the next request. A site whose
 * `policies` list has no availability policy runs `availability()` first,
 * so an unavailable domain is never served by omission.
 *
 * @example
 * const site = await createSite({
 *   policies: [availability({ allow: ['/health', '/billing/*'] }), rateLimit({ tiers })],
 * });
 */
export function availability({ allow = [] }: AvailabilityOptions = {}): DomainPolicy {
  if (!Array.isArray(allow) || allow.some((p) => typeof p !== 'string' || !p.startsWith('/'))) {
    throw MdError.invalidOptions(
      'availability: allow must be a list of paths, e.g. ["/health", "/billing/*"]',
    );
  }
  const exact = new Set(allow.filter((p) => !p.endsWith('/*')));
  const prefixes = allow.filter((p) => p.endsWith('/*')).map((p) => p.slice(0, -1));
  const allowed = (path: string): boolean => {
    if (exact.has(path)) return true;
    for (const prefix of prefixes) if (path.startsWith(prefix) || `${path}/` === prefix) return true;
    return false;
  };
  return {
    name: 'availability',
    check: function checkAvailability({ domain, path }) {
      if (domain.isAvailable || allowed(path)) return;
      throw MdError.domainUnavailable(domain.name, domain.status as 'suspended' | 'disabled');
    },
  };
}
