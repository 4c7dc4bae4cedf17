import { LRUCache } from 'lru-cache';
import type { Awaitable } from './types.js';

/**
 * A key-value cache shared by every domain of a site. md never hands it to
 * domain code directly: `domain.cache` wraps it and prefixes every key with
 * the domain. Implement it over Redis, Memcached… (see `redisCacheBackend`).
 */
export interface CacheBackend {
  readonly name: string;
  get(key: string): Awaitable<unknown>;
  set(key: string, value: unknown, ttlMs?: number): Awaitable<void>;
  delete(key: string): Awaitable<void>;
  /** Deletes every key that starts with `prefix`. */
  deletePrefix(prefix: string): Awaitable<void>;
}

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

/** The commands md needs from a Redis client (ioredis and node-redis v4+ both fit with a thin wrapper). */
export interface RedisLikeClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'PX', ttlMs: number): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  del(...keys: string[]): Promise<unknown>;
  scan(
    cursor: string,
    match: 'MATCH',
    pattern: string,
    count: 'COUNT',
    n: number,
  ): Promise<[string, string[]]>;
}

/**
 * A cache backend over a Redis client; values are stored as JSON.
 *
 * @example
 * import Redis from 'ioredis';
 * const site = await createSite({ cache: redisCacheBackend(new Redis()) });
 */
export function redisCacheBackend(client: RedisLikeClient): CacheBackend {
  return {
    name: 'redis',
    async get(key) {
      const text = await client.get(key);
      return text === null ? undefined : JSON.parse(text);
    },
    async set(key, value, ttlMs) {
      const text = JSON.stringify(value);
      await (ttlMs === undefined ? client.set(key, text) : client.set(key, text, 'PX', ttlMs));
    },
    async delete(key) {
      await client.del(key);
    },
    async deletePrefix(prefix) {
      // Domain names never contain glob characters, so the prefix is a safe MATCH pattern.
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length > 0) await client.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    },
  };
}

/**
 * `domain.cache`: the site's cache seen through one domain. Every key is
 * namespaced as `md:<domain>:<key>`; domain names cannot contain `:`, so no
 * key of one domain can ever name a key of another.
 *
 * @example
 * await site.domain.cache.set('catalog', products, 60_000);
 * await site.domain.cache.get('catalog'); // this domain's value only
 * await site.domain.cache.clear();        // this domain's keys only
 */
export class DomainCache {
  readonly #backend: CacheBackend;
  readonly #prefix: string;

  constructor(backend: CacheBackend, domain: string) {
    this.#backend = backend;
    this.#prefix = `md:${domain}:`;
  }

  /** The namespaced key a backend sees (for diagnostics). */
  keyOf(key: string): string {
    return this.#prefix + key;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    return (await this.#backend.get(this.#prefix + key)) as T | undefined;
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    await this.#backend.set(this.#prefix + key, value, ttlMs);
  }

  async delete(key: string): Promise<void> {
    await this.#backend.delete(this.#prefix + key);
  }

  /** Returns the cached value, or computes, stores and returns it. */
  async getOrSet<T>(key: string, compute: () => Awaitable<T>, ttlMs?: number): Promise<T> {
    const hit = await this.get<T>(key);
    if (hit !== undefined) return hit;
    const value = await compute();
    await this.set(key, value, ttlMs);
    return value;
  }

  /** Deletes every key of this domain, and nothing of any other. */
  async clear(): Promise<void> {
    await this.#backend.deletePrefix(this.#prefix);
  }
}
