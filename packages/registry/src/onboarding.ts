import { type Awaitable, type DomainDefinition, type DomainProxy, MdError, type Site } from '@md/core';
import type { DomainRegistry, RegistryDomain } from './domain-registry.js';

/** Where an onboarding or offboarding is applied: the registry, and the site that serves it. */
export interface OnboardingContext {
  registry: DomainRegistry;
  /** The site to provision and erase on; without one only the registry is written. */
  site?: Site<unknown> | undefined;
  /**
   * Brings the site in line with the registry (default `site.domains.discover()`);
   * pass a follower's `sync` so discovers of one site never overlap.
   */
  sync?: (() => Promise<unknown>) | undefined;
}

/** Options of {@link onboardDomain}. */
export interface OnboardOptions {
  /** Create the domain's data (default: when the site has an isolation strategy). */
  provision?: boolean;
  /** Run the strategy's seeder after provisioning. */
  seed?: boolean;
  /**
   * Creates the domain's first admin user after provisioning; runs inside
   * `site.run(domain)`, so `site.em` is the new domain's. What it returns is
   * the result's `admin` (never return a password). A throw undoes the whole creation.
   */
  firstAdmin?: (domain: DomainProxy) => Awaitable<unknown>;
}

/** What {@link onboardDomain} did. */
export interface OnboardResult {
  domain: RegistryDomain;
  provisioned: boolean;
  admin: unknown;
  ms: number;
}

/** Options of {@link offboardDomain}. */
export interface OffboardOptions {
  /** Must repeat the domain's name: offboarding erases its data. */
  confirm: unknown;
  /** Keep the domain's data, cache keys and files; only forget the domain. */
  keepData?: boolean;
}

/**
 * The one onboarding use case, called by the admin API and by
 * `md domains add`: writes the domain to the registry (other instances
 * follow it), applies it to the site, provisions its data and creates its
 * first admin. A failure anywhere is rolled back in reverse — the data
 * erased, the registry row removed, the site back in line — so no
 * half-created domain stays, and the error is rethrown.
 *
 * @example
 * const { domain, ms } = await onboardDomain({ registry, site }, { name: 'acme', hosts: ['acme.com'] }, { seed: true });
 */
export async function onboardDomain(
  context: OnboardingContext,
  definition: DomainDefinition,
  options: OnboardOptions = {},
): Promise<OnboardResult> {
  const { registry, site } = context;
  const started = performance.now();
  const created = await registry.addDomain(definition);
  const name = created.definition.name;
  let provisioned = false;
  try {
    let admin: unknown;
    if (site !== undefined) {
      await syncOf(context)();
      if ((options.provision ?? site.isolation !== undefined) && site.isolation !== undefined) {
        await site.provision(name, { seed: options.seed === true });
        provisioned = true;
      }
      const firstAdmin = options.firstAdmin;
      if (firstAdmin !== undefined)
        admin = await site.run(name, () => firstAdmin(site.domains.require(name)));
    }
    return { domain: created, provisioned, admin, ms: performance.now() - started };
  } catch (error) {
    if (provisioned) await site?.deprovision(name, { confirm: name }).catch(() => undefined);
    await registry.removeDomain(name).catch(() => undefined);
    if (site !== undefined) await syncOf(context)().catch(() => undefined);
    throw error;
  }
}

/**
 * The one offboarding use case, called by the admin API and by
 * `md domains remove`: checks the confirmation, erases everything the
 * domain owns on the site (data, cache keys, files) unless `keepData`,
 * removes it from the registry and brings the site in line, so a new domain
 * that reuses the code starts empty.
 *
 * @example
 * await offboardDomain({ registry, site }, 'acme', { confirm: 'acme' });
 */
export async function offboardDomain(
  context: OnboardingContext,
  name: string,
  options: OffboardOptions,
): Promise<void> {
  const { registry, site } = context;
  if (options.confirm !== name) throw MdError.confirmationRequired('Removing', name);
  if ((await registry.get(name)) === undefined) throw MdError.domainNotFound(name);
  if (options.keepData !== true && site?.domains.has(name)) await site.deprovision(name, { confirm: name });
  await registry.removeDomain(name);
  if (site !== undefined) await syncOf(context)();
}

function syncOf({ site, sync }: OnboardingContext): () => Promise<unknown> {
  return sync ?? (() => site!.domains.discover());
}
