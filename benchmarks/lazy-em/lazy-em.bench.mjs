// Lazy entity manager: a request that touches no data must not pay for a
// fork. Three pipelines (see requests.mjs): a site with no strategy, a site
// with a strategy whose handler touches no data (lazy), and the same with
// `site.em` touched (the eager fork). tinybench in interleaved rounds, plus
// instructions per request with callgrind in the full run.
import { Bench } from 'tinybench';
import { countInstructions, haveCallgrind, NODE_FLAGS, pool } from '../http/callgrind.mjs';
import { deadline, fmt, goal, pairwiseRatio, pick, summarize, table, writeResults } from '../lib/common.mjs';
import { createPipelines, VARIANTS } from './requests.mjs';

const started = performance.now();
deadline(pick({ smoke: 60_000, quick: 30_000, full: 240_000 }), 'lazy-em');
const ROUNDS = pick({ smoke: 3, quick: 10, full: 15 });
const TIME = pick({ smoke: 20, quick: 40, full: 150 });
const BATCH = 64;
const CALLGRIND = pick({ smoke: false, quick: false, full: true }) || process.argv.includes('--callgrind');
/** Instruction counting: the HTTP benchmark's protocol (uninstrumented warm-up, passes until two agree). */
const CG = { warmup: 20_000, settle: 1_500, requests: 1_500, passes: 6, script: 'lazy-em/inproc.mjs' };
const GOAL_LAZY = 1.03;

const { pipelines } = await createPipelines();
const tasks = Object.fromEntries(
  VARIANTS.map((v) => [
    v,
    async () => {
      let sink = 0;
      for (let i = 0; i < BATCH; i++) sink += await pipelines[v](i);
      return sink;
    },
  ]),
);

const samples = Object.fromEntries(VARIANTS.map((v) => [v, []]));
for (let round = 0; round < ROUNDS; round++) {
  const shift = round % VARIANTS.length;
  const order = [...VARIANTS.slice(shift), ...VARIANTS.slice(0, shift)];
  const bench = new Bench({ time: TIME, iterations: 10, warmupTime: 20, warmupIterations: 5 });
  for (const v of order) bench.add(v, tasks[v]);
  await bench.run();
  for (const task of bench.tasks) {
    if (task.result.state !== 'completed') throw new Error(`${task.name}: ${task.result.state}`);
    samples[task.name].push((task.result.latency.p50 * 1e3) / BATCH);
  }
  process.stdout.write(`round ${round + 1}/${ROUNDS}\r`);
}

let instructions;
let agreement = {};
if (CALLGRIND && (await haveCallgrind())) {
  process.stdout.write('\ncounting instructions with callgrind (3 processes, 2 at a time)…\n');
  const counted = await pool(
    VARIANTS.map((v) => async () => {
      const c = await countInstructions('lazy-em', v, CG);
      process.stdout.write(
        `  ${v}: ${c.passes.map(fmt.int).join(' / ')} (${(c.agreement * 100).toFixed(2)}% apart, ${c.ran} passes, ${c.seconds} s)\n`,
      );
      return [v, c];
    }),
    2,
  );
  instructions = Object.fromEntries(counted.map(([v, c]) => [v, c.passes]));
  agreement = Object.fromEntries(counted.map(([v, c]) => [v, c.agreement]));
}

const stats = Object.fromEntries(VARIANTS.map((v) => [v, summarize(samples[v])]));
const lazyVsNone = pairwiseRatio(samples.none, samples.lazy);
const eagerVsLazy = pairwiseRatio(samples.lazy, samples.eager);
// The mean of the last two passes (the steady state once they agree).
const instr = (v) => (instructions[v][0] + instructions[v][1]) / 2;
const goals = [
  goal(
    'a request that touches no data, strategy configured (lazy) vs no strategy: time',
    `≤ ${GOAL_LAZY}×`,
    `${fmt.x(lazyVsNone.median)} (rounds ${fmt.x(lazyVsNone.min)}–${fmt.x(lazyVsNone.max)})`,
    lazyVsNone.median <= GOAL_LAZY,
  ),
];
// A count is only read when the last two passes of each variant agree (within 1%): else V8 was still compiling.
const worstApart = instructions === undefined ? 0 : Math.max(agreement.none, agreement.lazy);
const settled = worstApart <= 0.01;
if (instructions !== undefined) {
  goals.push(
    goal(
      'same, instructions per request',
      `≤ ${GOAL_LAZY}×`,
      `${fmt.x(instr('lazy') / instr('none'))} (${fmt.int(instr('none'))} → ${fmt.int(instr('lazy'))})${settled ? '' : `; the last two passes of a variant differ by up to ${(worstApart * 100).toFixed(0)}%, so the count is not the steady state`}`,
      settled && instr('lazy') / instr('none') <= GOAL_LAZY,
    ),
  );
}

