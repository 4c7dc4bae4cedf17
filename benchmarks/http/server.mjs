// One HTTP server on 127.0.0.1, port 0: `node server.mjs <framework> <bare|md>`.
// Prints `{"port": N}` when listening; ends on SIGTERM.
import { createServer } from 'node:http';
import { createApp, createMdSite } from './apps.mjs';

const [framework, variant] = process.argv.slice(2);
const site = variant === 'md' ? await createMdSite() : undefined;
const app = await createApp(framework, variant, site);
let port;
if (app.fastify !== undefined) {
  await app.fastify.listen({ host: '127.0.0.1', port: 0 });
  port = app.fastify.server.address().port;
} else {
  const server = createServer(app.dispatch);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = server.address().port;
}
process.on('SIGTERM', () => process.exit(0));
process.stdout.write(`${JSON.stringify({ port })}\n`);
