// HTTP overhead of md against the bare framework and against the floor (the
// least any tenancy layer pays: a Map lookup of the Host among 100 domains
// plus one AsyncLocalStorage.run, written by hand in the same app), for
// Express, Fastify and Koa, with and without @md/observability. Two measures:
//  1. req/s and latency with autocannon over 127.0.0.1: each variant's server
//     in its own process, the four variants of one framework interleaved
//     round by round (order rotated every round), bounded duration per round;
//     every ratio is the median of per-round ratios;
//  2. instructions per request with valgrind callgrind (full mode, or
//     --callgrind): one process per variant, server and a raw client on a
//     loopback socket, a long uninstrumented warm-up, then five passes of a
//     fixed number of requests cut out exactly by callgrind dumps, the mean
//     of the last four counted; two of them must agree within 1% (see
//     callgrind.mjs, inproc.mjs).

import { nodeBinary } from '../../scripts/node-binary.mjs';
import {
  deadline,
  fmt,
  goal,
  interleave,
  killedOnExit,
  loadAverage,
  median,
  pairwiseRatio,
  pick,
  summarize,
  table,
  writeResults,
} from '../lib/common.mjs';
import { DOMAINS, FRAMEWORKS, VARIANTS } from './apps.mjs';
import { countInstructions, haveCallgrind, NODE_FLAGS, pool } from './callgrind.mjs';
import { CONNECTIONS, loadServer, startServer } from './load.mjs';

const started = performance.now();
const load = { start: loadAverage() };
console.log(`load average at start: ${load.start.join(' / ')}`);
// Servers never outlive the benchmark, whatever ends it.
const children = killedOnExit();
// autocannon measures in whole seconds: a round is 1 s of load per variant,
// and more rounds (not longer ones) narrow the median of per-round ratios.
const ROUNDS = pick({ smoke: 2, quick: 3, full: 8 });
/** autocannon's latencies are whole milliseconds: a 0 means under 1 ms. */
const underOneMs = (ms) => (ms < 1 ? '< 1' : ms);
const SECONDS = 1;
/** Requests per server before the first round: natively V8 stops compiling the path after ~20,000. */
const WARM_REQUESTS = pick({ smoke: 2_000, quick: 5_000, full: 15_000 });
const CALLGRIND = pick({ smoke: false, quick: false, full: true }) || process.argv.includes('--callgrind');
// V8 stops compiling this path only after ~20,000 requests (after 10,000 a
// pass still costs 15–30% more than the steady state), and the first requests
// after the instrumentation comes on still run slower paths (with 500
// settling requests, passes of the floor were 1–12% apart; with 1,500, under
// 1%); a pass of 3,000 requests allocates 30–45 MB, one or two scavenges of Node's own young
// generation (callgrind.mjs), and now and then a full GC that moves a pass by 2–5%: every
// variant is counted over the same five passes. One process per variant
// costs 45–110 s of a core on a shared machine, so the full run counts the
// goal's pair, floor and md; MD_CG_VARIANTS=bare,floor,md,md+obs adds the others.
const CG = {
  warmup: pick({ smoke: 2_000, quick: 20_000, full: 20_000 }),
  settle: pick({ smoke: 300, quick: 1_500, full: 1_500 }),
  requests: pick({ smoke: 300, quick: 1_500, full: 3_000 }),
  // Exactly this many passes; the count is the mean of all but the first (callgrind.mjs, `fixed`).
  passes: 5,
  fixed: true,
};
const CG_WANTED = (process.env.MD_CG_VARIANTS ?? 'floor,md').split(',');
/** floor and md always (the goal), in the order of VARIANTS. */
const CG_VARIANTS = VARIANTS.filter((v) => v === 'floor' || v === 'md' || CG_WANTED.includes(v));
const CG_CONCURRENCY = 2;
/** Nodes measured beside 24 (req/s only, fewer rounds), as issue 15 asks; MD_BENCH_OTHER_NODES=22,26 in any mode. */
const OTHER_NODES =
  process.env.MD_BENCH_OTHER_NODES !== undefined
    ? process.env.MD_BENCH_OTHER_NODES.split(',').filter(Boolean).map(Number)
    : pick({ smoke: [], quick: [], full: [22, 26] });
