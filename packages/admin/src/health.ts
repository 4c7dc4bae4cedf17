import type { DomainHealth, DomainProxy, PluginSite } from '@md/core';

/** What {@link siteHealth} answers: every checked domain, and whether all are fine. */
export interface SiteHealth {
  ok: boolean;
  domains: Record<string, DomainHealth>;
}

/** How many domains `siteHealth` checks at once when it checks them all. */
const FLEET_CONCURRENCY = 8;

/**
 * Health of one domain or, without a name, of every domain.
 *
 * - **One domain** (`siteHealth(site, 'acme')`): the isolation strategy's
 *   `health(domain)`, which reaches the domain's data (and may open its pool).
 * - **Every domain**: a cheap existence probe per domain, the strategy's
 *   `isProvisioned(name)`, which opens no request pool, so checking 300
 *   domains of a database-per-domain site with a budget of 5 pools evicts
 *   none; at most 8 probes run at once. A strategy without `isProvisioned`
 *   gets `health(domain)` instead.
 *
 * A domain whose check throws is `{ ok: false, error }`, one whose store is
 * missing `{ ok: false, error: 'not provisioned' }`: error texts are for the
 * operator (the admin API answers them behind its token, never on a
 * domain's public health path). An unknown name throws `DOMAIN_NOT_FOUND`.
 *
 * @example
 * const { ok, domains } = await siteHealth(site, 'acme'); // { ok: true, domains: { acme: { ok: true, ms: 1.2 } } }
 */
export async function siteHealth(site: PluginSite, name?: string): Promise<SiteHealth> {
  const domains: Record<string, DomainHealth> = {};
  if (name !== undefined) {
    const domain = site.domains.require(name);
    domains[domain.name] = await check(() => connected(site, domain));
    return { ok: domains[domain.name]!.ok, domains };
  }
  const queue = [...site.domains];
  const probe = site.isolation?.isProvisioned?.bind(site.isolation);
  const worker = async (): Promise<void> => {
    for (let domain = queue.shift(); domain !== undefined; domain = queue.shift()) {
      const target = domain;
      domains[target.name] = await check(async () => {
        if (probe === undefined) return connected(site, target);
        const started = performance.now();
        const exists = await probe(target.name);
        const ms = performance.now() - started;
        return exists ? { ok: true, ms } : { ok: false, ms, error: 'not provisioned' };
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(FLEET_CONCURRENCY, queue.length) }, worker));
  const ordered: Record<string, DomainHealth> = {};
  for (const domain of site.domains)
    if (domains[domain.name] !== undefined) ordered[domain.name] = domains[domain.name]!;
  return { ok: Object.values(ordered).every((d) => d.ok), domains: ordered };
}

async function connected(site: PluginSite, domain: DomainProxy): Promise<DomainHealth> {
  const started = performance.now();
  return (await site.isolation?.health?.(domain)) ?? { ok: true, ms: performance.now() - started };
}

async function check(run: () => Promise<DomainHealth>): Promise<DomainHealth> {
  const started = performance.now();
  try {
    return await run();
  } catch (error) {
    return { ok: false, ms: performance.now() - started, error: (error as Error)?.message ?? String(error) };
  }
}
