import { adminApi } from '@md/admin';
import { availability, createSite, type DomainProxy, type IsolationStrategy, type Site } from '@md/core';
import { cookieResolver, hostResolver, pathResolver, subdomainResolver } from '@md/resolvers';
import type { ConformanceReply, ConformanceRoute } from '../adapter/types.js';

/** The admin token of the attack suite's site. */
export const ATTACK_ADMIN_TOKEN = 'attack-suite-admin-token-0123456789';

/** How long the attack site's admin API waits for a body before `408 REQUEST_TIMEOUT`. */
export const ATTACK_BODY_TIMEOUT_MS = 300;

/** The error text the `broken` domain's data layer fails with: it must never reach a public answer. */
export const BROKEN_DATABASE_ERROR =
  'connect ECONNREFUSED 10.0.0.7:5432 (user "broken_owner", db-7.internal)';

/**
 * An isolation-strategy test double for health checks: every domain's data
 * answers except `broken`'s, whose check fails with {@link BROKEN_DATABASE_ERROR}.
 */
function healthIsolation(): IsolationStrategy {
  return {
    name: 'health-double',
    capabilities: { rowLevel: true },
    init: async () => undefined,
    provision: async () => undefined,
    deprovision: async () => undefined,
    em: (domain: DomainProxy) => ({ domain: domain.name }),
    health: async (domain) => {
      if (domain.name === 'broken') throw new Error(BROKEN_DATABASE_ERROR);
      return { ok: true, ms: 0.1 };
    },
    isProvisioned: async () => true,
    close: async () => undefined,
  };
}

/**
 * The site every HTTP attack is aimed at, and the routes an app on it has.
 *
 * @example
 * const { site, routes } = await createAttackFixture();
 * const app = await harness.start(site, routes, {});
 */
export interface AttackFixture {
  readonly site: Site;
  readonly routes: readonly ConformanceRoute[];
}

/**
 * Builds the attack site, the mixed mode of a hosted product: custom
 * hosts, subdomains of `platform.test`, path mode and the cookie limited to
 * the root host `platform.test`; `acme`, `globex`, `initech` (subdomain and
 * path only), `frozen` (suspended, `/health` and `/billing/*` allowed),
 * `loopback` (owning `[::1]` and `127.0.0.1`) and `broken` (its data layer
 * down); the admin API (root hosts only, a 300 ms body timeout). Every route
 * answers `{ route, domain, via, url }`, so a test sees exactly who served it.
 *
 * @example
 * const fixture = await createAttackFixture();
 */
export async function createAttackFixture(): Promise<AttackFixture> {
  const site = await createSite({
    resolvers: [
      hostResolver(),
      subdomainResolver({ baseDomains: ['platform.test'] }),
      pathResolver({ hosts: ['platform.test'] }),
      cookieResolver(),
    ],
    rootHosts: ['platform.test'],
    domains: [
      { name: 'acme', hosts: ['acme.example'] },
      { name: 'globex', hosts: ['globex.example'] },
      { name: 'initech' },
      { name: 'frozen', hosts: ['frozen.example'], status: 'suspended' },
      { name: 'loopback', hosts: ['[::1]', '127.0.0.1'] },
      { name: 'broken', hosts: ['broken.example'] },
    ],
    policies: [availability({ allow: ['/health', '/billing/*'] })],
    plugins: [adminApi({ token: ATTACK_ADMIN_TOKEN, bodyTimeoutMs: ATTACK_BODY_TIMEOUT_MS })],
    isolation: healthIsolation(),
  });
  const answer = (route: string) =>
    async function attackRoute(req: { url: string }): Promise<ConformanceReply> {
      return {
        status: 200,
        body: { route, domain: site.currentDomain, via: site.request?.via ?? null, url: req.url },
        cookies: [],
      };
    };
  const routes: ConformanceRoute[] = [
    { path: '/whoami', handle: answer('whoami') },
    { path: '/admin', handle: answer('admin') },
    { path: '/billing/invoices', handle: answer('invoices') },
  ];
  return { site, routes };
}