const OTHER_ROUNDS = 3;
const OTHER_WARM = 10_000;
// Bounded in time whatever happens; --callgrind in a smoke or quick run adds its few minutes.
deadline(
  pick({ smoke: 90_000, quick: 85_000, full: 900_000 }) +
    (CALLGRIND ? pick({ smoke: 300_000, quick: 300_000, full: 0 }) : 0) +
    (process.env.MD_BENCH_OTHER_NODES !== undefined ? OTHER_NODES.length * 120_000 : 0),
  'http',
);
const CG_AGREEMENT = 0.01;
const LABEL = { bare: 'bare', floor: 'floor', md: 'md', 'md+obs': 'md+obs' };

/** The goals, per framework (issue 15). */
const GOAL = {
  mdFloor: 0.97,
  mdBare: { express: 0.92, fastify: 0.95, koa: 0.95 },
  obsFloor: 0.9,
  instr: 1.03,
};

/**
 * req/s of every variant of every framework on one Node: all servers started
 * at once (start-up is not measured), loaded one at a time, the variants of a
 * framework interleaved round by round.
 */
async function measure(node, rounds, warm) {
  const allServers = Object.fromEntries(
    await Promise.all(
      FRAMEWORKS.flatMap((f) =>
        VARIANTS.map((v) => startServer(f, v, { node, children }).then((s) => [`${f} ${v}`, s])),
      ),
    ),
  );
  const result = {};
  for (const framework of FRAMEWORKS) {
    const servers = Object.fromEntries(VARIANTS.map((v) => [v, allServers[`${framework} ${v}`]]));
    try {
      // Warm every variant (JIT tiers, connection setup) before measuring.
      for (const variant of VARIANTS) await loadServer(servers[variant].port, { amount: warm });
      const samples = await interleave(
        rounds,
        VARIANTS,
        async (variant) => {
          const r = await loadServer(servers[variant].port, { duration: SECONDS });
          if (r.non2xx > 0 || r.errors > 0)
            throw new Error(`${framework} ${variant}: ${r.non2xx} non-2xx, ${r.errors} errors`);
          return { rps: r.requests.total / r.duration, p50: r.latency.p50, p99: r.latency.p99 };
        },
        (round) => process.stdout.write(`${framework}: round ${round + 1}/${rounds}\r`),
      );
      const rps = Object.fromEntries(VARIANTS.map((v) => [v, samples[v].map((s) => s.rps)]));
      result[framework] = {
        ...Object.fromEntries(
          VARIANTS.map((v) => [
            v,
            {
              rps: summarize(rps[v]),
              p50: median(samples[v].map((s) => s.p50)),
              p99: median(samples[v].map((s) => s.p99)),
            },
          ]),
        ),
        ratios: {
          'md/floor': pairwiseRatio(rps.floor, rps.md),
          'md/bare': pairwiseRatio(rps.bare, rps.md),
          'floor/bare': pairwiseRatio(rps.bare, rps.floor),
          'md+obs/floor': pairwiseRatio(rps.floor, rps['md+obs']),
          'md+obs/bare': pairwiseRatio(rps.bare, rps['md+obs']),
        },
        samples,
      };
    } finally {
      for (const variant of VARIANTS) servers[variant].child.kill('SIGTERM');
    }
  }
  process.stdout.write('\n');
  return result;
}

