import { join } from 'node:path';
import { tempDir } from '@md/testing';
import { injectPostgresUrl, startPostgres } from '@md/testing/postgres';

let counter = 0;

/** A fresh registry URL of each kind: a new SQLite file, or a new Postgres database. */
export async function freshUrl(kind: 'sqlite' | 'postgres'): Promise<string> {
  if (kind === 'sqlite') {
    const dir = tempDir('md-registry-');
    return `sqlite:${join(dir, 'registry.sqlite')}`;
  }
  const server = await startPostgres({ url: injectPostgresUrl() });
  return server.createDatabase(`md_registry_${process.pid}_${++counter}`);
}

/** Polls `check` every 10 ms; resolves with the time it took, throws after `ms`. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms = 3000): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - started;
}
