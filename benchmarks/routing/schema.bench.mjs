// Schema-per-domain strategy (PostgreSQL): one pool, the schema named in
// every query. 1 schema against many (1,000 in the full run), each set in its
// own database so the bigger catalog only weighs on the second; uniform and
// Zipf traffic. Goal: many-schema req/s ≥ 0.95× the 1-schema req/s.
// With `--huge` (`pnpm bench schema-10k`, not part of the default set: it
// takes ~3 minutes) the same against 10,000 schemas: provisioning time per
// schema through `site.provision`, 8 at a time, req/s against 1 schema, and
// the memory of the request pool's backends under connection recycling.
import { readFileSync } from 'node:fs';
import { createSite } from '@md/core';
import { schemaPerDomain } from '@md/isolation-schema';
import { startPostgres } from '@md/testing/postgres';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import pg from 'pg';
import {
  deadline,
  fmt,
  goal,
  loadAverage,
  median,
  pairwiseRatio,
  pick,
  table,
  writeResults,
} from '../lib/common.mjs';
import {
  controlMethod,
  controlOf,
  controlText,
  createProductEntity,
  domainName,
  drive,
  handler,
  med,
  pooled,
  ROWS_PER_DOMAIN,
  runRounds,
  traffic,
} from './lib.mjs';

const HUGE_RUN = process.argv.includes('--huge');
const started = performance.now();
const loadAtStart = loadAverage();
deadline(
  HUGE_RUN
    ? pick({ smoke: 120_000, quick: 120_000, full: 600_000 })
    : pick({ smoke: 120_000, quick: 40_000, full: 150_000 }),
  HUGE_RUN ? 'schema-10k' : 'routing-schema',
);
const EXPLORE = JSON.parse(process.env.MD_SCHEMA_AFFINITY ?? '[]');
const ROUNDS = Number(process.env.MD_SCHEMA_ROUNDS ?? pick({ smoke: 2, quick: 6, full: 16 }));
const MS = pick({ smoke: 100, quick: 100, full: 400 });
// Each variant's warm-up pass (JIT, connections, the backends' catalog caches), as in row.bench.mjs.
const WARM_MS = pick({ smoke: 100, quick: 100, full: 1_000 });
/** Load on the BIG sites before the rounds, so that their backends have met their schemas (below). */
const STEADY_MS = pick({ smoke: 100, quick: 400, full: 12_000 });
/** Load over which catalog index scans per request are counted, per site. */
const SCAN_MS = pick({ smoke: 100, quick: 300, full: 2_500 });
const SCAN_LEAD_MS = pick({ smoke: 50, quick: 200, full: 1_000 });
const BIG = pick({ smoke: 20, quick: 100, full: 1_000 });
const HUGE = pick({ smoke: 40, quick: 300, full: 10_000 });
const HUGE_ROUNDS = pick({ smoke: 2, quick: 4, full: 20 });
/** Provisionings in flight at once: what an onboarding job would run (the request pool's size). */
const PARALLEL = 8;
/** Domains of the BIG set provisioned one by one first: the latency one onboarding sees. */
const SERIAL = pick({ smoke: 5, quick: 10, full: 20 });
const POOL = 8;

/** A site over `n` domains, none provisioned yet. */
async function schemaSite(url, n, extra = {}) {
  const Product = createProductEntity();
  const isolation = schemaPerDomain({
    driver: PostgreSqlDriver,
    url,
    entities: [Product],
    poolSize: POOL,
    ...extra,
  });
  const names = Array.from({ length: n }, (_, i) => domainName(i));
  const site = await createSite({ isolation, domains: names.map((name) => ({ name })) });
  return { site, Product, names, isolation, url };
}

/**
 * Provisions every domain through `site.provision` — the path a user takes —
 * the first `serial` one by one, the rest `PARALLEL` at a time. Returns ms per domain.
 */
async function provisionAll({ site, names }, serial = 0) {
  const t0 = performance.now();
  for (const name of names.slice(0, serial)) await site.provision(name);
  const serialMs = serial === 0 ? Number.NaN : (performance.now() - t0) / serial;
  const t1 = performance.now();
  let next = serial;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < names.length) await site.provision(names[next++]);
    }),
  );
  const parallelMs = (performance.now() - t1) / (names.length - serial);
  return { serialMs, parallelMs };
}

