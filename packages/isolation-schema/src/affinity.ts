import { MdError } from '@md/core';

/** Connections per sub-pool when affinity is on: chosen by measurement (docs/isolation.md). */
export const DEFAULT_GROUP_SIZE = 1;
/** Spilling when affinity is on: chosen by measurement (docs/isolation.md). */
export const DEFAULT_SPILL: SpillMode = 'second';

/** Where a connection for a domain comes from when its own sub-pool has none free. */
export type SpillMode = 'none' | 'second' | 'any';

/** Connection affinity of the schema strategy's request pool. */
export interface AffinityOptions {
  /**
   * Connections per sub-pool (default 1). The pool's `poolSize` connections
   * are split into `max(1, floor(poolSize / groupSize))` sub-pools whose
   * sizes add up to `poolSize`.
   */
  groupSize?: number;
  /**
   * When the domain's sub-pool has no free connection as one is taken:
   * `'none'` waits for one of its own; `'second'` (default) takes a free
   * one of a partner sub-pool (each sub-pool has one), else waits; `'any'`
   * tries the partner, then any sub-pool with a free connection, else
   * waits, so a hot domain can use the whole pool (but under load every
   * backend ends up meeting every schema again).
   */
  spill?: SpillMode;
}

/** What affinity reads and wraps of a `pg` pool. */
interface PgPool {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  connect(...args: unknown[]): unknown;
  on(event: 'connect' | 'remove', listener: () => void): unknown;
}

/** FNV-1a (32 bits) of a string: stable across processes and restarts. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Splits a connection budget into sub-pools and sends each domain to one
 * of them (its home) by a stable hash of its name, so each backend only
 * ever touches its sub-pool's share of the schemas: its catalog caches
 * (about 300 µs to fill per schema, the first time a backend touches it)
 * stay warmer and its memory bounded. The choice to spill is made when a
 * connection is taken (each sub-pool's `pg` pool `connect` goes through
 * {@link ConnectionAffinity.attach}), never when an entity manager is made,
 * so a burst of requests spreads only as connections actually run out. A
 * connection a sub-pool lends is taken from, and released to, the lending
 * sub-pool's own `pg` pool: every pool stays within its size, so the
 * total stays within the budget.
 */
export class ConnectionAffinity {
  /** Connections of each sub-pool: they add up to the budget. */
  readonly sizes: readonly number[];
  readonly #spill: SpillMode;
  readonly #pools: (PgPool | undefined)[];
  readonly #connect: (((...args: unknown[]) => unknown) | undefined)[];
  #maxConnections = 0;
  #spilled = 0;

  /** `undefined` or `false`: one sub-pool (no affinity); `true`: the default options. */
  constructor(budget: number, given: AffinityOptions | boolean | undefined) {
    const options = given === undefined || given === false ? false : given === true ? {} : given;
    if (!Number.isInteger(budget) || budget < 1)
      throw MdError.invalidOptions('poolSize must be a positive integer');
    const groupSize = options === false ? budget : (options?.groupSize ?? DEFAULT_GROUP_SIZE);
    if (!Number.isInteger(groupSize) || groupSize < 1)
      throw MdError.invalidOptions('affinity.groupSize must be a positive integer');
    const spill = options === false ? 'none' : (options?.spill ?? DEFAULT_SPILL);
    if (!['none', 'second', 'any'].includes(spill))
      throw MdError.invalidOptions("affinity.spill must be 'none', 'second' or 'any'");
    const count = Math.max(1, Math.floor(budget / groupSize));
    this.sizes = Array.from(
      { length: count },
      (_, i) => Math.floor(budget / count) + (i < budget % count ? 1 : 0),
    );
    this.#spill = spill;
    this.#pools = this.sizes.map(() => undefined);
    this.#connect = this.sizes.map(() => undefined);
  }

  /**
   * Takes over sub-pool `index`'s `pg` pool (created lazily, on its first
   * connection): its `connect()` (what Kysely calls to take a connection)
   * may hand out a free connection of another sub-pool when this one has none.
   */
  attach(index: number, pool: PgPool): void {
    const own = pool.connect.bind(pool);
    this.#pools[index] = pool;
    this.#connect[index] = own;
    pool.connect = (...args: unknown[]) => {
      // A callback-style call is pg's own business: never rerouted.
      if (args.length > 0) return own(...args);
      const target = this.#target(index);
      if (target !== index) this.#spilled++;
      return (this.#connect[target] as (...a: unknown[]) => unknown)();
    };
    pool.on('connect', () => {
      this.#maxConnections = Math.max(this.#maxConnections, this.connections);
    });
  }

  /** Request connections open now, all sub-pools together. */
  get connections(): number {
    return this.#pools.reduce((sum, pool) => sum + (pool?.totalCount ?? 0), 0);
  }

  /** The most request connections ever open at once. */
  get maxConnections(): number {
    return this.#maxConnections;
  }

  /** Connections a sub-pool took from another one because it had none free. */
  get spilled(): number {
    return this.#spilled;
  }

  /** The domain's sub-pool: the same for a name in every process, as long as the pool's shape is. */
  home(domain: string): number {
    return hash(domain) % this.sizes.length;
  }

  /** The sub-pool a busy sub-pool spills to first (`'second'`, and first choice of `'any'`). */
  partner(index: number): number {
    return (index + Math.max(1, Math.floor(this.sizes.length / 2))) % this.sizes.length;
  }

  /**
   * Where a connection for sub-pool `index` comes from: `index` while it
   * has a free connection (idle, or room to open one) or when spilling is
   * off; else its partner if that one has a free connection; else
   * (`'any'`) the first sub-pool with a free connection; else `index`
   * (wait in its queue).
   */
  #target(index: number): number {
    if (this.#spill === 'none' || this.sizes.length === 1 || this.#free(index)) return index;
    const partner = this.partner(index);
    if (this.#free(partner)) return partner;
    if (this.#spill === 'any') for (let i = 0; i < this.sizes.length; i++) if (this.#free(i)) return i;
    return index;
  }

  /** A `connect()` now would not wait: an idle connection, or room to open one, and no queue. */
  #free(index: number): boolean {
    const pool = this.#pools[index];
    if (pool === undefined || this.#connect[index] === undefined) return false;
    if (pool.waitingCount > 0) return false;
    return pool.idleCount > 0 || pool.totalCount < (this.sizes[index] as number);
  }
}
