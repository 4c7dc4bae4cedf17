// HTTP overhead: bare Express / Fastify / Koa against the same app with md
// (Host resolution among 100 domains + domain context + a configured but
// untouched isolation strategy). Two measures:
//  1. req/s and latency with autocannon over 127.0.0.1: each server in its
//     own process, bare and md rounds interleaved (A B, B A, …), bounded
//     duration per round; ratio = median of per-round md/bare ratios.
//  2. instructions per request with valgrind callgrind on `node
//     --predictable`, in-process requests (light-my-request / app.inject),
//     phases bare, md, bare, md in one process (full mode only: ~1 min each).
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import {
  BENCH_DIR,
  deadline,
  fmt,
  goal,
  interleave,
  median,
  pairwiseRatio,
  pick,
  summarize,
  table,
  writeResults,
} from '../lib/common.mjs';
import { DOMAINS, FRAMEWORKS, hostOf } from './apps.mjs';

const started = performance.now();
deadline(pick({ smoke: 90_000, quick: 80_000, full: 600_000 }), 'http');
// Servers never outlive the benchmark, whatever ends it.
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
// autocannon measures in whole seconds, so a round lasts at least 1 s: the
// quick run keeps 6 rounds to stay within its budget; the full run has 10.
const ROUNDS = pick({ smoke: 2, quick: 5, full: 10 });
const SECONDS = pick({ smoke: 1, quick: 1, full: 3 });
const CONNECTIONS = 10;
const CALLGRIND = pick({ smoke: false, quick: false, full: true }) || process.argv.includes('--callgrind');
const CG_REQUESTS = pick({ smoke: 50, quick: 100, full: 400 });
const GOAL_RPS = 0.95;
const GOAL_INSTR = 1.03;

function startServer(framework, variant) {
  const child = spawn(process.execPath, [join(BENCH_DIR, 'http/server.mjs'), framework, variant], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      if (buffer.includes('\n')) resolve({ child, port: JSON.parse(buffer).port });
    });
    child.on('exit', (code) => reject(new Error(`${framework} ${variant} server exited (${code})`)));
  });
}

function load(port, seconds) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections: CONNECTIONS,
        duration: seconds,
        // Each connection cycles through requests for 100 different domains.
        requests: Array.from({ length: DOMAINS }, (_, i) => ({
          method: 'GET',
          path: '/hello',
          headers: { host: hostOf(i) },
        })),
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

// Start every server at once (their start-up is not measured), load one at a time.
const started6 = await Promise.all(
  FRAMEWORKS.flatMap((f) => ['bare', 'md'].map((v) => startServer(f, v).then((s) => [`${f} ${v}`, s]))),
);
const allServers = Object.fromEntries(started6);
const http = {};
for (const framework of FRAMEWORKS) {
  const servers = { bare: allServers[`${framework} bare`], md: allServers[`${framework} md`] };
  try {
    // Warm both (JIT, connection setup) before measuring.
    for (const variant of ['bare', 'md']) await load(servers[variant].port, 1);
    const samples = await interleave(
      ROUNDS,
      ['bare', 'md'],
      async (variant) => {
        const r = await load(servers[variant].port, SECONDS);
        if (r.non2xx > 0 || r.errors > 0)
          throw new Error(`${framework} ${variant}: ${r.non2xx} non-2xx, ${r.errors} errors`);
        return { rps: r.requests.total / r.duration, p50: r.latency.p50, p99: r.latency.p99 };
      },
      (round) => process.stdout.write(`${framework}: round ${round + 1}/${ROUNDS}\r`),
    );
    const rps = { bare: samples.bare.map((s) => s.rps), md: samples.md.map((s) => s.rps) };
    http[framework] = {
      bare: {
        rps: summarize(rps.bare),
        p50: median(samples.bare.map((s) => s.p50)),
        p99: median(samples.bare.map((s) => s.p99)),
      },
      md: {
        rps: summarize(rps.md),
        p50: median(samples.md.map((s) => s.p50)),
        p99: median(samples.md.map((s) => s.p99)),
      },
      ratio: pairwiseRatio(rps.bare, rps.md),
      samples,
    };
  } finally {
    servers.bare.child.kill('SIGTERM');
    servers.md.child.kill('SIGTERM');
  }
}

/** Instructions per request, per phase, from callgrind's per-phase dumps. */
async function countInstructions(framework) {
  const dir = mkdtempSync(join(tmpdir(), `md-cg-${framework}-`));
  await promisify(execFile)(
    'valgrind',
    [
      '--tool=callgrind',
      '--dump-before=uv_loadavg',
      `--callgrind-out-file=${join(dir, 'cg')}`,
      process.execPath,
      '--predictable',
      join(BENCH_DIR, 'http/inproc.mjs'),
      framework,
      String(CG_REQUESTS),
      '100',
    ],
    { maxBuffer: 64 * 1024 * 1024, timeout: 400_000 },
  );
  const totals = readdirSync(dir)
    .filter((f) => /^cg\.\d+$/.test(f))
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
    .map((f) => Number(/^summary: (\d+)/m.exec(readFileSync(join(dir, f), 'utf8'))[1]));
  // Dump 1 is startup + warm-up; then bare, md, bare, md.
  const [, b1, m1, b2, m2] = totals.map((t) => t / CG_REQUESTS);
  return { bare: [b1, b2], md: [m1, m2], ratio: (m1 + m2) / (b1 + b2) };
}

const instructions = {};
if (CALLGRIND) {
  process.stdout.write('\ncounting instructions with callgrind (three processes at once)…\n');
  const counted = await Promise.all(FRAMEWORKS.map((f) => countInstructions(f)));
  for (const [i, f] of FRAMEWORKS.entries()) instructions[f] = counted[i];
}

