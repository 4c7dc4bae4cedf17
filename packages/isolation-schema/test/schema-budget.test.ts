import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCHEMAS_PER_CONNECTION,
  limitSchemasPerConnection,
  schemaBudgetOf,
} from '../src/schema-budget.js';

/** A stand-in for a `pg` pool: one client, whose `release` (fresh at every checkout, as pg's) records its argument. */
function fakePool() {
  const released: unknown[] = [];
  const client = { release: (_error?: unknown) => {} };
  const pool = {
    connect(...args: unknown[]): unknown {
      if (args.length > 0) return 'callback style';
      client.release = (error?: unknown) => {
        released.push(error);
      };
      return Promise.resolve(client);
    },
  };
  return { pool, released };
}

describe('limitSchemasPerConnection', () => {
  it('closes the connection on the release of the checkout that reaches the budget; a repeated schema counts once', async () => {
    const { pool, released } = fakePool();
    let domain: string | undefined = 'a';
    limitSchemasPerConnection(pool, 2, () => domain);
    const checkout = async (name: string | undefined) => {
      domain = name;
      const client = (await pool.connect()) as { release(error?: unknown): void };
      client.release();
    };
    await checkout('a');
    await checkout('a');
    await checkout(undefined); // outside a run: counts nothing
    expect(released).toEqual([undefined, undefined, undefined]);
    await checkout('b');
    expect(released.at(-1)).toBe(true);
    expect(pool.connect(() => {})).toBe('callback style');
  });

  it('an error given to release is passed on as it is', async () => {
    const { pool, released } = fakePool();
    limitSchemasPerConnection(pool, 1, () => 'a');
    const client = (await pool.connect()) as { release(error?: unknown): void };
    const error = new Error('broken');
    client.release(error);
    expect(released).toEqual([error]);
  });

  it('Infinity leaves the pool as it is; the default and bad values', () => {
    const { pool } = fakePool();
    const connect = pool.connect;
    limitSchemasPerConnection(pool, Number.POSITIVE_INFINITY, () => 'a');
    expect(pool.connect).toBe(connect);
    expect(schemaBudgetOf(undefined)).toBe(DEFAULT_SCHEMAS_PER_CONNECTION);
    expect(schemaBudgetOf(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    for (const bad of [0, -3, 2.5, Number.NaN])
      expect(() => schemaBudgetOf(bad)).toThrow(/maxSchemasPerConnection/);
  });
});
