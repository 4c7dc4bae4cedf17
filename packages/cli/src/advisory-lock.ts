import { createRequire } from 'node:module';
import { MdError } from '@md/core';
import type pg from 'pg';

/** Per-domain locks so that two `md migrate` runs never work on the same domain at once. */
export interface DomainLocks {
  /** Runs `fn` holding the domain's lock; answers `{ locked: true }` without running it when another holder has it. */
  withLock<T>(domain: string, fn: () => Promise<T>): Promise<{ locked: false; value: T } | { locked: true }>;
  close(): Promise<void>;
}

/**
 * Postgres advisory locks, one per domain: `pg_try_advisory_lock` on a
 * session of a small pool, keyed by `hashtext('md:migrate:<domain>')`, held
 * for the whole migration of that domain and released after it (or by the
 * server when the process dies, since a session lock ends with its
 * connection). A domain another instance holds is reported `locked` and
 * left for that instance, never waited on.
 *
 * @example
 * const locks = postgresDomainLocks(process.env.MD_LOCK_URL!, 4);
 * const result = await locks.withLock('acme', () => site.migrate('acme'));
 * if (result.locked) console.log('another instance is migrating acme');
 */
export function postgresDomainLocks(url: string, size: number): DomainLocks {
  const require = createRequire(import.meta.url);
  let Pool: typeof pg.Pool;
  try {
    Pool = (require('pg') as typeof pg).Pool;
  } catch (cause) {
    throw MdError.invalidOptions(
      `advisory locks need the "pg" package: install it (${(cause as Error).message})`,
    );
  }
  const pool = new Pool({ connectionString: url, max: Math.max(1, size) });
  pool.on('error', () => undefined);
  return {
    async withLock(domain, fn) {
      const client = await pool.connect().catch((cause: unknown) => {
        throw MdError.storeUnavailable('advisory locks', cause);
      });
      const key = `md:migrate:${domain}`;
      try {
        const { rows } = await client.query<{ ok: boolean }>(
          'select pg_try_advisory_lock(hashtext($1)) as ok',
          [key],
        );
        if (rows[0]?.ok !== true) return { locked: true };
        try {
          return { locked: false, value: await fn() };
        } finally {
          await client.query('select pg_advisory_unlock(hashtext($1))', [key]);
        }
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** No locking: a single instance (SQLite fleets, or no lock URL given). */
export const noLocks: DomainLocks = {
  withLock: async (_domain, fn) => ({ locked: false, value: await fn() }),
  close: async () => undefined,
};
