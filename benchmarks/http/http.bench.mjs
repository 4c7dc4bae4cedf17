// HTTP overhead of md against the bare framework and against the floor (the
// least any tenancy layer pays: a Map lookup of the Host among 100 domains
// plus one AsyncLocalStorage.run, written by hand in the same app), for
// Express, Fastify and Koa, with and without @md/observability. Two measures:
//  1. req/s and latency over 127.0.0.1: each variant's server in its own
//     process, plus a control (a second floor server), the variants of one
//     framework interleaved round by round (order rotated every round),
//     bounded duration per round; with wrk (Debian's package) every server
//     and wrk share one core and each server's CPU per request is read from
//     the kernel (the goals: req/s per server core), else autocannon from this
//     process, unpinned; every ratio is the median of per-round ratios;
//     `--nodes` runs the same on Node 22 and 26 instead (http-nodes);
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
import { BENCH_CORE, canPin, haveWrk } from '../lib/cpu.mjs';
import { DOMAINS, FRAMEWORKS, VARIANTS } from './apps.mjs';
import { countInstructions, haveCallgrind, NODE_FLAGS, pool } from './callgrind.mjs';
import { CONNECTIONS, loadServer, startServer, wrkRound } from './load.mjs';

const started = performance.now();
const load = { start: loadAverage() };
console.log(`load average at start: ${load.start.join(' / ')}`);
// Servers never outlive the benchmark, whatever ends it.
const children = killedOnExit();
// autocannon measures in whole seconds: a round is 1 s of load per variant,
// and more rounds (not longer ones) narrow the median of per-round ratios.
const ROUNDS = pick({ smoke: 2, quick: 3, full: 8 });
/** autocannon's latencies are whole milliseconds (a 0 means under 1 ms); wrk's are microseconds. */
const latency = (ms) => (Number.isInteger(ms) ? (ms < 1 ? '< 1' : ms) : ms.toFixed(2));
const SECONDS = 1;
/** Requests per server before the first round: natively V8 stops compiling the path after ~20,000. */
const WARM_REQUESTS = pick({ smoke: 2_000, quick: 5_000, full: 15_000 });
/**
 * `--nodes` (the `http-nodes` benchmark): the same req/s comparison, control included, on each Node
 * beside 24 (22 and 26) instead of on 24, no instruction counts. Apart from the full run, which cannot
 * spare its ~4.5 minutes.
 */
const NODES_RUN = process.argv.includes('--nodes');
const CALLGRIND =
  !NODES_RUN &&
  (pick({ smoke: false, quick: false, full: true }) || process.argv.includes('--callgrind')) &&
  !process.argv.includes('--no-callgrind');
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
/** The Nodes beside 24 that `--nodes` measures, as issue 15 asks: 22 and 26 unless MD_BENCH_OTHER_NODES names others. */
const OTHER_NODES = !NODES_RUN
  ? []
  : process.env.MD_BENCH_OTHER_NODES !== undefined
    ? process.env.MD_BENCH_OTHER_NODES.split(',').filter(Boolean).map(Number)
    : pick({ smoke: [22], quick: [22, 26], full: [22, 26] });
/** With wrk, the warm-up per server instead, as the rounds load it (Node 24: ~30,000–120,000 requests in 2 s). */
const WARM_SECONDS = pick({ smoke: 1, quick: 1, full: 2 });
// Bounded in time whatever happens; --callgrind in a smoke or quick run adds its few minutes.
deadline(
  pick({ smoke: 90_000, quick: 85_000, full: 900_000 }) +
    (CALLGRIND ? pick({ smoke: 300_000, quick: 300_000, full: 0 }) : 0) +
    OTHER_NODES.length * pick({ smoke: 60_000, quick: 60_000, full: 200_000 }),
  NODES_RUN ? 'http-nodes' : 'http',
);
const CG_AGREEMENT = 0.01;
/**
 * The control: a second server of the floor, measured like every variant. Two processes of the same code are
 * as far apart as this machine measures anything; a ratio inside the control's spread says nothing.
 */
