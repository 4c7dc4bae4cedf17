import { MdError } from '@md/core';
import { type StoreOrm, withStore } from './orm-template.js';

/** One step of provisioning: what it does and how to undo it. */
export interface ProvisionStep {
  /** Shown in the error when the step fails, e.g. `'create database'`. */
  readonly name: string;
  run(): Promise<void>;
  /** Undoes `run`; called in reverse order when a later step fails. */
  undo?(): Promise<void>;
}

/**
 * Runs provisioning steps in order; when one fails, undoes the steps that
 * completed (last first) and throws `PROVISION_FAILED` with the cause, so no
 * half-created domain stays behind. An undo that fails too is reported in
 * the error's details instead of hiding the original cause.
 *
 * @example
 * await runProvisionSteps('acme', [
 *   { name: 'create schema', run: () => createSchema(), undo: () => dropSchema() },
 *   { name: 'migrate', run: () => migrate() },
 * ]);
 */
export async function runProvisionSteps(domain: string, steps: readonly ProvisionStep[]): Promise<void> {
  const done: ProvisionStep[] = [];
  for (const step of steps) {
    try {
      await step.run();
      done.push(step);
    } catch (cause) {
      const undoErrors: string[] = [];
      for (const previous of done.reverse()) {
        try {
          await previous.undo?.();
        } catch (undoError) {
          undoErrors.push(`${previous.name}: ${(undoError as Error).message}`);
        }
      }
      // The failing step may have half-done its own work (a file created, a schema half-filled).
      try {
        await step.undo?.();
      } catch (undoError) {
        undoErrors.push(`${step.name}: ${(undoError as Error).message}`);
      }
      if (MdError.is(cause, 'PROVISION_FAILED')) throw cause;
      throw MdError.provisionFailed(domain, step.name, cause, undoErrors);
    }
  }
}

/**
 * Runs `fn` while holding a PostgreSQL advisory lock named `key`
 * (transaction-scoped, on a connection of `store` kept for the whole of
 * `fn`, then closed): provisionings of one domain from several processes
 * run one after the other, so the one that finds the database or schema
 * already there never creates it twice nor undoes the other's. `store`
 * must be a store of its own (one connection): `fn` may not use it.
 *
 * @example
 * await withAdvisoryLock(template.open({ ...urlConnection(url), pool: { min: 0, max: 1 } }), `md:provision:${schema}`, () =>
 *   runProvisionSteps(name, steps),
 * );
 */
export async function withAdvisoryLock<T>(store: StoreOrm, key: string, fn: () => Promise<T>): Promise<T> {
  return withStore(store, async () => {
    const connection = store.em.getConnection();
    // The connection's own transaction (not em.transactional): no transaction context for `fn` to inherit.
    return connection.transactional(async (trx) => {
      await connection.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [key], 'all', trx);
      return fn();
    });
  });
}
