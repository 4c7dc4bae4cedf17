// Resolution cost against registry size: every resolver, with 10, 1,000 and
// 100,000 registered domains, in ONE process, in interleaved rounds so that
// machine noise (2 shared cores) hits every size alike.
//
// Run from the repository root, after building the packages it imports:
//   pnpm build && pnpm bench resolution [--quick]
// It writes benchmarks/results/resolution.json and benchmarks/results/resolution.md.
import assert from 'node:assert/strict';
import { createSite } from '@md/core';
import {
  cookieResolver,
  headerResolver,
  hostResolver,
  pathResolver,
  queryResolver,
  subdomainResolver,
} from '@md/resolvers';
import { Bench } from 'tinybench';
import { deadline, fmt, goal, pairwiseRatio, pick, summarize, table, writeResults } from '../lib/common.mjs';

const started = performance.now();
deadline(pick({ smoke: 60_000, quick: 30_000, full: 150_000 }), 'resolution');

const SIZES = [10, 1_000, 100_000];
const ROUNDS = Number(process.env.ROUNDS ?? pick({ smoke: 3, quick: 10, full: 12 }));
/** tinybench time per task and round (ms). */
const TIME = pick({ smoke: 5, quick: 5, full: 25 });
/** Requests resolved per timed call: the per-resolve time is the call's time / BATCH. */
const BATCH = 256;
/** The issue's goal: flat, 100k ≤ 1.2 × 1k (the 100k/10 ratio is shown too). */
const GOAL_RATIO = 1.2;
const GOAL_MEDIAN_NS = 1_000;
const BASE = 'platform.test';

/** One request shape per resolver; `host` is what core hands resolvers (already normalised). */
const SCENARIOS = {
  host: (code) => ({ host: `${code}.example`, path: '/shop/products' }),
  subdomain: (code) => ({ host: `${code}.${BASE}`, path: '/shop/products' }),
  path: (code) => ({ host: BASE, path: `/stores/${code}/shop/products` }),
  header: (code) => ({ host: BASE, path: '/internal/sync', headers: { 'x-tenant-id': code } }),
  query: (code) => ({ host: BASE, path: '/preview/home', query: `tenant_id=${code}` }),
  cookie: (code) => ({ host: BASE, path: '/', cookies: { md_domain: code } }),
};

function makeResolvers() {
  return {
    host: hostResolver(),
    subdomain: subdomainResolver({ baseDomains: [BASE] }),
    path: pathResolver(),
    header: headerResolver({ enabled: true, paths: ['/internal/*'], trust: (req) => req.ip === '10.0.0.5' }),
    query: queryResolver({ enabled: true, paths: ['/preview/*'] }),
    cookie: cookieResolver(),
  };
}

/** The neutral request as core's fromNodeRequest builds it: a header getter over a plain object. */
function requestLike({ host, path, headers = {}, query = '', cookies = {} }) {
  return {
    host,
    path,
    headers: { get: (name) => headers[name] },
    query: new URLSearchParams(query),
    cookies,
    ip: '10.0.0.5',
    kind: 'custom',
  };
}

const code = (i) => `store-${i}`;

/**
 * Which domains the BATCH requests name. `spread`: codes spread over the
 * whole registry, so a big registry also means cache misses on every lookup
 * (the honest worst case for a big site). `hot`: the same 10 codes at every
 * size, so the working set is equal and only the algorithm can differ (a scan
 * over domains would show here).
 */
function workloads(size) {
  return {
    spread: Array.from({ length: BATCH }, (_, k) => code(Math.floor((k * size) / BATCH) % size)),
    hot: Array.from({ length: BATCH }, (_, k) => code(k % 10)),
  };
}