const CONTROL = 'floor′';
const LABEL = { bare: 'bare', floor: 'floor', md: 'md', 'md+obs': 'md+obs', [CONTROL]: 'floor, 2nd process' };
/** The app a variant's server runs. */
const appOf = (variant) => (variant === CONTROL ? 'floor' : variant);
/** What Node 24's rounds measure: every variant and the control. */
const MEASURED = [...VARIANTS, CONTROL];

/** The goals, per framework (issue 15). */
const GOAL = {
  mdFloor: 0.97,
  mdBare: { express: 0.92, fastify: 0.95, koa: 0.95 },
  obsFloor: 0.9,
  instr: 1.03,
};

/** The ratios reported for every framework: [label, numerator variant, denominator variant]. */
const RATIO_PAIRS = [
  ['md/floor', 'md', 'floor'],
  ['md/bare', 'md', 'bare'],
  ['floor/bare', 'floor', 'bare'],
  ['md+obs/floor', 'md+obs', 'floor'],
  ['md+obs/bare', 'md+obs', 'bare'],
  [`${CONTROL}/floor`, CONTROL, 'floor'],
];
/**
 * With wrk, every measured process shares one core (lib/cpu.mjs says why), and the server's CPU per request is
 * read from the kernel: the goals take the req/s one core sustains for the server alone (1 / its CPU per
 * request), which the load generator's share on the same core does not dilute. Without wrk, autocannon from
 * this process, unpinned, req/s only.
 */
const WRK = haveWrk() && canPin();

/**
 * req/s of every variant of every framework on one Node: all servers started
 * at once (start-up is not measured), loaded one at a time, the variants of a
 * framework interleaved round by round.
 */
async function measure(node, rounds, { warm, warmSeconds }, variants = VARIANTS) {
  const core = WRK ? BENCH_CORE : undefined;
  const allServers = Object.fromEntries(
    await Promise.all(
      FRAMEWORKS.flatMap((f) =>
        variants.map((v) => startServer(f, appOf(v), { node, children, core }).then((s) => [`${f} ${v}`, s])),
      ),
    ),
  );
  const pairs = RATIO_PAIRS.filter(([, b, a]) => variants.includes(a) && variants.includes(b));
  const result = {};
  for (const framework of FRAMEWORKS) {
    const servers = Object.fromEntries(variants.map((v) => [v, allServers[`${framework} ${v}`]]));
    try {
      // Warm every variant (JIT tiers, connection setup) before measuring, as measured with wrk:
      // V8 is still compiling this path until ~20,000 requests.
      for (const variant of variants) {
        const { port, child } = servers[variant];
        if (WRK) await wrkRound(port, { seconds: warmSeconds, core, pid: child.pid });
        else await loadServer(port, { amount: warm });
      }
      const samples = await interleave(
        rounds,
        variants,
        async (variant) => {
          const { port, child } = servers[variant];
          const r = WRK
            ? await wrkRound(port, { seconds: SECONDS, core, pid: child.pid })
            : await loadServer(port, { duration: SECONDS }).then((a) => ({
                rps: a.requests.total / a.duration,
                p50: a.latency.p50,
                p99: a.latency.p99,
                errors: a.errors,
                non2xx: a.non2xx,
              }));
          if (r.non2xx > 0 || r.errors > 0)
            throw new Error(`${framework} ${variant}: ${r.non2xx} non-2xx, ${r.errors} errors`);
          return r;
        },
        (round) => process.stdout.write(`${framework}: round ${round + 1}/${rounds}\r`),
      );
      const rps = Object.fromEntries(variants.map((v) => [v, samples[v].map((s) => s.rps)]));
      // req/s one core sustains for the server alone, per round.
      const capacity = WRK
        ? Object.fromEntries(variants.map((v) => [v, samples[v].map((s) => 1e6 / s.cpuUs)]))
        : undefined;
      result[framework] = {
        ...Object.fromEntries(
          variants.map((v) => [
            v,
            {
              rps: summarize(rps[v]),
              cpuUs: WRK ? summarize(samples[v].map((s) => s.cpuUs)) : undefined,
              p50: median(samples[v].map((s) => s.p50)),
              p99: median(samples[v].map((s) => s.p99)),
            },
          ]),
        ),
        ratios: Object.fromEntries(pairs.map(([k, b, a]) => [k, pairwiseRatio(rps[a], rps[b])])),
        capacityRatios: WRK
          ? Object.fromEntries(pairs.map(([k, b, a]) => [k, pairwiseRatio(capacity[a], capacity[b])]))
          : undefined,
        samples,
      };
    } finally {
      for (const variant of variants) servers[variant].child.kill('SIGTERM');
    }
  }
  process.stdout.write('\n');
  return result;
}