const http = await measure(process.execPath, ROUNDS, WARM_REQUESTS);
// The same comparison on the Nodes beside 24 (fewer rounds): reported, not goals.
const beside = {};
for (const major of OTHER_NODES) {
  let node;
  try {
    node = nodeBinary(major);
  } catch (error) {
    beside[major] = { error: error.message };
    continue;
  }
  process.stdout.write(`Node ${node.version}:\n`);
  beside[major] = { version: node.version, http: await measure(node.path, OTHER_ROUNDS, OTHER_WARM) };
}

const instructions = {};
let callgrindNote = 'Instruction counts are only taken in the full run (or with --callgrind).';
if (CALLGRIND) {
  if (await haveCallgrind()) {
    process.stdout.write(
      `counting instructions with callgrind (${FRAMEWORKS.length * CG_VARIANTS.length} processes, ${CG_CONCURRENCY} at a time)…\n`,
    );
    const jobs = FRAMEWORKS.flatMap((f) =>
      CG_VARIANTS.map((v) => async () => {
        const counted = await countInstructions(f, v, CG);
        process.stdout.write(
          `  ${f} ${v}: ${counted.passes.map(fmt.int).join(' / ')} (closest two ${(counted.agreement * 100).toFixed(2)}% apart, spread ${(counted.spread * 100).toFixed(2)}%, ${counted.ran} passes, ${counted.seconds} s)\n`,
        );
        return [f, v, counted];
      }),
    );
    for (const [f, v, counted] of await pool(jobs, CG_CONCURRENCY)) {
      instructions[f] ??= {};
      instructions[f][v] = counted;
    }
    callgrindNote = `Instruction counts (${CG_VARIANTS.join(', ')}): valgrind --tool=callgrind on node ${NODE_FLAGS.join(' ')}, one process per variant with its server and a raw keep-alive client on a loopback socket; ${fmt.int(CG.warmup)} warm-up requests with the instrumentation off, ${fmt.int(CG.settle)} settling requests, then ${CG.passes} passes of ${fmt.int(CG.requests)} requests, each cut out by a callgrind dump; per-request count = the mean of passes 2–${CG.passes} (instructions / ${fmt.int(CG.requests)}; the client's share, the same for every variant, included). Node's own young generation: its GC lands in whole events, in some passes and not others (at the same passes for variants that allocate alike), so every variant is charged the GC of the same fixed set of passes; that two of those passes agree within ${CG_AGREEMENT * 100}% shows the warm-up was long enough (a pass still compiling would count more than all the others).`;
  } else {
    callgrindNote =
      'Instruction counts skipped: valgrind (callgrind) is not installed (`apt-get install valgrind`).';
  }
}
load.end = loadAverage();

const ratioText = (r) => `${fmt.x(r.median)} (rounds ${fmt.x(r.min)}–${fmt.x(r.max)})`;
const goals = FRAMEWORKS.flatMap((f) => {
  const r = http[f].ratios;
  const list = [
    goal(
      `${f}: md/floor req/s`,
      `≥ ${GOAL.mdFloor}×`,
      ratioText(r['md/floor']),
      r['md/floor'].median >= GOAL.mdFloor,
    ),
    goal(
      `${f}: md/bare req/s`,
      `≥ ${GOAL.mdBare[f]}×`,
      ratioText(r['md/bare']),
      r['md/bare'].median >= GOAL.mdBare[f],
    ),
    goal(
      `${f}: md+obs/floor req/s`,
      `≥ ${GOAL.obsFloor}×`,
      ratioText(r['md+obs/floor']),
      r['md+obs/floor'].median >= GOAL.obsFloor,
    ),
  ];
  const c = instructions[f];
  if (c !== undefined) {
    const ratio = c.md.mean / c.floor.mean;
    list.push(
      goal(
        `${f}: instructions per request, md vs floor`,
        `≤ +${Math.round((GOAL.instr - 1) * 100)}%`,
        `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}% (${fmt.int(c.floor.mean)} → ${fmt.int(c.md.mean)})`,
        ratio <= GOAL.instr,
      ),
    );
    const worst = CG_VARIANTS.reduce((w, v) => (c[v].agreement > c[w].agreement ? v : w), CG_VARIANTS[0]);
    list.push(
      goal(
        `${f}: two callgrind passes agree (warm-up long enough, every variant)`,
        `within ${CG_AGREEMENT * 100}%`,
        `worst ${(c[worst].agreement * 100).toFixed(2)}% (${worst})`,
        CG_VARIANTS.every((v) => c[v].agreement <= CG_AGREEMENT),
      ),
    );
  }
  return list;
});

