import type { Awaitable } from '../../util/awaitable.js';

/**
 * A key-value cache shared by every domain of a site. md never hands it to
 * domain code directly: `domain.cache` wraps it and prefixes every key with
 * the domain. Implement it over Redis, Memcached… (see `redisCacheBackend`).
 *
 * @example
 * const site = await createSite({ cache: memoryCacheBackend({ max: 50_000 }) });
 */
export interface CacheBackend {
  readonly name: string;
  get(key: string): Awaitable<unknown>;
  set(key: string, value: unknown, ttlMs?: number): Awaitable<void>;
  delete(key: string): Awaitable<void>;
  /** Deletes every key that starts with `prefix`. */
  deletePrefix(prefix: string): Awaitable<void>;
}