const tables = [
  {
    title: 'Time per request (resolve + runResolved + async handler, in-process)',
    lines: [
      ...table(
        ['pipeline', 'median µs/request', 'spread over rounds', 'instructions/request'],
        VARIANTS.map((v) => [
          v,
          fmt.us(stats[v].median),
          `${fmt.us(stats[v].min)}–${fmt.us(stats[v].max)}`,
          instructions === undefined ? '–' : instructions[v].map(fmt.int).join(', '),
        ]),
      ),
      '',
      ...table(
        ['comparison', 'median of round ratios', 'spread', 'instructions ratio'],
        [
          [
            'lazy / none (what a request that touches no data pays for a configured strategy)',
            fmt.x(lazyVsNone.median),
            fmt.spread(lazyVsNone),
            instructions === undefined ? '–' : fmt.x(instr('lazy') / instr('none')),
          ],
          [
            'eager / lazy (what an eager fork would add)',
            fmt.x(eagerVsLazy.median),
            fmt.spread(eagerVsLazy),
            instructions === undefined ? '–' : fmt.x(instr('eager') / instr('lazy')),
          ],
        ],
      ),
    ],
  },
];

writeResults('lazy-em', started, {
  title: 'Lazy entity manager: no data touched vs an eager fork',
  method: `In-process request pipeline (site.resolve over 100 domains by Host, site.runResolved, an async handler returning a small JSON string), ${ROUNDS} interleaved rounds (order rotated) of tinybench, ${TIME} ms per task, ${BATCH} requests per timed call; per-request time = p50 / ${BATCH}. \`none\`: no isolation strategy; \`lazy\`: row-level strategy on SQLite configured, handler touches no data; \`eager\`: same, handler touches \`site.em\` (one fork). No HTTP framework: the denominator is the md pipeline alone, so these ratios are larger than they would be in a real server.${instructions === undefined ? ' Instruction counts only in the full run.' : ` Instruction counts: valgrind --tool=callgrind on node ${NODE_FLAGS.join(' ')}, one process per pipeline: ${fmt.int(CG.warmup)} warm-up requests with the instrumentation off, ${fmt.int(CG.settle)} settling requests, then passes of ${fmt.int(CG.requests)} requests until the last two agree within 1% (at most ${CG.passes}); ratios use the mean of the last two, which are shown.`}`,
  goals,
  tables,
  charts: [
    {
      title: 'Lazy EM: µs per request by pipeline (median of rounds, bars = min–max)',
      spec: {
        width: 360,
        data: {
          values: VARIANTS.map((v) => ({
            pipeline: v,
            us: stats[v].median,
            min: stats[v].min,
            max: stats[v].max,
          })),
        },
        encoding: { y: { field: 'pipeline', type: 'nominal', sort: VARIANTS, title: null } },
        layer: [
          { mark: 'bar', encoding: { x: { field: 'us', type: 'quantitative', title: 'µs per request' } } },
          {
            mark: { type: 'rule', color: 'black' },
            encoding: { x: { field: 'min', type: 'quantitative' }, x2: { field: 'max' } },
          },
        ],
      },
    },
  ],
  samples,
  instructions,
  settings: {
    rounds: ROUNDS,
    timeMs: TIME,
    batch: BATCH,
    callgrindRequests: instructions === undefined ? 0 : CG.requests,
  },
});
process.exit(0);