const RATIOS = ['md/floor', 'md/bare', 'floor/bare', 'md+obs/floor', 'md+obs/bare'];
const tables = [
  {
    title: 'Requests per second over 127.0.0.1 (median of rounds)',
    lines: table(
      [
        'framework',
        ...VARIANTS.map((v) => `${LABEL[v]} req/s`),
        ...VARIANTS.map((v) => `p50 / p99 ${LABEL[v]}`),
      ],
      FRAMEWORKS.map((f) => [
        f,
        ...VARIANTS.map((v) => fmt.int(http[f][v].rps.median)),
        ...VARIANTS.map((v) => `${underOneMs(http[f][v].p50)} / ${underOneMs(http[f][v].p99)} ms`),
      ]),
    ),
  },
  {
    title: 'Ratios (median of per-round ratios; spread min–max, IQR)',
    lines: table(
      ['framework', ...RATIOS],
      FRAMEWORKS.map((f) => [
        f,
        ...RATIOS.map((k) => {
          const r = http[f].ratios[k];
          return `${fmt.x(r.median)} (${fmt.spread(r)})`;
        }),
      ]),
    ),
  },
];
if (Object.keys(beside).length > 0) {
  const row = (label, h) =>
    FRAMEWORKS.map((f) => [
      label,
      f,
      ...RATIOS.map((k) => `${fmt.x(h[f].ratios[k].median)} (${fmt.spread(h[f].ratios[k])})`),
    ]);
  tables.push({
    title: 'Ratios on Node 24 and beside it (median of per-round ratios; spread min–max, IQR)',
    lines: table(
      ['Node', 'framework', ...RATIOS],
      [
        ...row(process.version, http),
        ...Object.entries(beside).flatMap(([major, b]) =>
          b.error !== undefined
            ? [[`${major}`, '–', `not measured: ${b.error}`, '', '', '', '']]
            : row(b.version, b.http),
        ),
      ],
    ),
  });
}
/** Further instruction ratios, for the variants that were counted. */
const CG_EXTRA = [
  { label: 'md+obs/floor', a: 'md+obs', b: 'floor' },
  { label: 'floor/bare', a: 'floor', b: 'bare' },
  { label: 'md/bare', a: 'md', b: 'bare' },
].filter((e) => CG_VARIANTS.includes(e.a) && CG_VARIANTS.includes(e.b));
if (Object.keys(instructions).length > 0) {
  tables.push({
    title:
      'Instructions per request (callgrind; mean of passes 2 on, then those passes, how far apart the closest two are, and passes run)',
    lines: [
      ...table(
        ['framework', ...CG_VARIANTS, 'md − floor', 'md/floor', ...CG_EXTRA.map((e) => e.label)],
        FRAMEWORKS.filter((f) => instructions[f] !== undefined).map((f) => {
          const c = instructions[f];
          return [
            f,
            ...CG_VARIANTS.map(
              (v) =>
                `${fmt.int(c[v].mean)} (${c[v].passes.map(fmt.int).join(' / ')}, ${(c[v].agreement * 100).toFixed(2)}%, ${c[v].ran} passes)`,
            ),
            `${c.md.mean >= c.floor.mean ? '+' : ''}${fmt.int(c.md.mean - c.floor.mean)}`,
            fmt.x(c.md.mean / c.floor.mean),
            ...CG_EXTRA.map((e) => fmt.x(c[e.a].mean / c[e.b].mean)),
          ];
        }),
      ),
      '',
      callgrindNote,
    ],
  });
}