/** Runs `fn` on a connection of its own as the admin, then closes it. */
async function asAdmin(url, fn) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

/** Seeds ROWS_PER_DOMAIN rows in every domain's table, as the admin, 200 schemas per statement (setup, not measured). */
function seedAll({ isolation, names, url }) {
  return asAdmin(url, async (admin) => {
    for (let from = 0; from < names.length; from += 200) {
      const sql = names
        .slice(from, from + 200)
        .map(
          (name) =>
            `insert into "${isolation.schemaOf(name)}".bench_product (name, price) select 'seed-' || k, k from generate_series(0, ${ROWS_PER_DOMAIN - 1}) k;`,
        )
        .join('\n');
      await admin.query(sql);
    }
  });
}

/** Private memory (RssAnon, MB) of every backend the request role holds open, by pid, read from /proc. */
function backendMemory(url) {
  return asAdmin(url, async (admin) => {
    const { rows } = await admin.query(
      `select pid from pg_stat_activity where datname = current_database() and usename <> current_user and backend_type = 'client backend'`,
    );
    const mb = new Map();
    for (const { pid } of rows) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        mb.set(pid, Number(/RssAnon:\s+(\d+)/.exec(status)[1]) / 1024);
      } catch {
        // A backend recycled between the query and the read.
      }
    }
    return mb;
  });
}

const summary = (mb) => {
  const values = [...mb.values()];
  return { backends: values.length, maxMb: Math.max(...values), medianMb: median(values) };
};

/**
 * Backend memory of sites sharing a database: every backend is read first,
 * then the sites close one by one, each owning the backends gone with it.
 */
async function splitMemory(url, sites) {
  const all = await backendMemory(url);
  const result = [];
  let before = new Set(all.keys());
  for (const s of sites) {
    await s.site.close();
    const left = new Set((await backendMemory(url)).keys());
    result.push(summary(new Map([...all].filter(([pid]) => before.has(pid) && !left.has(pid)))));
    before = left;
  }
  return result;
}

/** Index scans of the catalog tables a first meeting with a schema reads, in the database so far. */
function catalogScans(url) {
  return asAdmin(url, async (admin) => {
    const { rows } = await admin.query(
      `select coalesce(sum(idx_scan), 0)::bigint as scans from pg_stat_sys_indexes where relname = any($1)`,
      [['pg_class', 'pg_attribute', 'pg_index', 'pg_namespace', 'pg_attrdef', 'pg_constraint', 'pg_type']],
    );
    return Number(rows[0].scans);
  });
}

/**
 * Makes every backend of the site report its counts: PostgreSQL flushes a backend's statistics at
 * the end of a transaction at most once a second (else after 10 s idle), so after a second's
 * pause a burst of `select 1` over every domain ends a transaction on each connection.
 */
async function flushStats({ site, names }) {
  await new Promise((resolve) => setTimeout(resolve, 1_050));
  let next = 0;
  await Promise.all(
    Array.from({ length: POOL }, async () => {
      while (next < Math.min(names.length, 200)) {
        const name = names[next++ % names.length];
        await site.run(name, () => site.em.getConnection().execute('select 1'));
      }
    }),
  );
}

/**
 * Catalog index scans per request under uniform load: what the site's backends still read of the
 * catalog, i.e. how often a request meets a schema its backend has not. Counted by PostgreSQL, so
 * not swayed by how busy the machine is. Other sites of the database must be idle, with nothing
 * left to report.
 */
async function scansPerRequest(s) {
  const pick = traffic('uniform', s.names.length);
  await drive(SCAN_LEAD_MS, pick, via(s));
  await flushStats(s);
  const before = await catalogScans(s.url);
  const { requests } = await drive(SCAN_MS, pick, via(s));
  await flushStats(s);
  return ((await catalogScans(s.url)) - before) / requests;
}

const via =
  ({ site, Product, names }) =>
  (i) =>
    site.run(names[i], () => handler(site.em, Product));

