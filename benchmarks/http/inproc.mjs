// One variant's server and a minimal HTTP client in ONE process, for counting
// instructions under callgrind (driven by callgrind.mjs):
//   node --predictable inproc.mjs <framework> <variant> <warmup> <settle> <requests> <passes> <ready-file>
// The server is the same as server.mjs's (the framework's own, on
// 127.0.0.1); the client is a raw keep-alive socket that writes one
// precomputed GET per request (cycling over the 100 Host headers) and waits
// for the whole response, so the count covers the real path (socket, HTTP
// parser, framework, md) plus a small client cost that is the same for every
// variant. (light-my-request is not used: its mock requests stay reachable
// through scavenges, so every young-generation GC copied tens of MB and one
// scavenge cost more instructions than a thousand requests.)
// The protocol (uninstrumented warm-up, settle, passes cut out by
// os.loadavg() until the driver says the last two agree) is
// ../lib/counted-passes.mjs.
import { createServer } from 'node:http';
import net from 'node:net';
import { countedPasses } from '../lib/counted-passes.mjs';
import { createApp, DOMAINS, hostOf } from './apps.mjs';

const [framework, variant, warmupArg, settleArg, requestsArg, passesArg, readyFile] = process.argv.slice(2);
const WARMUP = Number(warmupArg);
const SETTLE = Number(settleArg);
const REQUESTS = Number(requestsArg);
const PASSES = Number(passesArg);
const t0 = performance.now();
const app = await createApp(framework, variant);
let server;
if (app.fastify !== undefined) {
  await app.fastify.listen({ host: '127.0.0.1', port: 0 });
  server = app.fastify.server;
} else {
  server = createServer(app.dispatch);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

const wire = Array.from({ length: DOMAINS }, (_, i) =>
  Buffer.from(`GET /hello HTTP/1.1\r\nHost: ${hostOf(i)}\r\n\r\n`, 'latin1'),
);
const socket = net.connect(server.address().port, '127.0.0.1');
await new Promise((resolve, reject) => {
  socket.once('connect', resolve);
  socket.once('error', reject);
});
socket.setNoDelay(true);
let received = '';
let answered;
socket.on('data', (chunk) => {
  received += chunk.toString('latin1');
  const head = received.indexOf('\r\n\r\n');
  if (head < 0) return;
  const length = /\r\ncontent-length: *(\d+)/i.exec(received.slice(0, head));
  if (length === null) throw new Error(`${framework} ${variant}: no content-length in ${received}`);
  const end = head + 4 + Number(length[1]);
  if (received.length < end) return;
  if (!received.startsWith('HTTP/1.1 200'))
    throw new Error(`${framework} ${variant}: ${received.slice(0, end)}`);
  received = received.slice(end);
  const done = answered;
  answered = undefined;
  done();
});

let sent = 0;
async function requests(count) {
  for (let i = 0; i < count; i++) {
    await new Promise((resolve) => {
      answered = resolve;
      socket.write(wire[sent++ % DOMAINS]);
    });
  }
}

await countedPasses({
  run: requests,
  warmup: WARMUP,
  settle: SETTLE,
  requests: REQUESTS,
  passes: PASSES,
  readyFile,
  startedAt: t0,
});
