import { AsyncLocalStorage } from 'node:async_hooks';
import type { DomainProxy } from '../domains/proxy.js';
import { MdError } from '../errors/md-error.js';
import type { ResolvedRequest } from '../resolution/contracts.js';
import type { MdEventEmitter } from '../site/events.js';

/**
 * What one `run` carries through every await: the site, the domain, the
 * request's resolution (when started by an adapter) and the lazily opened
 * entity manager. Private to core; read it through the accessors below.
 */
export interface DomainScope {
  readonly site: { readonly events: MdEventEmitter };
  readonly domain: DomainProxy;
  readonly request: ResolvedRequest | undefined;
  /** The request's entity manager, created on first use (`site.em`). */
  em: unknown;
}

const storage = new AsyncLocalStorage<DomainScope>();

/** @internal Runs `fn` inside `scope`: the one `storage.run` every entry point (HTTP, jobs, CLI) goes through. */
export function runInScope<T>(scope: DomainScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** @internal The active scope, if any. */
export function currentScope(): DomainScope | undefined {
  return storage.getStore();
}

/**
 * The domain of the code that is running now. Throws `NO_CURRENT_DOMAIN`
 * outside `site.run(…)` or an adapter-handled request.
 *
 * @example
 * site.run('acme', async () => {
 *   await somethingAsync();
 *   getCurrentDomain().name; // 'acme'
 * });
 */
export function getCurrentDomain(): DomainProxy {
  const scope = storage.getStore();
  if (scope === undefined) throw MdError.noCurrentDomain('getCurrentDomain()');
  return scope.domain;
}

/**
 * The domain of the code that is running now, or `undefined` outside any
 * domain.
 *
 * @example
 * const name = tryGetCurrentDomain()?.name ?? 'none';
 */
export function tryGetCurrentDomain(): DomainProxy | undefined {
  return storage.getStore()?.domain;
}