const pg0 = await startPostgres();
let samples;
let hugeSamples;
let prov;
let hugeProv;
let memBig;
let memBigAffinity;
let memBigLonger;
let memHuge;
let recycled;
let scans;
const phase = {};
const mark = (name, t0) => {
  phase[name] = Math.round((performance.now() - t0) / 100) / 10;
};
try {
  let t0 = performance.now();
  const one = await schemaSite(await pg0.createDatabase('bench_schema_one'), 1);
  await provisionAll(one);
  await seedAll(one);
  // The same schema with connection affinity (one domain: at most its sub-pool and its partner's).
  const oneAffinity = await schemaSite(one.url, 1, { affinity: true });
  if (!HUGE_RUN) {
    const many = await schemaSite(await pg0.createDatabase('bench_schema_many'), BIG);
    prov = await provisionAll(many, SERIAL);
    await seedAll(many);
    // The same schemas with connection affinity.
    const affine = await schemaSite(many.url, BIG, { affinity: true });
    // The recycling md had by default before December 2026: every 1,000 checkouts, however few schemas a backend met.
    const longer = await schemaSite(many.url, BIG, {
      maxUses: 1_000,
      maxSchemasPerConnection: Number.POSITIVE_INFINITY,
    });
    const explore = [];
    for (const extra of EXPLORE) explore.push({ extra, ...(await schemaSite(many.url, BIG, extra)) });
    mark('provision 1 + BIG', t0);
    // The steady state of a running server: its backends have met its schemas (a connection is
    // recycled by the schemas it served, so they stay met). Cold, it takes ≈ 8,000 first meetings
    // (docs/isolation.md); the old default's variant never gets there, by design.
    // Catalog scans are counted before any round, one site at a time (the others have nothing left
    // to report), the old default's first: no site that must stay warm sits idle for pg's 10 s
    // idle timeout before the rounds (a connection closed for idleness is a cold backend again).
    t0 = performance.now();
    const longerScans = await scansPerRequest(longer);
    await drive(STEADY_MS, traffic('uniform', BIG), via(many));
    await drive(STEADY_MS / 4, traffic('uniform', BIG), via(affine));
    scans = {
      many: await scansPerRequest(many),
      affinity: await scansPerRequest(affine),
      longer: longerScans,
    };
    mark('steady state, catalog scans', t0);
    t0 = performance.now();
    samples = await runRounds(
      'schema',
      ROUNDS,
      MS,
      {
        '1 schema': { n: 1, shape: 'uniform', request: via(one) },
        '1 schema · affinity': { n: 1, shape: 'uniform', request: via(oneAffinity) },
        [`${BIG} schemas · uniform`]: { n: BIG, shape: 'uniform', request: via(many) },
        [`${BIG} schemas · zipf`]: { n: BIG, shape: 'zipf', request: via(many) },
        [`${BIG} schemas · uniform · affinity`]: { n: BIG, shape: 'uniform', request: via(affine) },
        [`${BIG} schemas · zipf · affinity`]: { n: BIG, shape: 'zipf', request: via(affine) },
        [`${BIG} schemas · uniform · maxUses 1,000 (before)`]: {
          n: BIG,
          shape: 'uniform',
          request: via(longer),
        },
        ...Object.fromEntries(
          explore.map((e) => [
            `${BIG} schemas · uniform · ${JSON.stringify(e.extra).replace(/["{}]/g, '')}`,
            { n: BIG, shape: 'uniform', request: via(e) },
          ]),
        ),
      },
      WARM_MS,
      { control: '1 schema' },
    );
    recycled = {
      big: many.isolation.stats().recycled,
      affinity: affine.isolation.stats().recycled,
      longer: longer.isolation.stats().recycled,
    };
    const stats = many.isolation.stats();
    if (stats.maxConnections > POOL) throw new Error(`${stats.maxConnections} request connections > ${POOL}`);
    for (const e of explore) await e.site.close();
    // Both sites' backends share the database: read them all, then tell them apart.
    [memBigAffinity, memBigLonger, memBig] = await splitMemory(many.url, [affine, longer, many]);
    mark('rounds BIG', t0);
  } else {
    const huge = await schemaSite(await pg0.createDatabase('bench_schema_huge'), HUGE);
    hugeProv = await provisionAll(huge, SERIAL);
    mark('provision HUGE', t0);
    t0 = performance.now();
    await seedAll(huge);
    mark('seed HUGE', t0);
    t0 = performance.now();
    hugeSamples = await runRounds(
      'schema 10k',
      HUGE_ROUNDS,
      MS,
      {
        '1 schema': { n: 1, shape: 'uniform', request: via(one) },
        [`${HUGE} schemas · uniform`]: { n: HUGE, shape: 'uniform', request: via(huge) },
        [`${HUGE} schemas · zipf`]: { n: HUGE, shape: 'zipf', request: via(huge) },
      },
      WARM_MS,
      { control: '1 schema' },
    );
    memHuge = summary(await backendMemory(huge.url));
    recycled = { huge: huge.isolation.stats().recycled };
    mark('rounds HUGE', t0);
    await huge.site.close();
  }
  await one.site.close();
  await oneAffinity.site.close();
} finally {
  await pg0.stop();
}

