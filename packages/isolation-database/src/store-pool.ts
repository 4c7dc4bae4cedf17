import { MdError, type MdEventEmitter } from '@md/core';
import { type StoreOrm, wrapConnection } from '@md/mikro-orm';

/** Options of the pool budget. */
export interface StorePoolOptions {
  /** Most domain pools open at once (default 50). */
  budget: number;
  /** Close a pool idle this long (ms; 0 = never; default 60 000). */
  idleTimeoutMs: number;
  /** How long a request waits for a pool slot when every open pool is busy (ms; default 10 000). */
  acquireTimeoutMs: number;
  events: () => MdEventEmitter | undefined;
}

/** One domain's store and its accounting: open or not, queries and transactions in flight, last use. */
export class StoreHandle {
  open = false;
  inflight = 0;
  lastUsed = 0;
  opening: Promise<void> | undefined;
  closing: Promise<void> | undefined;

  constructor(
    readonly domain: string,
    readonly store: StoreOrm,
  ) {}
}

/**
 * The LRU budget of domain pools. Each handle's connection is wrapped so
 * that every query and every transaction first acquires the handle (opening
 * its pool, evicting the least recently used idle pool when the budget is
 * full, or waiting for one to become idle) and releases it when done. A
 * pool is only ever closed while nothing runs on it, so no in-flight query
 * is cut; a request whose pool was evicted between two queries reopens it
 * transparently on the next one.
 */
export class StorePool {
  readonly #options: StorePoolOptions;
  /** Open or recently used handles by domain, least recently used first. */
  readonly #handles = new Map<string, StoreHandle>();
  /**
   * Handles closed for the budget or for idleness, while something may still
   * hold them (an entity manager opened before the close keeps its store):
   * the next request of that domain takes the same handle again, so one file
   * never has two connections in this process — on SQLite the second one's
   * write would wait on the busy timeout, blocking the event loop the first
   * one needs to commit ("database is locked").
   */
  readonly #closed = new Map<string, WeakRef<StoreHandle>>();
  /** Every open handle, including orphans still used by an old request after their domain reopened. */
  readonly #open = new Set<StoreHandle>();
  #reserved = 0;
  #maxOpen = 0;
  #waiters: Array<() => void> = [];
  readonly #timer: NodeJS.Timeout | undefined;

  constructor(
    options: StorePoolOptions,
    readonly create: (domain: string) => StoreOrm,
  ) {
    this.#options = options;
    if (options.idleTimeoutMs > 0) {
      this.#timer = setInterval(() => void this.closeIdle(), Math.max(50, options.idleTimeoutMs / 2));
      this.#timer.unref();
    }
  }

  /** The handle of a domain (created, not opened: the pool opens on the first query). */
  handle(domain: string): StoreHandle {
    let handle = this.#handles.get(domain);
    if (handle === undefined) {
      handle = this.#closed.get(domain)?.deref();
      this.#closed.delete(domain);
      if (handle === undefined) {
        handle = new StoreHandle(domain, this.create(domain));
        this.#instrument(handle);
      }
      this.#handles.set(domain, handle);
    }
    return handle;
  }

  get openCount(): number {
    return this.#open.size;
  }

