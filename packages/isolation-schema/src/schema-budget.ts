import { MdError } from '@md/core';

/** Distinct schemas a request connection serves before it is recycled: chosen by measurement (docs/isolation.md). */
export const DEFAULT_SCHEMAS_PER_CONNECTION = 2000;

/** What the budget wraps of a `pg` pool: its promise-style `connect()`. */
interface BudgetPool {
  connect(...args: unknown[]): unknown;
}

/** What the budget reads and wraps of a checked-out `pg` client. */
interface BudgetClient {
  release(error?: unknown): unknown;
  [SERVED]?: Set<string>;
}

const SERVED = Symbol('md.schemasServed');

/** Checks the `maxSchemasPerConnection` option: a positive integer, or `Infinity` (no budget). */
export function schemaBudgetOf(given: number | undefined): number {
  const max = given ?? DEFAULT_SCHEMAS_PER_CONNECTION;
  if (max !== Number.POSITIVE_INFINITY && (!Number.isInteger(max) || max < 1))
    throw MdError.invalidOptions('maxSchemasPerConnection must be a positive integer or Infinity');
  return max;
}

/**
 * Recycles a pooled connection once it has served `max` distinct schemas:
 * the checkout that reaches the budget closes the connection when it is
 * released (`release(true)`: `pg` removes it from the pool, and the pool
 * opens a fresh one when it needs one). A backend keeps the catalog of
 * every schema it has met (≈ 12 KB each here), so this bounds its memory
 * by what it holds, where a checkout count (`maxUses`) recycles backends
 * that have met few schemas as often as ones that have met many — and each
 * fresh backend pays the first-touch cost of every schema again.
 *
 * `domainOfCheckout()` names the domain the checkout is for (one schema per
 * domain): the current run's, read as the connection is taken (undefined
 * outside a run: such a checkout counts nothing, and `maxLifetimeMs` still
 * bounds it).
 * Callback-style `connect(cb)` calls are `pg`'s own and stay untouched.
 */
export function limitSchemasPerConnection(
  pool: BudgetPool,
  max: number,
  domainOfCheckout: () => string | undefined,
): void {
  if (max === Number.POSITIVE_INFINITY) return;
  const connect = pool.connect;
  pool.connect = (...args: unknown[]) => {
    const taken = connect.apply(pool, args);
    if (args.length > 0) return taken;
    const domain = domainOfCheckout();
    if (domain === undefined) return taken;
    return (taken as Promise<BudgetClient>).then((client) => served(client, domain, max));
  };
}

function served(client: BudgetClient, domain: string, max: number): BudgetClient {
  let seen = client[SERVED];
  if (seen === undefined) {
    seen = new Set();
    client[SERVED] = seen;
  }
  seen.add(domain);
  // `pg` gives the client a fresh `release` at every checkout: this wrapper lasts for this one.
  if (seen.size >= max) {
    const release = client.release;
    client.release = (error?: unknown) => release.call(client, error ?? true);
  }
  return client;
}