writeResults('http', started, {
  title: 'HTTP overhead: bare framework, the floor, md, md with observability',
  method: `Each framework serves GET /hello with a small JSON body naming the domain, in four variants: **bare** (the framework alone); **floor** (the least any tenancy layer pays, written by hand in the same app: a \`Map\` lookup of the Host among ${DOMAINS} domains and one \`AsyncLocalStorage.run\` around the rest of the request, the handler reading the domain from the store); **md** (md's adapter, the default site: host resolver among the same ${DOMAINS} domains, domain context, a row-level strategy configured on SQLite that the handler never touches); **md+obs** (md with the @md/observability plugin: a pino logger per domain, per-domain request counts and latency buckets recorded on every response, handed to prom-client when scraped). Each server runs in its own Node process (${process.version}); autocannon (${CONNECTIONS} connections, requests cycling over ${DOMAINS} Host headers) loads one server at a time from the benchmark process: ${fmt.int(WARM_REQUESTS)} warm-up requests per server, then ${ROUNDS} rounds of ${SECONDS} s per variant, the four variants interleaved with the order rotated every round. Each ratio is the median of per-round ratios (spread: min–max and IQR). ${callgrindNote} ${OTHER_NODES.length > 0 ? `Beside Node 24, the req/s comparison ran again on Node ${OTHER_NODES.join(' and ')} (${OTHER_ROUNDS} rounds, ${fmt.int(OTHER_WARM)} warm-up requests per server): reported, the goals are Node 24's. ` : ''}Load average (1 / 5 / 15 min) ${load.start.join(' / ')} at the start, ${load.end.join(' / ')} at the end (2 cores).`,
  goals,
  tables,
  charts: [
    {
      title: 'HTTP: requests per second per variant (median of rounds, bars = min–max)',
      spec: {
        width: 360,
        data: {
          values: FRAMEWORKS.flatMap((f) =>
            VARIANTS.map((v) => ({
              framework: f,
              variant: LABEL[v],
              rps: http[f][v].rps.median,
              min: http[f][v].rps.min,
              max: http[f][v].rps.max,
            })),
          ),
        },
        encoding: {
          y: { field: 'framework', type: 'nominal', title: null },
          yOffset: { field: 'variant', type: 'nominal', sort: VARIANTS.map((v) => LABEL[v]) },
          color: { field: 'variant', type: 'nominal', sort: VARIANTS.map((v) => LABEL[v]) },
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
      title: `HTTP: md/floor req/s ratio per round (goal ≥ ${GOAL.mdFloor})`,
      spec: {
        width: 360,
        data: {
          values: FRAMEWORKS.flatMap((f) =>
            http[f].ratios['md/floor'].ratios.map((ratio, round) => ({ framework: f, round, ratio })),
          ),
        },
        layer: [
          {
            mark: { type: 'tick', thickness: 2 },
            encoding: {
              y: { field: 'framework', type: 'nominal', title: null },
              x: { field: 'ratio', type: 'quantitative', scale: { zero: false }, title: 'md / floor req/s' },
            },
          },
          {
            data: { values: [{ goal: GOAL.mdFloor }] },
            mark: { type: 'rule', color: 'red' },
            encoding: { x: { field: 'goal', type: 'quantitative' } },
          },
        ],
      },
    },
  ],
  http,
  beside,
  instructions,
  load,
  settings: {
    variants: VARIANTS,
    rounds: ROUNDS,
    seconds: SECONDS,
    warmRequests: WARM_REQUESTS,
    connections: CONNECTIONS,
    callgrind: CALLGRIND ? { ...CG, variants: CG_VARIANTS, nodeFlags: NODE_FLAGS } : null,
  },
});
process.exit(0);
