import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { injectPostgresUrl, startPostgres } from '@md/testing/postgres';

let databases = 0;

/** A registry URL of its own: a new SQLite file, or a new database on the test Postgres server. */
export async function freshUrl(kind: 'sqlite' | 'postgres'): Promise<string> {
  if (kind === 'postgres') {
    const server = await startPostgres({ url: injectPostgresUrl() });
    return server.createDatabase(`md_admin_${process.pid}_${++databases}`);
  }
  return `sqlite:${join(await mkdtemp(join(tmpdir(), 'md-admin-')), 'registry.sqlite')}`;
}