const goals = FRAMEWORKS.flatMap((f) => {
  const list = [
    goal(
      `${f}: md req/s vs bare`,
      `≥ ${GOAL_RPS}×`,
      `${fmt.x(http[f].ratio.median)} (rounds ${fmt.x(http[f].ratio.min)}–${fmt.x(http[f].ratio.max)})`,
      http[f].ratio.median >= GOAL_RPS,
    ),
  ];
  if (instructions[f] !== undefined) {
    const r = instructions[f].ratio;
    list.push(
      goal(
        `${f}: instructions per request, md vs bare (in-process)`,
        `≤ +${Math.round((GOAL_INSTR - 1) * 100)}%`,
        `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(1)}% (${fmt.int(median(instructions[f].bare))} → ${fmt.int(median(instructions[f].md))})`,
        r <= GOAL_INSTR,
      ),
    );
  }
  return list;
});

const tables = [
  {
    title: 'Throughput and latency over 127.0.0.1',
    lines: table(
      [
        'framework',
        'bare req/s',
        'md req/s',
        'md/bare (median of rounds)',
        'ratio spread',
        'p50 bare / md',
        'p99 bare / md',
      ],
      FRAMEWORKS.map((f) => {
        const h = http[f];
        return [
          f,
          fmt.int(h.bare.rps.median),
          fmt.int(h.md.rps.median),
          fmt.x(h.ratio.median),
          fmt.spread(h.ratio),
          `${h.bare.p50} / ${h.md.p50} ms`,
          `${h.bare.p99} / ${h.md.p99} ms`,
        ];
      }),
    ),
  },
];
if (CALLGRIND) {
  tables.push({
    title: 'Instructions per request (callgrind, node --predictable, in-process requests)',
    lines: [
      ...table(
        ['framework', 'bare (phase 1, 3)', 'md (phase 2, 4)', 'md − bare', 'md/bare'],
        FRAMEWORKS.map((f) => {
          const c = instructions[f];
          return [
            f,
            c.bare.map(fmt.int).join(', '),
            c.md.map(fmt.int).join(', '),
            `+${fmt.int(median(c.md) - median(c.bare))}`,
            fmt.x(c.ratio),
          ];
        }),
      ),
      '',
      `In-process requests (no socket, no HTTP parser) make the denominator smaller than over a real connection: the same added instructions are a larger share here, so this is the stricter reading of the ≤ +3% goal. ${CG_REQUESTS} requests per phase after 3×100 warm-up requests per variant.`,
    ],
  });
}

writeResults('http', started, {
  title: 'HTTP overhead: bare framework vs the same app with md',
  method: `Each framework serves GET /hello with a small JSON body, bare, and with md (Host resolution among ${DOMAINS} domains, domain context, row-level strategy configured on SQLite but not touched by the handler). Each server runs in its own Node process; autocannon (${CONNECTIONS} connections, requests cycling over ${DOMAINS} Host headers) loads one server at a time from the benchmark process, ${SECONDS} s per round, ${ROUNDS} rounds interleaved bare/md with the order alternating. Ratio = median of per-round md/bare req/s ratios (spread: min–max and IQR).${CALLGRIND ? ' Instruction counts: valgrind --tool=callgrind on node --predictable.' : ' Instruction counts are only taken in the full run (callgrind needs about a minute per framework).'}`,
  goals,
  tables,
  charts: [
    {
      title: 'HTTP: requests per second, bare vs md (median of rounds, bars = min–max)',
      spec: {
        width: 360,
        data: {
          values: FRAMEWORKS.flatMap((f) =>
            ['bare', 'md'].map((v) => ({
              framework: f,
              variant: v,
              rps: http[f][v].rps.median,
              min: http[f][v].rps.min,
              max: http[f][v].rps.max,
            })),
          ),
        },
        encoding: {
          y: { field: 'framework', type: 'nominal', title: null },
          yOffset: { field: 'variant', type: 'nominal' },
          color: { field: 'variant', type: 'nominal' },
        },
        layer: [
          {
            mark: 'bar',
            encoding: { x: { field: 'rps', type: 'quantitative', title: 'requests per second' } },
          },
          {
            mark: { type: 'rule', color: 'black' },
            encoding: { x: { field: 'min', type: 'quantitative' }, x2: { field: 'max' } },
          },
        ],
      },
    },
    {
      title: 'HTTP: md/bare req/s ratio per round (goal ≥ 0.95)',
      spec: {
        width: 360,
        data: {
          values: FRAMEWORKS.flatMap((f) =>
            http[f].ratio.ratios.map((ratio, round) => ({ framework: f, round, ratio })),
          ),
        },
        layer: [
          {
            mark: { type: 'tick', thickness: 2 },
            encoding: {
              y: { field: 'framework', type: 'nominal', title: null },
              x: { field: 'ratio', type: 'quantitative', scale: { zero: false }, title: 'md / bare req/s' },
            },
          },
          {
            data: { values: [{ goal: GOAL_RPS }] },
            mark: { type: 'rule', color: 'red' },
            encoding: { x: { field: 'goal', type: 'quantitative' } },
          },
        ],
      },
    },
  ],
  http: Object.fromEntries(FRAMEWORKS.map((f) => [f, { ...http[f], ratio: { ...http[f].ratio } }])),
  instructions,
  settings: {
    rounds: ROUNDS,
    seconds: SECONDS,
    connections: CONNECTIONS,
    callgrindRequests: CALLGRIND ? CG_REQUESTS : 0,
  },
});
process.exit(0);
