// One HTTP server on 127.0.0.1, port 0: `node server.mjs <framework> <bare|floor|md|md+obs>`.
// Prints `{"port": N}` when listening. A line `mark` on stdin is answered
// with `{"mark": µs}` on the monotonic clock V8's CPU profiles use (the
// profiler script cuts the load window out of a `--cpu-prof` profile with
// it). Ends on SIGTERM (or when stdin closes), with process.exit, so a
// `--cpu-prof` profile is written.
import { createServer } from 'node:http';
import { createApp } from './apps.mjs';

const [framework, variant] = process.argv.slice(2);
const app = await createApp(framework, variant);
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
let input = '';
process.stdin.on('data', (chunk) => {
  input += chunk;
  let nl = input.indexOf('\n');
  while (nl >= 0) {
    if (input.slice(0, nl).trim() === 'mark') {
      process.stdout.write(`${JSON.stringify({ mark: Number(process.hrtime.bigint() / 1000n) })}\n`);
    }
    input = input.slice(nl + 1);
    nl = input.indexOf('\n');
  }
});
process.stdin.on('end', () => process.exit(0));
process.stdout.write(`${JSON.stringify({ port })}\n`);