/** Node 24's measurement, or (`--nodes`) the same on each Node beside it: `{ version, http }` or `{ major, error }`. */
const runs = [];
if (!NODES_RUN) {
  runs.push({
    version: process.version,
    http: await measure(
      process.execPath,
      ROUNDS,
      { warm: WARM_REQUESTS, warmSeconds: WARM_SECONDS },
      MEASURED,
    ),
  });
}
// With --nodes, the Nodes beside 24 (the http-nodes benchmark): the same protocol, control included.
for (const major of OTHER_NODES) {
  let node;
  try {
    node = nodeBinary(major);
  } catch (error) {
    runs.push({ major, error: error.message });
    continue;
  }
  process.stdout.write(`Node ${node.version}:\n`);
  runs.push({
    version: node.version,
    http: await measure(node.path, ROUNDS, { warm: WARM_REQUESTS, warmSeconds: WARM_SECONDS }, MEASURED),
  });
}
const measured = runs.filter((r) => r.error === undefined);
/** Node 24's (the goals'), in the default run. */
const http = NODES_RUN ? undefined : runs[0].http;

const instructions = {};
let callgrindNote = 'Instruction counts are only taken in the full run (or with --callgrind).';
if (CALLGRIND) {
  if (haveCallgrind()) {
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
/** The control's ratio beside a goal's, the same way. */
const controlText = (h) => {
  const c = goalRatios(h)[`${CONTROL}/floor`];
  return `; two floor processes: ${ratioText(c)}`;
};
/** The ratios the goals read: per server core with wrk, the whole loopback's req/s without. */
const goalRatios = (h) => h.capacityRatios ?? h.ratios;
const PER = WRK ? 'req/s per server core' : 'req/s';
/** The req/s goals of one Node's measurement (`prefix` names the Node in the --nodes run). */
const reqGoals = (h, prefix = '') =>
  FRAMEWORKS.flatMap((f) => {
    const r = goalRatios(h[f]);
    const control = r[`${CONTROL}/floor`] === undefined ? '' : controlText(h[f]);
    return [
      goal(
        `${prefix}${f}: md/floor ${PER}`,
        `≥ ${GOAL.mdFloor}×`,
        `${ratioText(r['md/floor'])}${control}`,
        r['md/floor'].median >= GOAL.mdFloor,
      ),
      goal(
        `${prefix}${f}: md/bare ${PER}`,
        `≥ ${GOAL.mdBare[f]}×`,
        ratioText(r['md/bare']),
        r['md/bare'].median >= GOAL.mdBare[f],
      ),
      goal(
        `${prefix}${f}: md+obs/floor ${PER}`,
        `≥ ${GOAL.obsFloor}×`,
        ratioText(r['md+obs/floor']),
        r['md+obs/floor'].median >= GOAL.obsFloor,
      ),
    ];
  });
/** The instruction goals, per framework counted. */
const instructionGoals = FRAMEWORKS.filter((f) => instructions[f] !== undefined).flatMap((f) => {
  const c = instructions[f];
  const ratio = c.md.mean / c.floor.mean;
  const worst = CG_VARIANTS.reduce((w, v) => (c[v].agreement > c[w].agreement ? v : w), CG_VARIANTS[0]);
  return [
    goal(
      `${f}: instructions per request, md vs floor`,
      `≤ +${Math.round((GOAL.instr - 1) * 100)}%`,
      `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}% (${fmt.int(c.floor.mean)} → ${fmt.int(c.md.mean)})`,
      ratio <= GOAL.instr,
    ),
    goal(
      `${f}: two callgrind passes agree (warm-up long enough, every variant)`,
      `within ${CG_AGREEMENT * 100}%`,
      `worst ${(c[worst].agreement * 100).toFixed(2)}% (${worst})`,
      CG_VARIANTS.every((v) => c[v].agreement <= CG_AGREEMENT),
    ),
  ];
});
const goals = NODES_RUN
  ? measured.flatMap((r) => reqGoals(r.http, `Node ${r.version} · `))
  : [...reqGoals(http), ...instructionGoals];

const RATIOS = RATIO_PAIRS.map(([k]) => k);
const cell = (r) => (r === undefined ? '–' : `${fmt.x(r.median)} (${fmt.spread(r)})`);
const ratioRows = (h, which) => FRAMEWORKS.map((f) => [f, ...RATIOS.map((k) => cell(which(h[f])[k]))]);
/** One Node's tables: req/s and CPU per variant, then the ratios (`on` names the Node in the --nodes run). */
const nodeTables = (h, on = '') => {
  const variants = MEASURED.filter((v) => h[FRAMEWORKS[0]][v] !== undefined);
  return [
    {
      title: `Requests per second over 127.0.0.1${on}${WRK ? ', server and wrk on one core' : ''} (median of rounds)`,
      lines: table(
        [
          'framework',
          ...variants.map((v) => `${LABEL[v]} req/s`),
          ...(WRK ? variants.map((v) => `${LABEL[v]} server CPU / req`) : []),
          ...variants.map((v) => `p50 / p99 ${LABEL[v]}`),
        ],
        FRAMEWORKS.map((f) => [
          f,
          ...variants.map((v) => fmt.int(h[f][v].rps.median)),
          ...(WRK ? variants.map((v) => fmt.us(h[f][v].cpuUs.median)) : []),
          ...variants.map((v) => `${latency(h[f][v].p50)} / ${latency(h[f][v].p99)} ms`),
        ]),
      ),
    },
    ...(WRK
      ? [
          {
            title: `Ratios of req/s per server core${on}, 1 / server CPU per request (the goals; median of per-round ratios, spread min–max, IQR)`,
            lines: table(
              ['framework', ...RATIOS],
              ratioRows(h, (x) => x.capacityRatios),
            ),
          },
        ]
      : []),
    {
      title: `Ratios of req/s${on}${WRK ? ', server and wrk together on one core' : ''} (median of per-round ratios; spread min–max, IQR)`,
      lines: table(
        ['framework', ...RATIOS],
        ratioRows(h, (x) => x.ratios),
      ),
    },
  ];
};
const tables = NODES_RUN
  ? measured.flatMap((r) => nodeTables(r.http, ` on Node ${r.version}`))
  : nodeTables(http);
if (runs.length > 1) {
  tables.push({
    title: `Ratios of ${PER} per Node (median of per-round ratios; spread min–max, IQR)`,
    lines: table(
      ['Node', 'framework', ...RATIOS],
      runs.flatMap((r) =>
        r.error !== undefined
          ? [[`${r.major}`, '–', `not measured: ${r.error}`, ...RATIOS.slice(1).map(() => '')]]
          : FRAMEWORKS.map((f) => [r.version, f, ...RATIOS.map((k) => cell(goalRatios(r.http[f])[k]))]),
      ),
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

const nodesText = NODES_RUN
  ? `This run measured Node ${measured.map((r) => r.version).join(' and ')} (the same protocol as Node 24's, in \`http\`: the goals there are Node 24's; here they are marked for each Node as read). On Node 22, AsyncLocalStorage still runs on async_hooks, where every enabled instance is propagated to every async resource made: md's variants load MikroORM (the row-level strategy), whose first transaction and flush at start-up enable its two own instances (TransactionContext and the flush context), which the floor, with no ORM, never has; measured alone (\`node benchmarks/http/als-instances.mjs 1\` and \`3\`), two more enabled instances took an awaited async call from 623–805 to 948–1,323 ns on Node 22 (three runs each, December 2026), and from 202–243 to 215–229 ns on Node 24. Any MikroORM app on Node 22 pays that, md or not.${
      runs.some((r) => r.error !== undefined)
        ? ` Not measured: ${runs
            .filter((r) => r.error !== undefined)
            .map((r) => `${r.major} (${r.error})`)
            .join('; ')}.`
        : ''
    } `
  : 'Node 22 and 26: `pnpm bench http-nodes` (results in http-nodes.md). ';
writeResults(NODES_RUN ? 'http-nodes' : 'http', started, {
  title: NODES_RUN
    ? 'HTTP overhead on the Nodes beside 24: bare framework, the floor, md, md with observability'
    : 'HTTP overhead: bare framework, the floor, md, md with observability',
  method: `Each framework serves GET /hello with a small JSON body naming the domain, in four variants: **bare** (the framework alone); **floor** (the least any tenancy layer pays, written by hand in the same app: a \`Map\` lookup of the Host among ${DOMAINS} domains and one \`AsyncLocalStorage.run\` around the rest of the request, the handler reading the domain from the store); **md** (md's adapter, the default site: host resolver among the same ${DOMAINS} domains, domain context, a row-level strategy configured on SQLite that the handler never touches); **md+obs** (md with the @md/observability plugin: a pino logger per domain, per-domain request counts and latency buckets recorded on every response, handed to prom-client when scraped). Each server runs in its own Node process (${NODES_RUN ? 'the Node named' : process.version}), and a **control** beside them: a second floor server, measured like the others, so that the report shows how far apart two processes of the same code measure in the same run (a ratio inside that spread says nothing). ${WRK ? `${WARM_SECONDS} s of warm-up per server, then` : `${fmt.int(WARM_REQUESTS)} warm-up requests per server, then`} ${ROUNDS} rounds of ${SECONDS} s per variant, the variants interleaved with the order rotated every round, one server loaded at a time, ${CONNECTIONS} connections, requests cycling over ${DOMAINS} Host headers. ${WRK ? `The load is wrk's (one thread, C: a fraction of autocannon's cost per request), pinned with every server to core ${BENCH_CORE}, and the kernel counts each server's CPU (every thread, schedstat): **req/s per server core** = 10⁶ / server CPU µs per request is what one core sustains for that server alone, which the goals read (wrk's share of the same core would draw every ratio towards 1). The loopback's req/s of the pair is shown beside. This 2-vCPU VM's own speed moves under any load: the same server's CPU per request ranged 10–24 µs (Fastify floor) between minutes, and in 1 s rounds two identical servers run side by side on the two cores measured 0.75–1.40× of each other; pinning, SCHED_BATCH and one connection did not remove it (lib/cpu.mjs).` : "The load is autocannon's, from the benchmark process, unpinned (wrk or taskset not found: `apt-get install wrk` for the pinned measure the goals read)."} Each ratio is the median of per-round ratios (spread: min–max and IQR). ${callgrindNote} ${nodesText}Load average (1 / 5 / 15 min) ${load.start.join(' / ')} at the start, ${load.end.join(' / ')} at the end (2 cores).`,
  goals,
  tables,
  charts: NODES_RUN
    ? []
    : [
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
          title: `HTTP: md/floor ${PER} ratio per round (goal ≥ ${GOAL.mdFloor})`,
          spec: {
            width: 360,
            data: {
              values: FRAMEWORKS.flatMap((f) =>
                goalRatios(http[f])['md/floor'].ratios.map((ratio, round) => ({
                  framework: f,
                  round,
                  ratio,
                })),
              ),
            },
            layer: [
              {
                mark: { type: 'tick', thickness: 2 },
                encoding: {
                  y: { field: 'framework', type: 'nominal', title: null },
                  x: {
                    field: 'ratio',
                    type: 'quantitative',
                    scale: { zero: false },
                    title: `md / floor ${PER}`,
                  },
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
  runs,
  instructions,
  load,
  settings: {
    variants: VARIANTS,
    rounds: ROUNDS,
    seconds: SECONDS,
    warmRequests: WARM_REQUESTS,
    warmSeconds: WRK ? WARM_SECONDS : 0,
    connections: CONNECTIONS,
    load: WRK ? { tool: 'wrk', core: BENCH_CORE } : { tool: 'autocannon', core: null },
    callgrind: CALLGRIND ? { ...CG, variants: CG_VARIANTS, nodeFlags: NODE_FLAGS } : null,
  },
});
process.exit(0);
