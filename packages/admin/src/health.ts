import type { DomainHealth, PluginSite } from '@md/core';

/** What {@link siteHealth} answers: every checked domain, and whether all are fine. */
export interface SiteHealth {
  ok: boolean;
  domains: Record<string, DomainHealth>;
}

/**
 * Health of one domain (its data reachable, through the isolation
 * strategy's `health`) or, without a name, of every domain, checked in
 * parallel. A domain whose check throws is `{ ok: false, error }`; an
 * unknown name throws `DOMAIN_NOT_FOUND`.
 *
 * @example
 * const { ok, domains } = await siteHealth(site, 'acme'); // { ok: true, domains: { acme: { ok: true, ms: 1.2 } } }
 */
export async function siteHealth(site: PluginSite, name?: string): Promise<SiteHealth> {
  const targets = name === undefined ? [...site.domains] : [site.domains.require(name)];
  const domains: Record<string, DomainHealth> = {};
  await Promise.all(
    targets.map(async (domain) => {
      const started = performance.now();
      try {
        domains[domain.name] = (await site.isolation?.health?.(domain)) ?? {
          ok: true,
          ms: performance.now() - started,
        };
      } catch (error) {
        domains[domain.name] = {
          ok: false,
          ms: performance.now() - started,
          error: (error as Error).message,
        };
      }
    }),
  );
  return { ok: Object.values(domains).every((d) => d.ok), domains };
}
