import { createRequire } from 'node:module';
import { MdError } from '@md/core';
import type pg from 'pg';
import { type Row, type SqlClient, type SqlExecutor, toPostgresPlaceholders } from './sql-client.js';

/** The `pg` module, loaded on first use so SQLite-only sites need not install it. */
export function loadPg(): typeof pg {
  const require = createRequire(import.meta.url);
  try {
    return require('pg') as typeof pg;
  } catch (cause) {
    throw MdError.invalidOptions(
      `the PostgreSQL registry needs the "pg" package: install it (${(cause as Error).message})`,
    );
  }
}

/** A small `pg` pool with `?` placeholders. */
export function openPostgres(url: string, poolSize: number): SqlClient {
  const { Pool } = loadPg();
  const pool = new Pool({ connectionString: url, max: poolSize });
  // An idle client that loses its server must not crash the process.
  pool.on('error', () => undefined);
  const on = (client: { query(sql: string, params?: unknown[]): Promise<{ rows: Row[] }> }): SqlExecutor => ({
    query: async (sql, params = []) => (await client.query(toPostgresPlaceholders(sql), [...params])).rows,
  });
  return {
    dialect: 'postgres',
    query: (sql, params) => on(pool).query(sql, params),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(on(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
