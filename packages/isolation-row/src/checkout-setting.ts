// The signed domain of each request connection checkout: named by MikroORM's checkout hook,
// sent by the patched pool (`pipelined-setting.ts`).
import { tryGetCurrentDomain } from '@md/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { CompiledQuery, type DatabaseConnection } from 'kysely';
import { CHECKOUT_SQL, type PgPool, patchPool } from './pipelined-setting.js';
import type { DomainSigner } from './postgres-rls.js';

/**
 * The hook run each time a request connection is taken from the pool (for
 * one statement, or once for a whole transaction, through MikroORM's public
 * `onReserveConnection`): it names the signed current domain (the empty
 * string outside any domain, which matches no row) as the token of this
 * checkout, without a round trip — the pool's clients, patched by
 * {@link sendSettingWithStatements}, then send `md.domain` (and
 * `search_path`) transaction-local in the same write as the checkout's first
 * statement (and every later one that needs it: `pipelined-setting.ts`). The
 * value is a bound parameter, never inlined, so `pg_stat_activity` and the
 * server's log of a failed statement show no token; every checkout
 * overwrites it, so nothing a previous statement set — forged or not —
 * carries over.
 */
export function setDomainOnCheckout(sign: DomainSigner): (connection: DatabaseConnection) => Promise<void> {
  // Each domain's value signed once (two SHA-256 per checkout otherwise); the key is in this closure anyway.
  const tokens = new Map<string, string>();
  const tokenOf = (domain: string) => {
    let token = tokens.get(domain);
    if (token === undefined) {
      if (tokens.size >= 10_000) tokens.clear();
      token = sign(domain);
      tokens.set(domain, token);
    }
    return token;
  };
  return async function setDomain(connection) {
    const domain = tryGetCurrentDomain()?.name;
    // Caught by the patched client (no round trip); on an unpatched one it fails on the server.
    await connection.executeQuery(
      CompiledQuery.raw(CHECKOUT_SQL, [domain === undefined ? '' : tokenOf(domain)]),
    );
  };
}

/**
 * Patches the request pool of `store` (its `pg` Pool, MikroORM's public
 * `getNativeClient()`) so statements carry their checkout's `md.domain`:
 * see `pipelined-setting.ts`.
 */
export async function sendSettingWithStatements(store: { em: SqlEntityManager }): Promise<void> {
  const connection = store.em.getConnection() as unknown as { getNativeClient(): Promise<PgPool> };
  patchPool(await connection.getNativeClient());
}
