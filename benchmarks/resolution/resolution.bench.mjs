// Resolution cost against registry size: every resolver, with 10, 1,000 and
// 100,000 registered domains, in ONE process, in interleaved rounds so that
// machine noise (2 shared cores) hits every size alike.
//
// Run from the repository root, after building the two packages it imports:
//   pnpm --filter @md/core --filter @md/resolvers build
//   node benchmarks/resolution/resolution.bench.mjs
// It writes benchmarks/results/resolution.json and benchmarks/results/resolution.md.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

const SIZES = [10, 1_000, 100_000];
const ROUNDS = Number(process.env.ROUNDS ?? 12);
/** Requests resolved per timed call: the per-resolve time is the call's time / BATCH. */
const BATCH = 256;
const GOAL_RATIO = 1.5;
const GOAL_MEDIAN_NS = 1_000;
const BASE = 'platform.test';
const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

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

/** The neutral request as core's createRequestLike builds it: a header getter over a plain object. */
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
    for (const [k, req] of chainRequests.entries()) assert.equal(site.resolveSync(req).domain.name, picks[k]);
    tasks[`chain: site.resolveSync, path mode · ${workload}`] = () => {
      let sink = 0;
      for (const req of chainRequests) sink += site.resolveSync(req).path.length;
      return sink;
    };
  }
  return { size, site, tasks, buildMs };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
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
    const bench = new Bench({ time: 25, iterations: 20, warmupTime: 10, warmupIterations: 5 });
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
  const medians = Object.fromEntries(SIZES.map((size) => [size, median(bySize[size])]));
  const ratio = medians[100_000] / medians[10];
  const isResolver = !resolver.startsWith('chain');
  return {
    resolver,
    medianNs: medians,
    ratio100kTo10: ratio,
    // The ≤ 1 µs goal is for a resolver; the chain row is there to show what a whole resolve costs.
    goalMet: ratio <= GOAL_RATIO && (!isResolver || medians[100_000] <= GOAL_MEDIAN_NS),
    roundsNs: bySize,
  };
});

const meta = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  rounds: ROUNDS,
  batch: BATCH,
  sizes: SIZES,
  buildMs: Object.fromEntries(sizes.map((s) => [s.size, Math.round(s.buildMs)])),
  statistic:
    'per-resolve time = tinybench p50 of one call resolving BATCH requests spread over the registry, / BATCH; the reported value is the median over rounds',
  goal: { ratio100kTo10: GOAL_RATIO, medianNs: GOAL_MEDIAN_NS },
  command:
    'pnpm --filter @md/core --filter @md/resolvers build && node benchmarks/resolution/resolution.bench.mjs',
};

mkdirSync(RESULTS, { recursive: true });
writeFileSync(join(RESULTS, 'resolution.json'), `${JSON.stringify({ meta, rows }, null, 2)}\n`);

const ns = (v) => `${v.toFixed(0)} ns`;
const md = [
  '# Resolution cost vs number of registered domains',
  '',
  `${meta.date} · Node ${meta.node} · ${meta.cpu} (${meta.cores} cores, shared) · ${ROUNDS} interleaved rounds · batch ${BATCH}`,
  '',
  `Median time per resolve (goal: ratio 100k/10 ≤ ${GOAL_RATIO}, resolver median ≤ ${GOAL_MEDIAN_NS / 1000} µs).`,
  '',
  '`spread`: the batch names codes spread over the whole registry (a large registry adds cache misses).',
  '`hot`: the batch names the same 10 codes at every size (equal working set: isolates the algorithm).',
  '',
  '| resolver · workload | 10 | 1,000 | 100,000 | ratio 100k/10 | goal |',
  '| --- | ---: | ---: | ---: | ---: | --- |',
  ...rows.map(
    (r) =>
      `| ${r.resolver} | ${ns(r.medianNs[10])} | ${ns(r.medianNs[1000])} | ${ns(r.medianNs[100000])} | ${r.ratio100kTo10.toFixed(2)} | ${r.goalMet ? 'met' : 'MISSED'} |`,
  ),
  '',
  `Command: \`${meta.command}\``,
  '',
  `Registering the domains took ${SIZES.map((s) => `${meta.buildMs[s]} ms (${s.toLocaleString('en')})`).join(', ')}.`,
  '',
];
writeFileSync(join(RESULTS, 'resolution.md'), md.join('\n'));
console.log(`\n${md.join('\n')}`);
