// CPU profiles of the HTTP benchmark's variants under load: where the time
// goes, frame by frame, and what md spends beyond the floor.
//
//   bash scripts/with-node.sh node benchmarks/http/profile.mjs [--label before|after|…]
//        [--rounds 5] [--seconds 1] [--warm 20000] [--interval 100] [--top 25]
//        [--frameworks express,fastify,koa] [--variants bare,floor,md,md+obs]
//
// For each framework: every variant's server (server.mjs) in its own process
// under `node --cpu-prof` (sampling every --interval µs), each given --warm
// requests by autocannon (JIT tiers settle), then --rounds rounds of
// --seconds of load, one server at a time, the variants interleaved with the
// order rotated every round (drift of a shared machine falls on all alike).
// Each server marks the start and end of its load windows on the profiler's
// clock, so start-up, warm-up and the others' turns are cut out.
// Self time is summed per frame (function, file:line — md's own frames
// mapped back to their TypeScript source through the packages' source maps)
// and divided by the requests served in the window: µs per request is
// comparable across variants even though their req/s differ. Writes
// benchmarks/results/http-profile-<label>.json and .md (or $MD_BENCH_RESULTS);
// the raw .cpuprofile files stay in a temporary folder (printed), for
// Chrome DevTools or speedscope. Not part of `pnpm bench`: a diagnostic.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import os from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  deadline,
  interleave,
  killedOnExit,
  loadAverage,
  machine,
  REPO_DIR,
  resultsDir,
  table,
} from '../lib/common.mjs';
import { FRAMEWORKS, VARIANTS } from './apps.mjs';
import { loadServer, startServer } from './load.mjs';

const { values: args } = parseArgs({
  options: {
    label: { type: 'string', default: 'before' },
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '1' },
    warm: { type: 'string', default: '20000' },
    interval: { type: 'string', default: '100' },
    top: { type: 'string', default: '25' },
    frameworks: { type: 'string', default: FRAMEWORKS.join(',') },
    variants: { type: 'string', default: VARIANTS.join(',') },
  },
});
const LABEL = args.label;
const ROUNDS = Number(args.rounds);
const SECONDS = Number(args.seconds);
const WARM = Number(args.warm);
const INTERVAL = Number(args.interval);
const TOP = Number(args.top);
const frameworks = args.frameworks.split(',').filter((f) => FRAMEWORKS.includes(f));
const variants = args.variants.split(',').filter((v) => VARIANTS.includes(v));
if (!/^[\w.-]+$/.test(LABEL))
  throw new Error(`--label ${LABEL}: letters, digits, dot, dash, underscore only`);

const started = performance.now();
deadline((frameworks.length * variants.length * (ROUNDS * SECONDS + 20) + 60) * 1000, 'http profile');
const load = { start: loadAverage() };
console.log(`load average at start: ${load.start.join(' / ')}`);
const children = killedOnExit();
const profileDir = mkdtempSync(join(os.tmpdir(), `md-http-profile-${LABEL}-`));

// --- reading a profile --------------------------------------------------------

const sourceMaps = new Map();
/** md's own frames: dist/…js:line → src/…ts:line through the package's source map. */
function original(file, line, column) {
  if (!file.includes('/packages/') || file.includes('/node_modules/')) return undefined;
  if (!sourceMaps.has(file)) {
    const map = `${file}.map`;
    sourceMaps.set(file, existsSync(map) ? new SourceMap(JSON.parse(readFileSync(map, 'utf8'))) : null);
  }
  const entry = sourceMaps.get(file)?.findEntry(line, column);
  if (entry?.originalSource === undefined) return undefined;
  const source = entry.originalSource.startsWith('file:')
    ? fileURLToPath(entry.originalSource)
    : join(file, '..', entry.originalSource);
  return `${relative(REPO_DIR, source)}:${entry.originalLine + 1}`;
}

/** Node's native socket writes: their self time is mostly the write(2) in the kernel, which follows the machine's load more than the code. */
const SOCKET_WRITES = new Set([
  'writeUtf8String',
  'writeLatin1String',
  'writeAsciiString',
  'writeBuffer',
  'writev',
  'writeUcs2String',
]);
const SOCKET = 'socket writes (native, kernel)';

