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
// 1. warm-up: `warmup` requests while callgrind's instrumentation is still
//    off — near-native speed, so V8's tiers (Sparkplug, Maglev, TurboFan)
//    settle (natively, compiling stops after about 20,000 requests);
// 2. writes `ready-file` and waits for SIGUSR2 (the driver turns the
//    instrumentation on with `callgrind_control -i on` meanwhile). Neither
//    touches a stream: a first read of stdin or write to stdout here changes
//    the hidden classes of Node's stream objects, which deoptimises the
//    stream code every request runs and would put a re-warm-up into pass 1;
// 3. settles with `settle` requests, then runs up to `passes` passes of
//    `requests` requests each, every pass cut out exactly by calls to
//    os.loadavg() (libuv's uv_loadavg), which callgrind dumps before
//    (--dump-before=uv_loadavg): dump 1 = wait + settle, dump 2 = pass 1,
//    dump 3 = pass 2, … No GC is forced: a full GC clears feedback and
//    flushes code, so the requests after it are not the steady state.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import net from 'node:net';
import os from 'node:os';
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

// A signal listener does not keep the event loop alive: a timer does, until the signal.
const go = new Promise((resolve) => {
  const alive = setInterval(() => {}, 1000);
  process.once('SIGUSR2', () => {
    clearInterval(alive);
    resolve();
  });
});
const t1 = performance.now();
await requests(WARMUP);
writeFileSync(
  readyFile,
  JSON.stringify({ startMs: Math.round(t1 - t0), warmupMs: Math.round(performance.now() - t1) }),
);
await go;
await requests(SETTLE);
const mark = () => os.loadavg();
// From the second pass on, the driver reads the dumps and says whether the
// last two passes agree (SIGTERM: done) or another pass is wanted (SIGUSR2),
// up to `passes` in all. Waiting runs no JavaScript: nothing lands in a pass.
process.once('SIGTERM', () => process.exit(0));
mark();
for (let pass = 1; pass <= PASSES; pass++) {
  await requests(REQUESTS);
  mark();
  if (pass >= 2 && pass < PASSES) {
    const more = new Promise((resolve) => process.once('SIGUSR2', resolve));
    writeFileSync(`${readyFile}.pass`, String(pass));
    await more;
  }
}
process.exit(0);
