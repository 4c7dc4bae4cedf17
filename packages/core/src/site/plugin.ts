import type { IsolationStrategy, SiteLike } from '../isolation/contracts.js';
import type { DomainResolver, Reservations } from '../resolution/contracts.js';
import type { Awaitable } from '../util/awaitable.js';
import type { SiteHooks } from './hooks.js';

/**
 * The part of a site a plugin sets itself up on: what strategies see, plus
 * the hooks, the strategy, the resolvers and the (normalised) root hosts.
 */
export interface PluginSite extends SiteLike {
  readonly hooks: SiteHooks;
  readonly isolation: IsolationStrategy<unknown> | undefined;
  readonly resolvers: readonly DomainResolver[];
  readonly rootHosts: ReadonlySet<string>;
}

/**
 * A site plugin (`@md/observability`, `@md/admin`, your own): a plain object
 * with a unique `name`, set up once by `createSite` (after the resolvers and
 * policies are checked, before the domains are discovered) and closed by
 * `site.close()` in reverse order. It plugs into the site's events and hooks;
 * it never runs per request unless it adds a hook.
 *
 * @example
 * const audit: SitePlugin = {
 *   name: 'audit',
 *   setup: (site) => void site.events.on('domain:removed', (name) => console.log('removed', name)),
 * };
 * await createSite({ plugins: [audit] });
 */
export interface SitePlugin {
  readonly name: string;
  setup(site: PluginSite): Awaitable<void>;
  close?(): Awaitable<void>;
  /** Hosts the plugin keeps for the platform (the admin API's hosts): no domain may claim them. */
  readonly reserved?: Reservations;
}