/** A frame's package: @md/<name> for md's packages, the npm package, node (internals), or V8 / native. */
function packageOf(url, functionName) {
  if (url === '' && SOCKET_WRITES.has(functionName)) return SOCKET;
  if (url === '') return functionName.startsWith('(') ? functionName : 'native (V8 builtins, C++)';
  if (url.startsWith('node:')) return 'node (internals)';
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = path.slice(nm + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const pkg = /\/packages\/([^/]+)\//.exec(path);
  if (pkg !== null) return `@md/${pkg[1]}`;
  if (path.includes('/benchmarks/')) return 'benchmark app';
  return 'other';
}

/** Where a frame is: repo-relative for md, package-relative for node_modules, as is for node:. */
function locationOf(url, line, column) {
  if (url === '') return '';
  if (url.startsWith('node:')) return `${url}:${line + 1}`;
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  const mapped = original(path, line, column);
  if (mapped !== undefined) return mapped;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return `${path.slice(nm + '/node_modules/'.length)}:${line + 1}`;
  return `${relative(REPO_DIR, path)}:${line + 1}`;
}

/** Self time per frame within the windows ([from, to] pairs, µs on the profiler's clock). */
function summarise(profile, windows) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (!windows.some(([from, to]) => t >= from && t <= to)) continue;
    // A sample's time is the gap to the next one (the last sample gets the interval).
    const next = i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : INTERVAL;
    const node = byId.get(profile.samples[i]);
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const key = `${functionName}\u0000${url}\u0000${lineNumber}\u0000${columnNumber}`;
    let frame = self.get(key);
    if (frame === undefined) {
      frame = {
        function: functionName || '(anonymous)',
        location: locationOf(url, lineNumber, columnNumber),
        package: packageOf(url, functionName),
        us: 0,
      };
      self.set(key, frame);
    }
    frame.us += next;
    total += next;
  }
  return { frames: [...self.values()], totalUs: total };
}

// --- profiling ------------------------------------------------------------------

/** Starts a variant's server under --cpu-prof; `mark()` answers the server's clock. */
async function startProfiled(framework, variant) {
  const name = `${framework}-${variant.replace('+', '-')}.cpuprofile`;
  const server = await startServer(framework, variant, {
    nodeArgs: [
      '--cpu-prof',
      `--cpu-prof-dir=${profileDir}`,
      `--cpu-prof-name=${name}`,
      `--cpu-prof-interval=${INTERVAL}`,
    ],
    children,
  });
  const mark = async () => {
    server.child.stdin.write('mark\n');
    return JSON.parse(await server.next()).mark;
  };
  return { ...server, name, mark, windows: [], requests: 0, seconds: 0 };
}

