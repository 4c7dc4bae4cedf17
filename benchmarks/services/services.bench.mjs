// Service caching: `domain.service(name)` on a cache hit against a plain
// Map get (the floor), the same through `site.domain` inside a run (adds the
// AsyncLocalStorage read), the miss path (factory call + cache fill) and
// eviction: `domains.update()` disposes the domain's services, the next
// call rebuilds. Interleaved rounds of tinybench; goal: hit ≤ 150 ns.
import { createSite } from '@md/core';
import { Bench } from 'tinybench';
import {
  deadline,
  fmt,
  goal,
  median,
  pairwiseRatio,
  pick,
  runMode,
  summarize,
  table,
  writeResults,
} from '../lib/common.mjs';

const started = performance.now();
deadline(pick({ smoke: 60_000, quick: 30_000, full: 150_000 }), 'services');
const ROUNDS = pick({ smoke: 3, quick: 10, full: 15 });
const TIME = pick({ smoke: 10, quick: 15, full: 40 });
const BATCH = 256;
const DOMAINS = 1_000;
const GOAL_HIT_NS = 150;

class Mailer {
  constructor(domain) {
    this.from = `noreply@${domain.name}.example`;
    this.disposed = false;
  }
  dispose() {
    this.disposed = true;
  }
}

const names = Array.from({ length: DOMAINS }, (_, i) => `store-${i}`);
const site = await createSite({ domains: names.map((name) => ({ name, hosts: [`${name}.example`] })) });
site.services.register('mailer', (domain) => new Mailer(domain));
// Miss path: a service whose factory is as cheap as the hit's, so the difference is the cache fill.
for (let k = 0; k < BATCH; k++) site.services.register(`svc-${k}`, (domain) => ({ domain: domain.name, k }));

const picks = Array.from({ length: BATCH }, (_, k) => site.domains.get(names[(k * 37) % DOMAINS]));
// The floor: the same 256 per-domain caches as plain Maps, one get each.
const plain = picks.map((d) => new Map([['mailer', new Mailer(d)]]));
for (const d of picks) d.service('mailer');

let missDomain = 0;
const tasks = {
  'Map.get (floor)': () => {
    let sink = 0;
    for (const cache of plain) sink += cache.get('mailer').from.length;
    return sink;
  },
  'domain.service() hit': () => {
    let sink = 0;
    for (const d of picks) sink += d.service('mailer').from.length;
    return sink;
  },
  'site.domain.service() hit, in a run': () =>
    site.run(picks[0].name, () => {
      let sink = 0;
      for (let k = 0; k < BATCH; k++) sink += site.domain.service('mailer').from.length;
      return sink;
    }),
};
const missTask = {
  name: 'domain.service() miss (factory + fill)',
  // One domain's BATCH services, first use each: the domain was updated (services dropped) before, untimed.
  fn: () => {
    const d = site.domains.get(names[missDomain]);
    let sink = 0;
    for (let k = 0; k < BATCH; k++) sink += d.service(`svc-${k}`).k;
    return sink;
  },
  beforeEach: async () => {
    missDomain = (missDomain + 1) % DOMAINS;
    await site.domains.update(names[missDomain], {});
  },
};
const evictTask = {
  name: 'domains.update() (dispose) + next miss',
  fn: async () => {
    missDomain = (missDomain + 1) % DOMAINS;
    const name = names[missDomain];
    const d = site.domains.get(name);
    d.service('mailer');
    await site.domains.update(name, {});
    return site.domains.get(name).service('mailer').from.length;
  },
};

/** samples[task] = ns per operation, one per round. */
const samples = {};
const record = (task, perOp) => {
  if (task.result.state !== 'completed') throw new Error(`${task.name}: ${task.result.state}`);
  samples[task.name] ??= [];
  samples[task.name].push((task.result.latency.p50 * 1e6) / perOp);
};
const syncNames = Object.keys(tasks);
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order: the floor and the hit take turns going first (A B, B A…).
  const shift = round % syncNames.length;
  const order = [...syncNames.slice(shift), ...syncNames.slice(0, shift)];
  const bench = new Bench({ time: TIME, iterations: 20, warmupTime: 10, warmupIterations: 5 });
  for (const name of order) bench.add(name, tasks[name]);
  bench.runSync();
  for (const task of bench.tasks) record(task, BATCH);
  const slow = new Bench({ time: TIME, iterations: 10, warmupTime: 5, warmupIterations: 2 });
  slow.add(missTask.name, missTask.fn, { beforeEach: missTask.beforeEach });
  slow.add(evictTask.name, evictTask.fn);
  await slow.run();
  record(slow.tasks[0], BATCH);
  record(slow.tasks[1], 1);
  process.stdout.write(`round ${round + 1}/${ROUNDS}\r`);
}

const floor = samples['Map.get (floor)'];
const hit = samples['domain.service() hit'];
const rows = Object.entries(samples).map(([name, values]) => ({
  name,
  ns: summarize(values),
  vsMap: pairwiseRatio(floor, values),
}));
const hitMedian = median(hit);
const hitInRun = median(samples['site.domain.service() hit, in a run']);
const goals = [
  goal(
    'domain.service() cache hit',
    `≤ ${GOAL_HIT_NS} ns`,
    `${fmt.ns(hitMedian)} (Map.get ${fmt.ns(median(floor))})`,
    hitMedian <= GOAL_HIT_NS,
  ),
  goal(
    'site.domain.service() hit inside a run (adds the ALS read)',
    `≤ ${GOAL_HIT_NS} ns`,
    fmt.ns(hitInRun),
    hitInRun <= GOAL_HIT_NS,
  ),
];

writeResults('services', started, {
  title: 'Service caching',
  method: `${ROUNDS} interleaved rounds (order rotated each round) of tinybench (${TIME} ms per task); each timed call does ${BATCH} operations over ${DOMAINS.toLocaleString('en')} registered domains; per-operation time = tinybench p50 / ${BATCH}, reported as the median over rounds with min–max. Ratios are the median of per-round ratios against Map.get. The update row is one operation per call (async).`,
  goals,
  tables: [
    {
      title: 'Per-operation time',
      lines: table(
        ['operation', 'median', 'spread over rounds', 'vs Map.get (median of round ratios)', 'ratio spread'],
        rows.map((r) => [
          r.name,
          fmt.ns(r.ns.median),
          `${fmt.ns(r.ns.min)}–${fmt.ns(r.ns.max)}`,
          fmt.x(r.vsMap.median),
          `${fmt.x(r.vsMap.min)}–${fmt.x(r.vsMap.max)}`,
        ]),
      ),
    },
  ],
  charts: [
    {
      title: 'Service caching: time per operation (median over rounds, log scale)',
      spec: {
        width: 420,
        data: {
          values: rows.map((r) => ({ operation: r.name, ns: r.ns.median, min: r.ns.min, max: r.ns.max })),
        },
        layer: [
          {
            mark: 'bar',
            encoding: {
              y: { field: 'operation', type: 'nominal', sort: null, title: null },
              x: { field: 'ns', type: 'quantitative', scale: { type: 'log' }, title: 'ns per operation' },
            },
          },
          {
            mark: { type: 'rule', color: 'black' },
            encoding: {
              y: { field: 'operation', type: 'nominal', sort: null },
              x: { field: 'min', type: 'quantitative' },
              x2: { field: 'max' },
            },
          },
        ],
      },
    },
  ],
  rows,
  samples,
  settings: { rounds: ROUNDS, timeMs: TIME, batch: BATCH, domains: DOMAINS, mode: runMode() },
});
await site.close?.();
process.exit(0);
