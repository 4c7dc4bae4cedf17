import type { DiscoverResult, DomainStore, Site } from '@md/core';

/** Keeps a site in line with its store; made by {@link followRegistry}. */
export interface RegistryFollower {
  /** Applies the store now (after any discover already running) and resolves with what changed. */
  sync(): Promise<DiscoverResult>;
  /** Stops following. */
  stop(): void;
}

// One chain per site: every discover of a site runs after the previous one, whoever asked.
const chains = new WeakMap<object, Promise<unknown>>();

/**
 * Runs `site.domains.discover()` again whenever the store reports a change
 * (`store.watch`), so a domain added, updated, suspended or removed by any
 * instance is served, refused or forgotten here too. Discovers of one site
 * never overlap: a change arriving during one queues exactly one more.
 * A failure is emitted as `site:error` (`@md/observability` logs it) and retried on the next change.
 *
 * @example
 * const registry = await createDomainRegistry({ url: process.env.DATABASE_URL! });
 * const site = await createSite({ domains: registry, resolvers: [hostResolver()] });
 * const follower = followRegistry(site, registry);
 * // … on shutdown:
 * follower.stop();
 */
export function followRegistry(site: Site<unknown>, store: DomainStore): RegistryFollower {
  let queued: Promise<DiscoverResult> | undefined;
  const sync = (): Promise<DiscoverResult> => {
    // A discover not started yet will read the latest state: share it.
    if (queued !== undefined) return queued;
    const previous = chains.get(site) ?? Promise.resolve();
    const next = previous.then(() => {
      queued = undefined;
      return site.domains.discover();
    });
    queued = next;
    chains.set(
      site,
      next.catch(() => undefined),
    );
    return next;
  };
  const unsubscribe =
    store.watch?.(() => {
      sync().catch((error: unknown) =>
        site.events.emit('site:error', { source: `registry sync (${store.name})`, error }),
      );
    }) ?? (() => undefined);
  return { sync, stop: unsubscribe };
}