const rpsOf = (s, name) => s[name].map((r) => r.rps);
const ratio = (s, name) => pairwiseRatio(rpsOf(s, '1 schema'), rpsOf(s, name));
const n = (x) => x.toLocaleString('en');
const rounds = (r) => `${fmt.x(r.median)} (rounds ${fmt.x(r.min)}–${fmt.x(r.max)})`;
/** The control: 1 schema twice, as two variants (what no difference measures in this run). */
const control = (s) => ratio(s, controlOf('1 schema'));
const withControl = (r, s) => `${rounds(r)}${controlText(control(s))}`;
const throughput = (s) =>
  table(
    ['variant', 'req/s', 'p50', 'p99', 'Node CPU / req', 'GC pause / req'],
    Object.entries(s).map(([v, r]) => [
      v,
      fmt.int(med(r, 'rps')),
      fmt.ms(med(r, 'p50')),
      fmt.ms(med(r, 'p99')),
      fmt.us(med(r, 'cpuUs')),
      fmt.us(pooled(r, 'gcUs')),
    ]),
  );
const phases = {
  title: 'Where the time went (s)',
  lines: table(
    ['phase', 'seconds'],
    Object.entries(phase).map(([k, v]) => [k.replace('BIG', n(BIG)).replace('HUGE', n(HUGE)), String(v)]),
  ),
};
const method = (count, rounds, steady = true) =>
  `Load average at start ${loadAtStart.join(' / ')} (at the end: in the line above). In-process closed loop, 8 concurrent requests, each \`site.run(domain, handler)\`: read the 10 newest rows of the domain, write one (${ROWS_PER_DOMAIN} seeded rows per domain). 1 schema and ${n(count)} schemas, each set in its own database; one request pool of ${POOL} connections per site, one pool shared by every domain (the strategy's default) unless a variant says "affinity" (\`affinity: true\`: sub-pools of 1 connection, a domain routed to one by the hash of its name, spilling to the partner sub-pool), default recycling (a connection closes once it has served 2,000 distinct schemas, or after 300 s) unless a variant says otherwise (\`maxUses 1,000 (before)\`: every 1,000 checkouts, the default until December 2026). ${steady ? `Before the rounds, ${STEADY_MS} ms of uniform load on the ${n(count)}-schema site (a quarter of that on the affinity one), so that its backends have met its schemas, as a running server's have; then a` : 'A'} warm-up pass of ${WARM_MS} ms per variant, then ${rounds} rounds of ${MS} ms per variant, interleaved (order rotated each round); req/s, p50/p99, Node's CPU per request (every thread of the process; PostgreSQL's not included) are medians over rounds; the main thread's GC pauses per request are over all rounds together, ratios the median of per-round ratios. ${controlMethod('the 1-schema site')} Provisioning is \`site.provision(name)\` (create schema, tables through the schema generator, grants, under the advisory lock): the first ${SERIAL} one by one, the rest ${PARALLEL} at a time; seeding is setup, done by SQL as the admin and not timed. Backend memory: RssAnon (private memory, where catalog caches live) of each backend of the request role after the rounds, read from /proc.`;
const provisionTable = (label, p, mem, recycledCount) => ({
  title: 'Provisioning and backend memory',
  lines: table(
    [
      'set',
      'site.provision one by one',
      `site.provision, ${PARALLEL} at a time`,
      'request backends',
      'private MB per backend (median / max)',
      'connections recycled',
    ],
    [
      [
        label,
        fmt.ms(p.serialMs),
        fmt.ms(p.parallelMs),
        String(mem.backends),
        `${mem.medianMb.toFixed(1)} / ${mem.maxMb.toFixed(1)}`,
        String(recycledCount),
      ],
    ],
  ),
});
const chart = (s) => ({
  title: 'Schema-per-domain: requests per second (median of rounds)',
  spec: {
    width: 360,
    data: { values: Object.entries(s).map(([v, r]) => ({ variant: v, rps: med(r, 'rps') })) },
    mark: 'bar',
    encoding: {
      y: { field: 'variant', type: 'nominal', title: null, sort: null },
      x: { field: 'rps', type: 'quantitative', title: 'requests per second' },
    },
  },
});

/** Ratio rows of the MD_SCHEMA_AFFINITY variants (vs 1 schema). */
function explore_rows() {
  return Object.keys(samples)
    .filter((v) => EXPLORE.some((e) => v.endsWith(JSON.stringify(e).replace(/["{}]/g, ''))))
    .map((v) => {
      const r = ratio(samples, v);
      return [`req/s ${v} / 1 schema`, fmt.x(r.median), fmt.spread(r)];
    });
}

if (!HUGE_RUN) {
  const uniform = ratio(samples, `${BIG} schemas · uniform`);
  const zipf = ratio(samples, `${BIG} schemas · zipf`);
  const vs = (base, name) => pairwiseRatio(rpsOf(samples, base), rpsOf(samples, name));
  const affUniform = ratio(samples, `${BIG} schemas · uniform · affinity`);
  const affZipf = ratio(samples, `${BIG} schemas · zipf · affinity`);
  const affLonger = ratio(samples, `${BIG} schemas · uniform · maxUses 1,000 (before)`);
  const affOne = ratio(samples, '1 schema · affinity');
  const affVsAff = vs('1 schema · affinity', `${BIG} schemas · uniform · affinity`);
  const row = (label, r) => [label, fmt.x(r.median), fmt.spread(r)];
  writeResults('routing-schema', started, {
    title: 'Connection routing: schema-per-domain strategy (PostgreSQL)',
    method: `${method(BIG, ROUNDS)} The ${n(HUGE)}-schema measurement is its own benchmark (\`pnpm bench schema-10k\`, results in schema-10k.md).`,
    goals: [
      goal(
        `${n(BIG)} schemas vs 1 schema, req/s, uniform traffic`,
        '≥ 0.95×',
        withControl(uniform, samples),
        uniform.median >= 0.95,
      ),
      goal(
        `${n(BIG)} schemas vs 1 schema, req/s, Zipf traffic`,
        '≥ 0.95×',
        withControl(zipf, samples),
        zipf.median >= 0.95,
      ),
      // Against the same 1-schema site (one pool): affinity caps one domain's connections, which
      // would flatter a ratio against a 1-schema site with affinity.
      goal(
        `${n(BIG)} schemas with affinity vs 1 schema, req/s, uniform traffic`,
        '≥ 0.95×',
        withControl(affUniform, samples),
        affUniform.median >= 0.95,
      ),
    ],
    tables: [
      { title: 'Throughput and latency', lines: throughput(samples) },
      {
        title: 'Ratios (median of round ratios)',
        lines: table(
          ['comparison', 'median of round ratios', 'spread'],
          [
            row(`req/s ${n(BIG)} schemas (uniform) / 1 schema`, uniform),
            row(`req/s ${n(BIG)} schemas (Zipf) / 1 schema`, zipf),
            row(`req/s ${n(BIG)} schemas (uniform, affinity) / 1 schema`, affUniform),
            row(`req/s ${n(BIG)} schemas (Zipf, affinity) / 1 schema`, affZipf),
            row(
              `req/s ${n(BIG)} schemas (uniform, recycled every 1,000 checkouts as before) / 1 schema`,
              affLonger,
            ),
            row('req/s 1 schema (affinity) / 1 schema', affOne),
            row('control: req/s 1 schema, measured twice as two variants', control(samples)),
            row(`req/s ${n(BIG)} schemas (uniform, affinity) / 1 schema (affinity)`, affVsAff),
            ...explore_rows(),
          ],
        ),
      },
      {
        title: `Catalog index scans per request (${n(BIG)} schemas, uniform, counted by PostgreSQL before the rounds)`,
        lines: table(
          ['request pool', 'catalog index scans per request'],
          [
            ['one pool, recycled by schemas served (default)', scans.many],
            ['affinity, recycled by schemas served', scans.affinity],
            ['one pool, recycled every 1,000 checkouts (before)', scans.longer],
          ].map(([label, v]) => [label, v.toFixed(2)]),
        ),
      },
      provisionTable(`${n(BIG)} schemas`, prov, memBig, recycled.big),
      {
        title: 'Backend memory of the other variants (the same rounds)',
        lines: table(
          ['set', 'request backends', 'private MB per backend (median / max)', 'connections recycled'],
          [
            [`${n(BIG)} schemas · affinity`, memBigAffinity, recycled.affinity],
            [`${n(BIG)} schemas · maxUses 1,000 (before)`, memBigLonger, recycled.longer],
          ].map(([label, mem, count]) => [
            label,
            String(mem.backends),
            `${mem.medianMb.toFixed(1)} / ${mem.maxMb.toFixed(1)}`,
            String(count),
          ]),
        ),
      },
      phases,
    ],
    charts: [chart(samples)],
    samples,
    settings: {
      rounds: ROUNDS,
      ms: MS,
      schemas: BIG,
      parallel: PARALLEL,
      loadAtStart,
      phases: phase,
      provisionMsPerDomain: prov,
      backendMemory: memBig,
      backendMemoryAffinity: memBigAffinity,
      backendMemoryMaxUses1000: memBigLonger,
      catalogScansPerRequest: scans,
      recycled,
      explore: EXPLORE,
    },
  });
} else {
  const hugeUniform = ratio(hugeSamples, `${HUGE} schemas · uniform`);
  const hugeZipf = ratio(hugeSamples, `${HUGE} schemas · zipf`);
  writeResults('schema-10k', started, {
    title: `Schema-per-domain at ${n(HUGE)} schemas (PostgreSQL)`,
    method: method(HUGE, HUGE_ROUNDS, false),
    goals: [
      goal(
        `${n(HUGE)} schemas: provisioning time per schema (site.provision, ${PARALLEL} at a time)`,
        'measured',
        `${fmt.ms(hugeProv.parallelMs)} (one by one: ${fmt.ms(hugeProv.serialMs)})`,
        Number.isFinite(hugeProv.parallelMs),
      ),
      goal(
        `${n(HUGE)} schemas: private memory per request backend, with connection recycling`,
        'measured',
        `${memHuge.medianMb.toFixed(1)} MB median, ${memHuge.maxMb.toFixed(1)} MB max over ${memHuge.backends} backends (${recycled.huge} connections recycled)`,
        Number.isFinite(memHuge.maxMb),
      ),
      goal(
        `${n(HUGE)} schemas: req/s vs 1 schema`,
        'measured',
        `uniform ${fmt.int(med(hugeSamples[`${HUGE} schemas · uniform`], 'rps'))} req/s, ${rounds(hugeUniform)}; Zipf ${rounds(hugeZipf)}${controlText(control(hugeSamples))}`,
        true,
      ),
    ],
    tables: [
      { title: 'Throughput and latency', lines: throughput(hugeSamples) },
      {
        title: 'Ratios (median of round ratios)',
        lines: table(
          ['comparison', 'median of round ratios', 'spread'],
          [
            [
              `req/s ${n(HUGE)} schemas (uniform) / 1 schema`,
              fmt.x(hugeUniform.median),
              fmt.spread(hugeUniform),
            ],
            [`req/s ${n(HUGE)} schemas (Zipf) / 1 schema`, fmt.x(hugeZipf.median), fmt.spread(hugeZipf)],
          ],
        ),
      },
      provisionTable(`${n(HUGE)} schemas`, hugeProv, memHuge, recycled.huge),
      phases,
    ],
    charts: [chart(hugeSamples)],
    samples: hugeSamples,
    settings: {
      rounds: HUGE_ROUNDS,
      ms: MS,
      schemas: HUGE,
      parallel: PARALLEL,
      loadAtStart,
      phases: phase,
      provisionMsPerDomain: hugeProv,
      backendMemory: memHuge,
      recycled,
    },
  });
}
process.exit(0);
