// What the three connection-routing benchmarks share: the entity, the
// realistic handler (read 10 rows, write 1), seeding, the traffic shapes
// (uniform and Zipf) and a closed-loop load driver with latency percentiles.
import { PerformanceObserver } from 'node:perf_hooks';
import { EntitySchema } from '@mikro-orm/core';
import { fmt, median, quantile } from '../lib/common.mjs';

export const ROWS_PER_DOMAIN = 20;
export const CONCURRENCY = 8;

/** A fresh entity per strategy (strategies adjust the schema they are given). */
export function createProductEntity({ withTenant = false } = {}) {
  return new EntitySchema({
    name: 'Product',
    tableName: 'bench_product',
    properties: {
      id: { type: 'integer', primary: true, autoincrement: true },
      name: { type: 'string', length: 64 },
      price: { type: 'integer' },
      ...(withTenant
        ? { tenantId: { type: 'string', fieldName: 'tenant_id', length: 64, index: true } }
        : {}),
    },
  });
}

export const domainName = (i) => `store-${i}`;

/** The handler every strategy runs: read the 10 newest rows, write one. */
export async function handler(em, Product, extra = {}, where = {}) {
  const rows = await em.find(Product, where, { limit: 10, orderBy: { id: 'desc' } });
  if (rows.length === 0) throw new Error('handler: no rows (domain not seeded?)');
  em.create(Product, { name: `p-${rows.length}`, price: 100, ...extra });
  await em.flush();
  return rows.length;
}

/** Seeds ROWS_PER_DOMAIN rows through the site, inside the domain. */
export async function seed(site, Product, name, extra = {}) {
  await site.run(name, async () => {
    const em = site.em;
    for (let k = 0; k < ROWS_PER_DOMAIN; k++) em.create(Product, { name: `seed-${k}`, price: k, ...extra });
    await em.flush();
  });
}

/** A small seeded PRNG (mulberry32): every variant sees the same request sequence. */
export function prng(seedValue) {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Picks domain indexes: `uniform`, or `zipf` (s = 1: the most popular
 * domain gets ~1/H(n) of the traffic, a long tail gets the rest).
 */
export function traffic(shape, n, seedValue = 42) {
  const random = prng(seedValue);
  if (shape === 'uniform') return () => Math.floor(random() * n);
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1);
    cdf[i] = sum;
  }
  for (let i = 0; i < n; i++) cdf[i] /= sum;
  return () => {
    const u = random();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** Milliseconds of GC pauses on the main thread so far (a PerformanceObserver started on first use). */
let gcPauseMs = 0;
let gcObserver;
function gcPausesSoFar() {
  if (gcObserver === undefined) {
    gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) gcPauseMs += entry.duration;
    });
    gcObserver.observe({ entryTypes: ['gc'] });
  }
  return gcPauseMs;
}

/** Resolves after the pending GC entries were delivered to the observer (they arrive on a later turn). */
const afterGcEntries = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Closed-loop load for `ms`: CONCURRENCY workers each run `request(index)`
 * back to back on domains from `next()`. Returns req/s, p50 and p99 (ms),
 * and per request the GC pauses of the main thread (`gcUs`) and the CPU the
 * process used (`cpuUs`, every thread, PostgreSQL's not included): less
 * noisy than req/s on a shared machine, and where an allocation regression
 * shows first.
 */
export async function drive(ms, next, request) {
  const latencies = [];
  const gc0 = gcPausesSoFar();
  const cpu0 = process.cpuUsage();
  const until = performance.now() + ms;
  const started = performance.now();
  const worker = async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      await request(next());
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await afterGcEntries();
  const n = latencies.length;
  return {
    rps: n / elapsed,
    p50: median(latencies),
    p99: quantile(latencies, 0.99),
    requests: n,
    gcUs: ((gcPausesSoFar() - gc0) * 1000) / n,
    cpuUs: (cpu.user + cpu.system) / n,
  };
}

/** Median per-round value of a field of drive() results. */
export const med = (results, field) => median(results.map((r) => r[field]));

/** A per-request field of drive() results over every round together (GC pauses land in few rounds). */
export const pooled = (results, field) =>
  results.reduce((sum, r) => sum + r[field] * r.requests, 0) /
  results.reduce((sum, r) => sum + r.requests, 0);

/** The name of the control of variant `name`: the same variant measured a second time, as its own variant. */
export const controlOf = (name) => `${name} · again`;

/**
 * Runs every variant `{ n, shape, request }` once per round for `ms`, the
 * order rotating each round, after a warm-up pass of `warmMs` each, and
 * returns the per-round drive() results. `control` names a variant that is
 * also measured a second time, as a variant of its own ({@link controlOf}):
 * the ratio of the two is what this machine measures for no difference at
 * all, the yardstick for every other ratio of the run.
 */
export async function runRounds(label, rounds, ms, variants, warmMs = Math.min(200, ms), { control } = {}) {
  const all = control === undefined ? variants : { ...variants, [controlOf(control)]: variants[control] };
  const names = Object.keys(all);
  const pickers = Object.fromEntries(names.map((v) => [v, traffic(all[v].shape, all[v].n)]));
  // One warm-up pass per variant (JIT, first connections), `warmMs` long.
  for (const v of names) await drive(warmMs, pickers[v], all[v].request);
  const samples = Object.fromEntries(names.map((v) => [v, []]));
  for (let round = 0; round < rounds; round++) {
    const shift = round % names.length;
    for (const v of [...names.slice(shift), ...names.slice(0, shift)]) {
      samples[v].push(await drive(ms, pickers[v], all[v].request));
    }
    process.stdout.write(`${label}: round ${round + 1}/${rounds}\r`);
  }
  process.stdout.write('\n');
  return samples;
}

/** What the methods say of the control of `what` (a variant's description). */
export function controlMethod(what) {
  return `The control: ${what} measured a second time as a variant of its own (\`· again\`), the ratio of the two what this machine measures for no difference at all.`;
}

/** "1.012× (IQR 0.950×–1.070×)": a ratio's median and interquartile range. */
export const spreadOf = (r) => `${fmt.x(r.median)} (IQR ${fmt.x(r.p25)}–${fmt.x(r.p75)})`;

/** "; the same variant twice: 1.012× (IQR 0.950×–1.070×)": a control's ratio, said beside a goal's. */
export function controlText(ratio) {
  return `; the same variant twice: ${spreadOf(ratio)}`;
}
