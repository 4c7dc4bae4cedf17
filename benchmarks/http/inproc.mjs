// In-process requests for instruction counting under callgrind:
// `node --predictable inproc.mjs <framework> <requests> <warmup>`.
// Phases are cut by calling os.loadavg() (libuv's uv_loadavg), which
// callgrind is told to dump before (--dump-before=uv_loadavg), so each dump
// holds exactly one phase: startup+warm-up, bare, md, bare, md.
import os from 'node:os';
import inject from 'light-my-request';
import { createApp, createMdSite, DOMAINS, hostOf } from './apps.mjs';

const [framework, requestsArg, warmupArg] = process.argv.slice(2);
const REQUESTS = Number(requestsArg);
const WARMUP = Number(warmupArg);
const site = await createMdSite();
const apps = { bare: await createApp(framework, 'bare'), md: await createApp(framework, 'md', site) };

async function requests(variant, count) {
  const app = apps[variant];
  for (let i = 0; i < count; i++) {
    const options = { method: 'GET', url: '/hello', headers: { host: hostOf(i % DOMAINS) } };
    const res = app.fastify ? await app.fastify.inject(options) : await inject(app.dispatch, options);
    if (res.statusCode !== 200) throw new Error(`${framework} ${variant}: ${res.statusCode} ${res.payload}`);
  }
}

const mark = () => os.loadavg();
for (let round = 0; round < 3; round++) {
  await requests('bare', WARMUP);
  await requests('md', WARMUP);
}
const phases = [];
for (const variant of ['bare', 'md', 'bare', 'md']) {
  mark();
  await requests(variant, REQUESTS);
  phases.push(variant);
}
mark();
process.stdout.write(`${JSON.stringify({ phases })}\n`);
process.exit(0);
