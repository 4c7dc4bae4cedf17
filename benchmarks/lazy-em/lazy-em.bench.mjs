// Lazy entity manager: a request that touches no data must not pay for a
// fork. Three pipelines (see requests.mjs): a site with no strategy, a site
// with a strategy whose handler touches no data (lazy), and the same with
// `site.em` touched (the eager fork). tinybench in interleaved rounds, plus
// instructions per request with callgrind in the full run.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Bench } from 'tinybench';
import {
  BENCH_DIR,
  deadline,
  fmt,
  goal,
  pairwiseRatio,
  pick,
  summarize,
  table,
  writeResults,
} from '../lib/common.mjs';
import { createPipelines, VARIANTS } from './requests.mjs';

const started = performance.now();
deadline(pick({ smoke: 60_000, quick: 30_000, full: 240_000 }), 'lazy-em');
const ROUNDS = pick({ smoke: 3, quick: 10, full: 15 });
const TIME = pick({ smoke: 20, quick: 40, full: 150 });
const BATCH = 64;
const CALLGRIND = pick({ smoke: false, quick: false, full: true }) || process.argv.includes('--callgrind');
const CG_REQUESTS = 1_000;
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
if (CALLGRIND) {
  process.stdout.write('\ncounting instructions with callgrind…\n');
  const dir = mkdtempSync(join(tmpdir(), 'md-cg-lazy-'));
  await promisify(execFile)(
    'valgrind',
    [
      '--tool=callgrind',
      '--dump-before=uv_loadavg',
      `--callgrind-out-file=${join(dir, 'cg')}`,
      process.execPath,
      '--predictable',
      join(BENCH_DIR, 'lazy-em/inproc.mjs'),
      String(CG_REQUESTS),
      '3000',
    ],
    { maxBuffer: 64 * 1024 * 1024, timeout: 200_000 },
  );
  const totals = readdirSync(dir)
    .filter((f) => /^cg\.\d+$/.test(f))
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
    .map((f) => Number(/^summary: (\d+)/m.exec(readFileSync(join(dir, f), 'utf8'))[1]) / CG_REQUESTS);
  const [, n1, l1, e1, n2, l2, e2] = totals;
  instructions = { none: [n1, n2], lazy: [l1, l2], eager: [e1, e2] };
}

const stats = Object.fromEntries(VARIANTS.map((v) => [v, summarize(samples[v])]));
const lazyVsNone = pairwiseRatio(samples.none, samples.lazy);
const eagerVsLazy = pairwiseRatio(samples.lazy, samples.eager);
// The second pass is the steady state: the first can still include JIT compilation.
const instr = (v) => instructions[v][1];
const goals = [
  goal(
    'a request that touches no data, strategy configured (lazy) vs no strategy: time',
    `≤ ${GOAL_LAZY}×`,
    `${fmt.x(lazyVsNone.median)} (rounds ${fmt.x(lazyVsNone.min)}–${fmt.x(lazyVsNone.max)})`,
    lazyVsNone.median <= GOAL_LAZY,
  ),
];
// A count is only read when the two passes of each phase agree (within 1%): else V8 was still compiling.
const apart = (v) => Math.abs(instructions[v][0] - instructions[v][1]) / instructions[v][1];
const worstApart = instructions === undefined ? 0 : Math.max(apart('none'), apart('lazy'));
const settled = worstApart <= 0.01;
if (instructions !== undefined) {
  goals.push(
    goal(
      'same, instructions per request',
      `≤ ${GOAL_LAZY}×`,
      `${fmt.x(instr('lazy') / instr('none'))} (${fmt.int(instr('none'))} → ${fmt.int(instr('lazy'))})${settled ? '' : `; the two passes of a phase differ by up to ${(worstApart * 100).toFixed(0)}%, so the count is not the steady state`}`,
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
  method: `In-process request pipeline (site.resolve over 100 domains by Host, site.runResolved, an async handler returning a small JSON string), ${ROUNDS} interleaved rounds (order rotated) of tinybench, ${TIME} ms per task, ${BATCH} requests per timed call; per-request time = p50 / ${BATCH}. \`none\`: no isolation strategy; \`lazy\`: row-level strategy on SQLite configured, handler touches no data; \`eager\`: same, handler touches \`site.em\` (one fork). No HTTP framework: the denominator is the md pipeline alone, so these ratios are larger than they would be in a real server.${instructions === undefined ? ' Instruction counts only in the full run.' : ` Instruction counts: callgrind on node --predictable, ${CG_REQUESTS} requests per phase, phases none, lazy, eager, none, lazy, eager after 3,000 warm-up requests each; ratios use the second (steady) pass, both passes are shown.`}`,
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
  settings: { rounds: ROUNDS, timeMs: TIME, batch: BATCH, callgrindRequests: CALLGRIND ? CG_REQUESTS : 0 },
});
process.exit(0);
