import { memoryStore } from '../domains/stores/memory-store.js';
import { MdError } from '../errors/md-error.js';
import { availability } from '../policies/availability.js';
import type { DomainPolicy } from '../policies/contract.js';
import { checkPlugins } from './check-plugins.js';
import type { SiteOptions } from './options.js';
import { Site } from './site.js';

/**
 * Builds a site: checks the plugins (resolvers, policies and site plugins
 * each have unique names and the functions they need), registers the
 * domains (from a list or discovered from a store), sets the plugins up,
 * then opens the isolation strategy. A site with no resolvers and no
 * domains runs everything in the root domain, so a single-tenant app adopts
 * md without change.
 *
 * @example
 * const site = await createSite({
 *   resolvers: [hostResolver(), subdomainResolver({ baseDomains: ['platform.com'] })],
 *   policies: [availability({ allow: ['/health'] }), rateLimit({ tiers: { default: { points: 100, duration: 1 } } })],
 *   domains: [{ name: 'acme', hosts: ['acme.com'] }],
 *   rootHosts: ['platform.com'],
 * });
 */
export async function createSite<TEm = unknown>(options: SiteOptions<TEm> = {}): Promise<Site<TEm>> {
  if (options === null || typeof options !== 'object')
    throw MdError.invalidOptions('options must be an object');
  checkPlugins('resolver', options.resolvers, 'resolve');
  checkPlugins('policy', options.policies, 'check');
  checkPlugins('plugin', options.plugins, 'setup');
  if (
    options.rootDomain !== undefined &&
    (typeof options.rootDomain !== 'string' || options.rootDomain === '')
  ) {
    throw MdError.invalidOptions('rootDomain must be a non-empty string');
  }
  const listed: DomainPolicy[] = options.policies ?? [];
  // Fail closed: a site that lists no availability policy still refuses suspended and disabled domains.
  const policies = listed.some((p) => p.name === 'availability') ? listed : [availability(), ...listed];
  const store = Array.isArray(options.domains) ? memoryStore(options.domains) : options.domains;
  const site = new Site<TEm>(options, store, policies);
  for (const plugin of site.plugins) await plugin.setup(site);
  await site.domains.discover();
  await options.isolation?.init(site);
  return site;
}