/** Stops the server (its profile is written on exit) and summarises its load windows. */
async function finish(framework, variant, server) {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
  const profile = JSON.parse(readFileSync(join(profileDir, server.name), 'utf8'));
  // The marks and the profile share V8's monotonic clock; if not, keep the whole profile and say so.
  const windowed = server.windows.every(([from, to]) => from >= profile.startTime && to <= profile.endTime);
  const { frames, totalUs } = summarise(profile, windowed ? server.windows : [[-Infinity, Infinity]]);
  const requests = server.requests;
  const byPackage = new Map();
  for (const f of frames) byPackage.set(f.package, (byPackage.get(f.package) ?? 0) + f.us);
  const idleUs = frames.filter((f) => f.function === '(idle)').reduce((a, f) => a + f.us, 0);
  const busyUs = totalUs - idleUs;
  const socketUs = frames.filter((f) => f.package === SOCKET).reduce((a, f) => a + f.us, 0);
  const rows = frames
    .filter((f) => f.function !== '(idle)')
    .sort((a, b) => b.us - a.us)
    .map((f) => ({ ...f, selfPct: (f.us / busyUs) * 100, usPerRequest: f.us / requests }));
  console.log(
    `${framework} ${variant}: ${Math.round(requests / server.seconds)} req/s, ${(busyUs / requests).toFixed(2)} µs busy per request, ${((idleUs / totalUs) * 100).toFixed(1)}% idle`,
  );
  return {
    requests,
    rps: requests / server.seconds,
    windowed,
    windowMs: server.windows.reduce((a, [from, to]) => a + (to - from), 0) / 1000,
    sampledMs: totalUs / 1000,
    idlePct: (idleUs / totalUs) * 100,
    busyUsPerRequest: busyUs / requests,
    socketUsPerRequest: socketUs / requests,
    packages: [...byPackage]
      .filter(([pkg]) => pkg !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .map(([pkg, us]) => ({ package: pkg, selfPct: (us / busyUs) * 100, usPerRequest: us / requests })),
    frames: rows,
  };
}

/** One framework: every variant's server at once, warmed, then loaded one at a time in interleaved rounds. */
async function profileFramework(framework) {
  const servers = Object.fromEntries(
    await Promise.all(variants.map(async (v) => [v, await startProfiled(framework, v)])),
  );
  for (const v of variants) await loadServer(servers[v].port, { amount: WARM });
  await interleave(ROUNDS, variants, async (v) => {
    const server = servers[v];
    const from = await server.mark();
    const r = await loadServer(server.port, { duration: SECONDS });
    const to = await server.mark();
    if (r.non2xx > 0 || r.errors > 0)
      throw new Error(`${framework} ${v}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    server.windows.push([from, to]);
    server.requests += r.requests.total;
    server.seconds += r.duration;
  });
  const out = {};
  for (const v of variants) out[v] = await finish(framework, v, servers[v]);
  return out;
}

const profiles = {};
for (const framework of frameworks) profiles[framework] = await profileFramework(framework);
load.end = loadAverage();

/** Frames of `b` costing more per request than the same frames of `a` (md − floor, md+obs − md). */
function beyond(a, b, n) {
  const key = (f) => `${f.function} ${f.location}`;
  const base = new Map(a.frames.map((f) => [key(f), f.usPerRequest]));
  const seen = new Set();
  const rows = b.frames
    .filter((f) => f.package !== SOCKET)
    .map((f) => {
      seen.add(key(f));
      return { ...f, deltaUs: f.usPerRequest - (base.get(key(f)) ?? 0), baseUs: base.get(key(f)) ?? 0 };
    });
  for (const f of a.frames) {
    if (!seen.has(key(f)) && f.package !== SOCKET)
      rows.push({ ...f, usPerRequest: 0, baseUs: f.usPerRequest, deltaUs: -f.usPerRequest });
  }
  return rows.sort((x, y) => y.deltaUs - x.deltaUs).slice(0, n);
}
const comparisons = [
  ['floor', 'md'],
  ['md', 'md+obs'],
  ['bare', 'floor'],
].filter(([a, b]) => variants.includes(a) && variants.includes(b));
const beyondRows = {};
for (const framework of frameworks) {
  beyondRows[framework] = {};
  for (const [a, b] of comparisons) {
    beyondRows[framework][`${b} − ${a}`] = beyond(profiles[framework][a], profiles[framework][b], 15);
  }
}

// --- writing --------------------------------------------------------------------

const dir = resultsDir();
mkdirSync(dir, { recursive: true });
const result = {
  name: `http-profile-${LABEL}`,
  label: LABEL,
  date: new Date().toISOString(),
  durationS: Math.round((performance.now() - started) / 100) / 10,
  machine: machine(),
  load,
  settings: {
    rounds: ROUNDS,
    seconds: SECONDS,
    warmRequests: WARM,
    intervalUs: INTERVAL,
    frameworks,
    variants,
  },
  profiles: Object.fromEntries(
    Object.entries(profiles).map(([f, byVariant]) => [
      f,
      Object.fromEntries(
        Object.entries(byVariant).map(([v, p]) => [v, { ...p, frames: p.frames.slice(0, 60) }]),
      ),
    ]),
  ),
  beyond: beyondRows,
};
writeFileSync(join(dir, `${result.name}.json`), `${JSON.stringify(result, null, 2)}\n`);

const us = (v) => v.toFixed(v < 1 ? 3 : 2);
const pct = (v) => `${v.toFixed(1)}%`;
const m = result.machine;
const md = [
  `## HTTP CPU profiles (${LABEL})`,
  '',
  `${result.date} · ${result.durationS} s · Node ${m.node} · ${m.cpu} (${m.cores} cores) · load average ${load.start.join(' / ')} at the start, ${load.end.join(' / ')} at the end`,
  '',
  `Each variant's server (benchmarks/http/server.mjs, the same apps as \`pnpm bench http\`) ran in its own process under \`node --cpu-prof --cpu-prof-interval ${INTERVAL}\` (µs), got ${WARM.toLocaleString('en')} warm-up requests, then ${ROUNDS} rounds of ${SECONDS} s of autocannon load (10 connections, 100 Host headers), one server at a time, the variants of a framework interleaved with the order rotated every round (so drift of a shared machine falls on all alike); only those windows are summarised (cut on the profiler's clock${Object.values(profiles).every((p) => Object.values(p).every((x) => x.windowed)) ? '' : '; **some profiles could not be cut and are whole**'}). Self time is per frame; *self %* is of the server's busy (non-idle) time, *µs/req* is self time divided by the requests served in the window — comparable across variants. md's frames are mapped to their TypeScript source. Regenerate with \`node benchmarks/http/profile.mjs --label ${LABEL}\`.`,
  '',
  '### Per request',
  '',
  ...table(
    ['framework', ...variants.map((v) => `${v}: req/s · busy µs/req (of which socket writes) · idle`)],
    frameworks.map((f) => [
      f,
      ...variants.map((v) => {
        const p = profiles[f][v];
        return `${Math.round(p.rps).toLocaleString('en')} · ${us(p.busyUsPerRequest)} (${us(p.socketUsPerRequest)}) · ${pct(p.idlePct)}`;
      }),
    ]),
  ),
  '',
  `*Socket writes* (${[...SOCKET_WRITES].map((w) => `\`${w}\``).join(', ')}) are Node's native writes to the socket: their self time is mostly the write(2) system call, which moves with the machine's load more than with the code, so the "beyond" tables below leave them out.`,
  '',
];
for (const f of frameworks) {
  for (const key of Object.keys(beyondRows[f])) {
    md.push(
      `### ${f}: frames where ${key.replace(' − ', ' spends beyond ')} (µs per request)`,
      '',
      ...table(
        [
          'function',
          'where',
          'package',
          `${key.split(' − ')[0]} µs/req`,
          `${key.split(' − ')[1]} µs/req`,
          'Δ µs/req',
        ],
        beyondRows[f][key].map((r) => [
          `\`${r.function}\``,
          r.location,
          r.package,
          us(r.usPerRequest),
          us(r.baseUs),
          `${r.deltaUs >= 0 ? '+' : '−'}${us(Math.abs(r.deltaUs))}`,
        ]),
      ),
      '',
    );
  }
}
for (const f of frameworks) {
  for (const v of variants) {
    const p = profiles[f][v];
    md.push(
      `### ${f} ${v}: top ${TOP} self-time frames`,
      '',
      `${Math.round(p.rps).toLocaleString('en')} req/s in the window, ${us(p.busyUsPerRequest)} µs busy per request. By package: ${p.packages
        .slice(0, 8)
        .map((x) => `${x.package} ${pct(x.selfPct)}`)
        .join(', ')}.`,
      '',
      ...table(
        ['function', 'where', 'package', 'self %', 'µs/req'],
        p.frames
          .slice(0, TOP)
          .map((r) => [`\`${r.function}\``, r.location, r.package, pct(r.selfPct), us(r.usPerRequest)]),
      ),
      '',
    );
  }
}
writeFileSync(join(dir, `${result.name}.md`), `${md.join('\n')}\n`);
console.log(`\nwrote ${join(dir, `${result.name}.json`)} and .md; raw profiles in ${profileDir}`);
console.log(readdirSync(profileDir).join(', '));
process.exit(0);
