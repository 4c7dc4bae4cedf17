import type { CacheBackend } from '../domains/cache/cache-backend.js';
import type { DomainContainer } from '../domains/container.js';
import type { DomainDefinition } from '../domains/definition.js';
import type { DomainStore } from '../domains/stores/store.js';
import type { IsolationStrategy } from '../isolation/contracts.js';
import type { DomainPolicy } from '../policies/contract.js';
import type { DomainResolver } from '../resolution/contracts.js';
import type { SitePlugin } from './plugin.js';

/**
 * Options of `createSite`. Every field is optional: `createSite()` is a single-domain site.
 *
 * @example
 * const options: SiteOptions = { resolvers: [hostResolver()], domains: [{ name: 'acme', hosts: ['acme.com'] }] };
 */
export interface SiteOptions<TEm = unknown> {
  /** How each domain gets its data (database-, schema- or row-level). */
  isolation?: IsolationStrategy<TEm>;
  /** The resolver chain; its order is the priority, the first answer wins. Names must be unique. */
  resolvers?: DomainResolver[];
  /**
   * Checks on every resolved request, run in this order (names must be
   * unique). Without an `availability` policy in the list, `availability()`
   * runs first, so suspended and disabled domains are refused.
   */
  policies?: DomainPolicy[];
  /** Plugins set up once, in this order (names must be unique): observability, the admin API… */
  plugins?: SitePlugin[];
  /** Domain definitions, or a store to discover them from. */
  domains?: DomainDefinition[] | DomainStore;
  /** Name of the root domain (default `'_main_'`). */
  rootDomain?: string;
  /** The root domain's own definition: preferences every domain falls back to, branding… */
  root?: Omit<DomainDefinition, 'name'>;
  /** Central/admin hosts that serve the root domain when no resolver answers. */
  rootHosts?: string[];
  /** When true, `site.currentDomain` outside a run throws instead of answering the root domain. */
  strict?: boolean;
  /** Parent of every domain's child DI container (`domain.container`); without one, there is none. */
  container?: DomainContainer;
  /** Backend of `domain.cache` (default: an in-memory LRU of 10,000 entries shared by all domains). */
  cache?: CacheBackend;
  /** Folder under which each domain's `domain.files` root lives (default `./data/files`). */
  filesRoot?: string;
}