async function buildSize(size) {
  const resolvers = makeResolvers();
  const domains = Array.from({ length: size }, (_, i) => ({ name: code(i), hosts: [`${code(i)}.example`] }));
  const started = performance.now();
  const site = await createSite({
    // The full chain in seed 001's order, for the `chain` row.
    resolvers: [resolvers.host, resolvers.subdomain, resolvers.path],
    domains,
    rootHosts: [BASE],
  });
  const buildMs = performance.now() - started;
  const tasks = {};
  for (const [workload, picks] of Object.entries(workloads(size))) {
    for (const [name, resolver] of Object.entries(resolvers)) {
      const calls = picks.map((pick) => {
        const req = requestLike(SCENARIOS[name](pick));
        const ctx = {
          domains: site.domains,
          rootDomain: site.rootDomain,
          rootHosts: site.rootHosts,
          host: req.host,
        };
        assert.equal(resolver.resolve(req, ctx)?.domain, pick, `${name} must answer ${pick}`);
        return { req, ctx };
      });
      tasks[`${name} · ${workload}`] = () => {
        let sink = 0;
        for (const { req, ctx } of calls) sink += resolver.resolve(req, ctx).domain.length;
        return sink;
      };
    }
    // The whole synchronous pipeline: normalise the host, host -> subdomain -> path, fallbacks, events.
    const chainRequests = picks.map((pick) => requestLike(SCENARIOS.path(pick)));
    for (const [k, req] of chainRequests.entries()) assert.equal(site.resolve(req).domain.name, picks[k]);
    tasks[`chain: site.resolve (synchronous), path mode · ${workload}`] = () => {
      let sink = 0;
      for (const req of chainRequests) sink += site.resolve(req).path.length;
      return sink;
    };
  }
  return { size, site, tasks, buildMs };
}

const sizes = [];
for (const size of SIZES) {
  const built = await buildSize(size);
  console.log(`registered ${size.toLocaleString('en')} domains in ${built.buildMs.toFixed(0)} ms`);
  sizes.push(built);
}

/** samples[task][size] = per-resolve ns, one value per round. */
const samples = {};
for (let round = 0; round < ROUNDS; round++) {
  // Rotate which size goes first so no size always runs on a cold or a warm machine.
  const order = sizes.map((_, i) => sizes[(i + round) % sizes.length]);
  for (const { size, tasks } of order) {
    const bench = new Bench({ time: TIME, iterations: 20, warmupTime: 10, warmupIterations: 5 });
    for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn);
    bench.runSync();
    for (const task of bench.tasks) {
      if (task.result.state !== 'completed') throw new Error(`${task.name}: ${task.result.state}`);
      const perResolveNs = (task.result.latency.p50 * 1e6) / BATCH;
      samples[task.name] ??= {};
      samples[task.name][size] ??= [];
      samples[task.name][size].push(perResolveNs);
    }
  }
  process.stdout.write(`round ${round + 1}/${ROUNDS}\r`);
}

const rows = Object.entries(samples).map(([resolver, bySize]) => {
  const stats = Object.fromEntries(SIZES.map((size) => [size, summarize(bySize[size])]));
  const medians = Object.fromEntries(SIZES.map((size) => [size, stats[size].median]));
  // Per-round ratios: each round measured every size back to back.
  const ratio1k = pairwiseRatio(bySize[1_000], bySize[100_000]);
  const ratio10 = pairwiseRatio(bySize[10], bySize[100_000]);
  const isResolver = !resolver.startsWith('chain');
  return {
    resolver,
    medianNs: medians,
    spreadNs: stats,
    ratio100kTo1k: {
      median: ratio1k.median,
      min: ratio1k.min,
      max: ratio1k.max,
      p25: ratio1k.p25,
      p75: ratio1k.p75,
    },
    ratio100kTo10: ratio10.median,
    // The ≤ 1 µs goal is for a resolver; the chain row is there to show what a whole resolve costs.
    goalMet: ratio1k.median <= GOAL_RATIO && (!isResolver || medians[100_000] <= GOAL_MEDIAN_NS),
    roundsNs: bySize,
  };
});

