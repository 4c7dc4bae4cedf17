// The main job: the storefront on the adapter and isolation chosen by environment
// variables (defaults: Fastify + database-per-domain on SQLite files).
import { MdError } from '@md/core';
import { type AdapterName, startServer } from './servers.js';
import { createStorefront, type Isolation } from './site.js';

const adapter = (process.env.MD_ADAPTER ?? 'fastify') as AdapterName;
const isolation = (process.env.MD_ISOLATION ?? 'database') as Isolation;
if (!['express', 'fastify', 'koa'].includes(adapter)) {
  throw MdError.invalidOptions(`MD_ADAPTER must be express, fastify or koa (got ${JSON.stringify(adapter)})`);
}
if (!['database', 'schema', 'row'].includes(isolation)) {
  throw MdError.invalidOptions(
    `MD_ISOLATION must be database, schema or row (got ${JSON.stringify(isolation)})`,
  );
}
const port = Number(process.env.PORT ?? 3000);
const { site, app } = await createStorefront({
  isolation,
  ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
  ...(process.env.MD_DATA_DIR ? { dataDir: process.env.MD_DATA_DIR } : {}),
  ...(process.env.MD_ADMIN_TOKEN ? { adminToken: process.env.MD_ADMIN_TOKEN } : {}),
});
const server = await startServer(adapter, site, app, { port, host: process.env.HOST ?? '127.0.0.1' });

const where = process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite';
console.log(`md storefront: ${adapter} + ${isolation}-per-domain isolation on ${where}`);
console.log(`  acme     http://acme.localhost:${server.port}/`);
console.log(`  globex   http://globex.localhost:${server.port}/`);
console.log(`  initech  http://localhost:${server.port}/stores/initech/   (path mode)`);
console.log(
  `  domains  http://localhost:${server.port}/                  (root domain: the list of domains)`,
);
console.log('Ctrl-C to stop.');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server
      .close()
      .then(() => site.close())
      .then(() => process.exit(0));
  });
}
