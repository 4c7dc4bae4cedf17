import { LRUCache } from 'lru-cache';
import type { CacheBackend } from './cache-backend.js';

/** Options of {@link memoryCacheBackend}. */
export interface MemoryCacheOptions {
  /** Most entries kept across all domains (default 10,000); the least recently used go first. */
  max?: number;
  /** Default time to live in milliseconds (default: none). */
  ttlMs?: number;
}

/**
 * The default cache backend: an in-memory LRU shared by all domains.
 *
 * @example
 * const site = await createSite({ cache: memoryCacheBackend({ max: 50_000 }) });
 */
export function memoryCacheBackend({ max = 10_000, ttlMs }: MemoryCacheOptions = {}): CacheBackend {
  const lru = new LRUCache<string, { value: unknown }>({
    max,
    ...(ttlMs === undefined ? {} : { ttl: ttlMs }),
  });
  return {
    name: 'memory',
    get: (key) => lru.get(key)?.value,
    set: (key, value, ttl) => {
      lru.set(key, { value }, ttl === undefined ? undefined : { ttl });
    },
    delete: (key) => {
      lru.delete(key);
    },
    deletePrefix: (prefix) => {
      for (const key of [...lru.keys()]) if (key.startsWith(prefix)) lru.delete(key);
    },
  };
}
