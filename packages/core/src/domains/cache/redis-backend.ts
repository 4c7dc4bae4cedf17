import type { CacheBackend } from './cache-backend.js';

/** The commands md needs from a Redis client (ioredis fits as is; node-redis v4+ with a thin wrapper). */
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
 * A cache backend over a Redis client, shared by every app instance; values
 * are stored as JSON.
 *
 * @example
 * import { Redis } from 'ioredis';
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
