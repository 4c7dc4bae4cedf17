import type { Awaitable } from '../../util/awaitable.js';
import type { CacheBackend } from './cache-backend.js';

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