const spread = rows.filter((r) => r.resolver.endsWith('spread') && !r.resolver.startsWith('chain'));
const hot = rows.filter((r) => r.resolver.endsWith('hot') && !r.resolver.startsWith('chain'));
const worst = (list, f) => list.reduce((a, b) => (f(b) > f(a) ? b : a));
const goals = [
  ...[
    ['hot', hot],
    ['spread', spread],
  ].map(([workload, list]) => {
    const w = worst(list, (r) => r.ratio100kTo1k.median);
    const failed = list
      .filter((r) => r.ratio100kTo1k.median > GOAL_RATIO)
      .map((r) => r.resolver.split(' ·')[0]);
    return goal(
      `flat: 100k ≤ ${GOAL_RATIO}× 1k, every resolver, ${workload} workload`,
      `≤ ${GOAL_RATIO}×`,
      `worst ${w.resolver.split(' ·')[0]} ${fmt.x(w.ratio100kTo1k.median)}${failed.length ? ` (over: ${failed.join(', ')})` : ''}`,
      failed.length === 0,
    );
  }),
  (() => {
    const w = worst([...spread, ...hot], (r) => r.medianNs[100_000]);
    return goal(
      'median per resolve at 100k domains, every resolver',
      `≤ ${GOAL_MEDIAN_NS / 1000} µs`,
      `worst ${w.resolver} ${fmt.ns(w.medianNs[100_000])}`,
      w.medianNs[100_000] <= GOAL_MEDIAN_NS,
    );
  })(),
];

const buildMs = Object.fromEntries(sizes.map((s) => [s.size, Math.round(s.buildMs)]));
const ns = (v) => `${v.toFixed(0)} ns`;
writeResults('resolution', started, {
  title: 'Resolution cost vs number of registered domains',
  method: [
    `Every resolver with 10, 1,000 and 100,000 registered domains, in ONE process, ${ROUNDS} interleaved rounds (the order of sizes rotates each round), tinybench ${TIME} ms per task. One timed call resolves a batch of ${BATCH} requests; per-resolve time = tinybench p50 / ${BATCH}; the value shown is the median over rounds, and the ratio is the median of the per-round ratios 100k/1k with its min–max.`,
    '`spread`: the batch names codes spread over the whole registry (a large registry adds CPU cache misses, the honest worst case). `hot`: the same 10 codes at every size (equal working set: isolates the algorithm; a scan would show here).',
    `Registering the domains took ${SIZES.map((s) => `${buildMs[s]} ms (${s.toLocaleString('en')})`).join(', ')}.`,
  ].join('\n\n'),
  goals,
  tables: [
    {
      title: 'Median time per resolve',
      lines: table(
        ['resolver · workload', '10', '1,000', '100,000', 'ratio 100k/1k (min–max)', 'ratio 100k/10', 'goal'],
        rows.map((r) => [
          r.resolver,
          ns(r.medianNs[10]),
          ns(r.medianNs[1000]),
          ns(r.medianNs[100000]),
          `${r.ratio100kTo1k.median.toFixed(2)} (${r.ratio100kTo1k.min.toFixed(2)}–${r.ratio100kTo1k.max.toFixed(2)})`,
          r.ratio100kTo10.toFixed(2),
          r.goalMet ? 'met' : '**not met**',
        ]),
      ),
    },
  ],
  charts: [
    {
      title: 'Resolution: median ns per resolve by number of domains',
      spec: {
        data: {
          values: rows.flatMap((r) =>
            SIZES.map((size) => ({
              resolver: r.resolver.split(' · ')[0],
              workload: r.resolver.split(' · ')[1],
              domains: size.toLocaleString('en'),
              ns: r.medianNs[size],
            })),
          ),
        },
        mark: 'bar',
        encoding: {
          column: { field: 'workload', type: 'nominal', title: null },
          y: { field: 'resolver', type: 'nominal', title: null },
          yOffset: { field: 'domains', type: 'nominal', sort: ['10', '1,000', '100,000'] },
          x: { field: 'ns', type: 'quantitative', title: 'ns per resolve' },
          color: { field: 'domains', type: 'nominal', sort: ['10', '1,000', '100,000'] },
        },
      },
    },
  ],
  rows,
  settings: {
    rounds: ROUNDS,
    timeMs: TIME,
    batch: BATCH,
    sizes: SIZES,
    buildMs,
    goalRatio100kTo1k: GOAL_RATIO,
    goalMedianNs: GOAL_MEDIAN_NS,
  },
});
process.exit(0);