  get maxOpen(): number {
    return this.#maxOpen;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  /** Closes idle pools unused for `idleTimeoutMs`. */
  async closeIdle(now = performance.now()): Promise<void> {
    for (const handle of [...this.#open]) {
      if (handle.inflight === 0 && now - handle.lastUsed >= this.#options.idleTimeoutMs) {
        await this.#close(handle, 'idle');
      }
    }
  }

  /** Closes a domain's pool once its in-flight work ends, and forgets the handle. */
  async release(domain: string): Promise<void> {
    // A released domain (deprovisioned, removed) is never taken again from the closed ones.
    const closed = this.#closed.get(domain)?.deref();
    this.#closed.delete(domain);
    const handle = this.#handles.get(domain) ?? closed;
    if (handle === undefined) return;
    this.#handles.delete(domain);
    while (handle.inflight > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    if (handle.open || handle.opening !== undefined) {
      await handle.opening?.catch(() => {});
      await this.#close(handle, 'released');
    }
  }

  async closeAll(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await Promise.allSettled([...this.#open].map((h) => this.#close(h, 'released')));
    this.#handles.clear();
    this.#closed.clear();
  }

  async acquire(handle: StoreHandle): Promise<void> {
    handle.inflight++;
    handle.lastUsed = performance.now();
    try {
      if (handle.closing !== undefined) await handle.closing;
      if (!handle.open) {
        handle.opening ??= this.#openHandle(handle).finally(() => {
          handle.opening = undefined;
        });
        await handle.opening;
      }
    } catch (error) {
      this.releaseOne(handle);
      throw error;
    }
    // LRU order: most recently used last.
    if (this.#handles.get(handle.domain) === handle) this.#handles.delete(handle.domain);
    if (!this.#handles.has(handle.domain)) {
      this.#handles.set(handle.domain, handle);
      this.#closed.delete(handle.domain);
    }
  }

  releaseOne(handle: StoreHandle): void {
    handle.inflight--;
    handle.lastUsed = performance.now();
    if (handle.inflight === 0) this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  async #openHandle(handle: StoreHandle): Promise<void> {
    const started = performance.now();
    const deadline = started + this.#options.acquireTimeoutMs;
    while (this.#open.size + this.#reserved >= this.#options.budget) {
      const victim = this.#lruIdle();
      if (victim !== undefined) {
        await this.#close(victim, 'budget');
        continue;
      }
      const left = deadline - performance.now();
      if (left <= 0)
        throw MdError.connectionBudgetExhausted(this.#options.budget, this.#options.acquireTimeoutMs);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.#reserved++;
    try {
      await handle.store.driver.connect();
    } finally {
      this.#reserved--;
    }
    handle.open = true;
    this.#open.add(handle);
    this.#maxOpen = Math.max(this.#maxOpen, this.#open.size);
    this.#options.events()?.emit('pool:opened', {
      domain: handle.domain,
      ms: performance.now() - started,
      open: this.#open.size,
    });
  }

  /** Keeps a closed handle for its domain's next request; forgets the collected ones as the map grows (no timer needed). */
  #remember(handle: StoreHandle): void {
    if (this.#closed.size >= 2 * this.#options.budget)
      for (const [domain, ref] of this.#closed) if (ref.deref() === undefined) this.#closed.delete(domain);
    this.#closed.set(handle.domain, new WeakRef(handle));
  }

  #lruIdle(): StoreHandle | undefined {
    // Orphans first (nothing will route to them again), then the LRU order of the map.
    for (const handle of this.#open)
      if (
        handle.inflight === 0 &&
        handle.closing === undefined &&
        this.#handles.get(handle.domain) !== handle
      )
        return handle;
    for (const handle of this.#handles.values())
      if (handle.open && handle.inflight === 0 && handle.closing === undefined) return handle;
    return undefined;
  }

  #close(handle: StoreHandle, reason: 'budget' | 'idle' | 'released'): Promise<void> {
    if (!handle.open) return handle.closing ?? Promise.resolve();
    handle.closing ??= (async () => {
      handle.open = false;
      this.#open.delete(handle);
      if (this.#handles.get(handle.domain) === handle) {
        this.#handles.delete(handle.domain);
        if (reason !== 'released') this.#remember(handle);
      }
      try {
        await handle.store.driver.close(true);
      } finally {
        // Closing drops the client: the next acquire builds a fresh pool on the same driver.
        handle.closing = undefined;
        this.#options
          .events()
          ?.emit('pool:evicted', { domain: handle.domain, reason, open: this.#open.size });
        this.#wake();
      }
    })();
    return handle.closing;
  }

  /** Wraps the handle's connection so every query and transaction holds the handle while it runs. */
  #instrument(handle: StoreHandle): void {
    wrapConnection(handle.store.driver.getConnection(), ({ execute, begin, commit, rollback }) => ({
      execute: async (...args) => {
        await this.acquire(handle);
        try {
          return await execute(...args);
        } finally {
          this.releaseOne(handle);
        }
      },
      begin: async (...args) => {
        await this.acquire(handle);
        try {
          return await begin(...args);
        } catch (error) {
          this.releaseOne(handle);
          throw error;
        }
      },
      commit: async (...args) => {
        try {
          return await commit(...args);
        } finally {
          this.releaseOne(handle);
        }
      },
      rollback: async (...args) => {
        try {
          return await rollback(...args);
        } finally {
          this.releaseOne(handle);
        }
      },
    }));
  }
}
