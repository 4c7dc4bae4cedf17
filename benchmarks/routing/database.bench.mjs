// Database-per-domain strategy: one SQLite file / one PostgreSQL database
// per domain, pools opened lazily under a budget with LRU eviction.
//  - routing: few vs many domains, uniform and Zipf traffic, budgets 10 /
//    50 / 200 pools (PostgreSQL: 10 / 50, one connection per pool: the
//    server's max_connections is 100), req/s, p50/p99, and the most pools
//    ever open (the strategy's stats().maxOpen), which must stay ≤ budget;
//  - cold activation time and heap per resident domain against a naive
//    `MikroORM.init` per domain, interleaved in chunks (SQLite);
//  - the floor (SQLite): md on one domain against plain MikroORM on the same
//    file with the same handler, and a raw `node:sqlite` loop doing the same
//    statements on that file — the driver's own limit.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createSite } from '@md/core';
import { databasePerDomain } from '@md/isolation-database';
import { sqliteDialect } from '@md/mikro-orm';
import { startPostgres } from '@md/testing/postgres';
import { MikroORM } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SqliteDriver } from '@mikro-orm/sql';
import {
  deadline,
  fmt,
  goal,
  interleave,
  loadAverage,
  pairwiseRatio,
  pick,
  summarize,
  table,
  writeResults,
} from '../lib/common.mjs';
import {
  CONCURRENCY,
  controlMethod,
  controlOf,
  controlText,
  createProductEntity,
  domainName,
  handler,
  med,
  runRounds,
  seed,
} from './lib.mjs';

const started = performance.now();
const loadAtStart = loadAverage();
deadline(pick({ smoke: 150_000, quick: 50_000, full: 240_000 }), 'routing-database');
const ROUNDS = pick({ smoke: 2, quick: 10, full: 10 });
const MS = pick({ smoke: 100, quick: 60, full: 300 });
const FLOOR_ROUNDS = pick({ smoke: 3, quick: 10, full: 20 });
const FLOOR_MS = pick({ smoke: 100, quick: 100, full: 400 });
const SMALL = 10;
// PostgreSQL: CREATE DATABASE costs ~150–250 ms per domain; 60 databases still overflow the
// smaller budget six times over (200 took ~45 s of the run to provision for the same picture).
const BIG = {
  sqlite: pick({ smoke: 60, quick: 100, full: 1_000 }),
  postgres: pick({ smoke: 20, quick: 30, full: 60 }),
};
const phase = {};
const mark = (name, t0) => {
  phase[name] = Math.round((performance.now() - t0) / 100) / 10;
};
const BUDGETS = { sqlite: [10, 50, 200], postgres: [10, 50] };
const COLD_ROUNDS = pick({ smoke: 2, quick: 10, full: 10 });
const COLD_CHUNK = pick({ smoke: 5, quick: 5, full: 20 });
// The heap per resident domain is read after a forced GC: without one it counts garbage (136 KB
// where 20 KB is right). `pnpm bench` runs every benchmark with --expose-gc.
if (typeof globalThis.gc !== 'function')
  throw new Error(
    'routing-database: run it with node --expose-gc (as `pnpm bench` does): the heap per domain needs gc()',
  );
const gc = globalThis.gc;

function strategy(backend, location, budget, Product) {
  return backend === 'sqlite'
    ? databasePerDomain({ driver: SqliteDriver, folder: location, entities: [Product], budget })
    : databasePerDomain({
        driver: PostgreSqlDriver,
        url: location,
        entities: [Product],
        budget,
        poolSize: 1,
      });
}

/** A site over `n` domains; `provision` creates and seeds them (other sites reuse the same databases). */
async function dbSite(backend, location, n, budget, provision) {
  const Product = createProductEntity();
  const isolation = strategy(backend, location, budget, Product);
  const names = Array.from({ length: n }, (_, i) => domainName(i));
  const site = await createSite({ isolation, domains: names.map((name) => ({ name })) });
  let provisionMs = 0;
  if (provision) {
    const t0 = performance.now();
    for (const name of names) {
      await site.provision(name);
      await seed(site, Product, name);
    }
    provisionMs = (performance.now() - t0) / n;
  }
  return { site, Product, names, isolation, budget, provisionMs };
}

async function routing(backend, locations) {
  const big = BIG[backend];
  const budgets = BUDGETS[backend];
  const small = await dbSite(backend, locations.small, SMALL, 50, true);
  const bySize = {};
  // Provision with the largest budget, then open one site per budget over the same databases.
  for (const [k, budget] of [...budgets].reverse().entries()) {
    bySize[budget] = await dbSite(backend, locations.big, big, budget, k === 0);
  }
  const via =
    ({ site, Product, names }) =>
    (i) =>
      site.run(names[i], () => handler(site.em, Product));
  const variants = {
    [`${SMALL} domains · budget 50 · uniform`]: { n: SMALL, shape: 'uniform', request: via(small), s: small },
    [`${SMALL} domains · budget 50 · zipf`]: { n: SMALL, shape: 'zipf', request: via(small), s: small },
  };
  for (const budget of budgets) {
    for (const shape of ['uniform', 'zipf']) {
      variants[`${big} domains · budget ${budget} · ${shape}`] = {
        n: big,
        shape,
        request: via(bySize[budget]),
        s: bySize[budget],
      };
    }
  }
  const samples = await runRounds(`database ${backend}`, ROUNDS, MS, variants);
  const rows = Object.entries(samples).map(([name, results]) => {
    const s = variants[name].s;
    return {
      backend,
      variant: name,
      domains: variants[name].n,
      budget: s.budget,
      shape: variants[name].shape,
      rps: med(results, 'rps'),
      p50: med(results, 'p50'),
      p99: med(results, 'p99'),
      maxOpen: s.isolation.stats().maxOpen,
    };
  });
  const provisionMs = bySize[budgets.at(-1)].provisionMs;
  for (const s of [small, ...Object.values(bySize)]) await s.site.close();
  return { rows, samples, provisionMs };
}

/** Cold activation and heap per resident domain, md vs a naive MikroORM.init per domain, interleaved chunks. */
async function coldActivation(folder) {
  const names = Array.from({ length: BIG.sqlite }, (_, i) => domainName(i));
  const md = await dbSite('sqlite', folder, BIG.sqlite, BIG.sqlite + 1, false);
  const naive = [];
  let nextMd = 0;
  let nextNaive = names.length >> 1;
  // Warm the shared code paths of both once.
  await md.site.run(md.site.rootDomain, () => md.site.em.count(md.Product));
  const naiveInit = (file) => {
    const Product = createProductEntity();
    // md's own dialect (node:sqlite, WAL, busy timeout), so only md's pooling differs.
    return MikroORM.init({
      driver: SqliteDriver,
      dbName: file,
      driverOptions: sqliteDialect(file, { create: false }),
      entities: [Product],
      allowGlobalContext: false,
    }).then((orm) => ({ orm, Product }));
  };
  const warm = await naiveInit(join(folder, '_main_.sqlite'));
  await warm.orm.em.fork().count(warm.Product);
  await warm.orm.close(true);
  const activate = {
    md: async () => {
      const name = names[nextMd++];
      await md.site.run(name, () => md.site.em.count(md.Product));
    },
    naive: async () => {
      const name = names[nextNaive++];
      const { orm, Product } = await naiveInit(join(folder, `${name}.sqlite`));
      await orm.em.fork().count(Product);
      naive.push(orm);
    },
  };
  const samples = await interleave(COLD_ROUNDS, ['md', 'naive'], async (variant) => {
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    for (let k = 0; k < COLD_CHUNK; k++) await activate[variant]();
    const ms = (performance.now() - t0) / COLD_CHUNK;
    gc();
    const kb = (process.memoryUsage().heapUsed - heap0) / COLD_CHUNK / 1024;
    return { ms, kb };
  });
  const open = md.isolation.stats().open;
  await md.site.close();
  for (const orm of naive) await orm.close(true);
  return { samples, open };
}

/**
 * The floor on SQLite, interleaved: md (one domain) against plain MikroORM
 * on the same file with the same handler, and a raw `node:sqlite` loop
 * running the handler's statements (select the 10 newest rows; insert one
 * in a transaction, as MikroORM's flush does) on that file with md's pragmas.
 */
const PLAIN = 'plain MikroORM · same file';

async function floor(folder) {
  const md = await dbSite('sqlite', folder, 1, 10, true);
  const file = join(folder, `${md.names[0]}.sqlite`);
  const Product = createProductEntity();
  const orm = await MikroORM.init({
    driver: SqliteDriver,
    dbName: file,
    driverOptions: sqliteDialect(file, { create: false }),
    entities: [Product],
    allowGlobalContext: false,
  });
  const db = new DatabaseSync(file);
  db.exec('pragma busy_timeout = 5000');
  db.exec('pragma journal_mode = wal');
  const select = db.prepare('select id, name, price from bench_product order by id desc limit 10');
  const insert = db.prepare('insert into bench_product (name, price) values (?, ?)');
  const raw = async () => {
    const rows = select.all();
    if (rows.length === 0) throw new Error('raw: no rows');
    db.exec('begin');
    insert.run(`p-${rows.length}`, 100);
    db.exec('commit');
    // A request yields between its statements, as every driver call above does.
    await Promise.resolve();
  };
  const samples = await runRounds(
    'database floor',
    FLOOR_ROUNDS,
    FLOOR_MS,
    {
      'md · 1 domain': {
        n: 1,
        shape: 'uniform',
        request: () => md.site.run(md.names[0], () => handler(md.site.em, md.Product)),
      },
      [PLAIN]: { n: 1, shape: 'uniform', request: () => handler(orm.em.fork(), Product) },
      'raw node:sqlite · same file': { n: 1, shape: 'uniform', request: raw },
    },
    undefined,
    { control: PLAIN },
  );
  db.close();
  await orm.close(true);
  await md.site.close();
  return samples;
}

const dir = mkdtempSync(join(tmpdir(), 'md-bench-db-'));
let t0 = performance.now();
const floorSamples = await floor(join(dir, 'floor'));
mark('floor (SQLite)', t0);
t0 = performance.now();
const sqlite = await routing('sqlite', { small: join(dir, 'small'), big: join(dir, 'big') });
mark('routing SQLite (provisioning included)', t0);
t0 = performance.now();
const cold = await coldActivation(join(dir, 'big'));
mark('cold activation', t0);
t0 = performance.now();
const pg = await startPostgres();
let postgres;
try {
  postgres = await routing('postgres', {
    small: await pg.createDatabase('bench_db_small'),
    big: await pg.createDatabase('bench_db_big'),
  });
} finally {
  await pg.stop();
}
mark('routing PostgreSQL (provisioning included)', t0);

const allRows = [...sqlite.rows, ...postgres.rows];
const coldStats = {
  md: { ms: summarize(cold.samples.md.map((s) => s.ms)), kb: summarize(cold.samples.md.map((s) => s.kb)) },
  naive: {
    ms: summarize(cold.samples.naive.map((s) => s.ms)),
    kb: summarize(cold.samples.naive.map((s) => s.kb)),
  },
};
const overBudget = allRows.filter((r) => r.maxOpen > r.budget);
const ratioTo = (backend, shape, budget) => {
  const few = allRows.find((r) => r.backend === backend && r.domains === SMALL && r.shape === shape);
  const many = allRows.find(
    (r) => r.backend === backend && r.domains !== SMALL && r.budget === budget && r.shape === shape,
  );
  return many.rps / few.rps;
};
const floorRps = (v) => floorSamples[v].map((r) => r.rps);
// The control: plain MikroORM twice, as two variants (what no difference measures here).
const plainTwice = pairwiseRatio(floorRps(PLAIN), floorRps(controlOf(PLAIN)));
const mdVsPlain = pairwiseRatio(floorRps(PLAIN), floorRps('md · 1 domain'));
const mdVsRaw = pairwiseRatio(floorRps('raw node:sqlite · same file'), floorRps('md · 1 domain'));
const plainVsRaw = pairwiseRatio(floorRps('raw node:sqlite · same file'), floorRps(PLAIN));
const goals = [
  goal(
    'md routing vs plain MikroORM on one SQLite file, same handler, req/s',
    '≥ 0.95×',
    `${fmt.x(mdVsPlain.median)} (rounds ${fmt.x(mdVsPlain.min)}–${fmt.x(mdVsPlain.max)})${controlText(plainTwice)}; md at ${fmt.x(mdVsRaw.median)} of the raw node:sqlite loop, plain MikroORM at ${fmt.x(plainVsRaw.median)}`,
    mdVsPlain.median >= 0.95,
  ),
  goal(
    'open pools never exceed the budget (stats().maxOpen, every variant)',
    'maxOpen ≤ budget',
    overBudget.length === 0
      ? `all within: ${allRows
          .filter((r) => r.domains !== SMALL)
          .map((r) => `${r.maxOpen}/${r.budget}`)
          .join(', ')}`
      : `over: ${overBudget.map((r) => `${r.variant} ${r.maxOpen}`).join(', ')}`,
    overBudget.length === 0,
  ),
  goal(
    'cold activation per domain (SQLite, md)',
    '≤ 5 ms',
    `${fmt.ms(coldStats.md.ms.median)} (naive MikroORM.init: ${fmt.ms(coldStats.naive.ms.median)})`,
    coldStats.md.ms.median <= 5,
  ),
  goal(
    'heap per resident domain (SQLite, md)',
    '≤ 100 KB',
    `${coldStats.md.kb.median.toFixed(0)} KB (naive MikroORM.init: ${coldStats.naive.kb.median.toFixed(0)} KB)`,
    coldStats.md.kb.median <= 100,
  ),
];

const big = (b) => BIG[b].toLocaleString('en');
writeResults('routing-database', started, {
  title: 'Connection routing: database-per-domain strategy',
  method: `Load average at start ${loadAtStart.join(' / ')} (at the end: in the line above). The floor: ${FLOOR_ROUNDS} interleaved rounds of ${FLOOR_MS} ms, ${CONCURRENCY} concurrent requests, md's site (one domain, its own SQLite file) against plain \`MikroORM.init\` on that same file (md's own dialect: node:sqlite, WAL, busy timeout) running the same handler, and a raw node:sqlite loop doing the handler's statements (prepared select of the 10 newest rows; insert of one inside begin/commit) on the file with the same pragmas; ratios are medians of per-round ratios. ${controlMethod('plain MikroORM')} Routing: in-process closed loop, 8 concurrent requests, each \`site.run(domain, handler)\`: read the 10 newest rows of the domain, write one (20 seeded rows per domain). SQLite: ${SMALL} vs ${big('sqlite')} domains (one file each); PostgreSQL: ${SMALL} vs ${big('postgres')} databases (CREATE DATABASE per domain is slow, ${fmt.ms(postgres.provisionMs)} per domain here including seeding, so ${big('postgres')} databases — ${BIG.postgres / 10}× the smaller budget — rather than hundreds; budgets 10 and 50 with one connection per pool). All budget variants of one backend share the same provisioned databases, each through its own strategy instance so that \`stats().maxOpen\` is per budget. ${ROUNDS} rounds of ${MS} ms per variant, interleaved (order rotated each round); req/s and p50/p99 are medians over rounds. Cold activation: ${COLD_ROUNDS} interleaved rounds, each activating ${COLD_CHUNK} not-yet-open domains with md (first query on a domain whose pool is closed) and ${COLD_CHUNK} others with a naive \`MikroORM.init\` + the same query; heap = heapUsed delta after a forced GC, per domain, all domains kept resident.`,
  goals,
  tables: [
    {
      title: 'The floor (SQLite, one file): md vs plain MikroORM vs the raw driver',
      lines: [
        ...table(
          ['variant', 'req/s', 'p50', 'p99'],
          Object.entries(floorSamples).map(([v, r]) => [
            v,
            fmt.int(med(r, 'rps')),
            fmt.ms(med(r, 'p50')),
            fmt.ms(med(r, 'p99')),
          ]),
        ),
        '',
        ...table(
          ['comparison', 'median of round ratios', 'spread'],
          [
            ['md / plain MikroORM', fmt.x(mdVsPlain.median), fmt.spread(mdVsPlain)],
            ['md / raw node:sqlite', fmt.x(mdVsRaw.median), fmt.spread(mdVsRaw)],
            ['plain MikroORM / raw node:sqlite', fmt.x(plainVsRaw.median), fmt.spread(plainVsRaw)],
            [
              'control: plain MikroORM twice, as two variants',
              fmt.x(plainTwice.median),
              fmt.spread(plainTwice),
            ],
          ],
        ),
      ],
    },
    {
      title: 'Where the time went (s)',
      lines: table(
        ['phase', 'seconds'],
        Object.entries(phase).map(([k, v]) => [k, String(v)]),
      ),
    },
    {
      title: 'Routing: throughput, latency and open pools',
      lines: table(
        ['database', 'domains · budget · traffic', 'req/s', 'p50', 'p99', 'max pools open', 'within budget'],
        allRows.map((r) => [
          r.backend === 'sqlite' ? 'SQLite' : 'PostgreSQL',
          r.variant,
          fmt.int(r.rps),
          fmt.ms(r.p50),
          fmt.ms(r.p99),
          `${r.maxOpen} / ${r.budget}`,
          r.maxOpen <= r.budget ? 'yes' : '**no**',
        ]),
      ),
    },
    {
      title: 'Many domains vs few (req/s ratio of medians)',
      lines: table(
        ['database', 'traffic', ...BUDGETS.sqlite.map((b) => `budget ${b}`)],
        ['sqlite', 'postgres'].flatMap((backend) =>
          ['uniform', 'zipf'].map((shape) => [
            backend === 'sqlite'
              ? `SQLite ${big('sqlite')} / ${SMALL}`
              : `PostgreSQL ${big('postgres')} / ${SMALL}`,
            shape,
            ...BUDGETS.sqlite.map((b) =>
              BUDGETS[backend].includes(b) ? fmt.x(ratioTo(backend, shape, b)) : '–',
            ),
          ]),
        ),
      ),
    },
    {
      title: 'Cold activation and memory per resident domain (SQLite)',
      lines: table(
        ['', 'ms per domain (median, min–max of rounds)', 'heap KB per resident domain (median, min–max)'],
        ['md', 'naive'].map((v) => [
          v === 'md' ? 'md (shared metadata template)' : 'naive MikroORM.init per domain',
          `${fmt.ms(coldStats[v].ms.median)} (${fmt.ms(coldStats[v].ms.min)}–${fmt.ms(coldStats[v].ms.max)})`,
          `${coldStats[v].kb.median.toFixed(0)} (${coldStats[v].kb.min.toFixed(0)}–${coldStats[v].kb.max.toFixed(0)})`,
        ]),
      ),
    },
  ],
  charts: [
    {
      title: 'Database-per-domain: req/s by domains, budget and traffic (median of rounds)',
      spec: {
        width: 360,
        data: {
          values: allRows.map((r) => ({ ...r, database: r.backend === 'sqlite' ? 'SQLite' : 'PostgreSQL' })),
        },
        mark: 'bar',
        encoding: {
          row: { field: 'database', type: 'nominal', title: null },
          y: { field: 'variant', type: 'nominal', title: null, sort: null },
          x: { field: 'rps', type: 'quantitative', title: 'requests per second' },
          color: { field: 'shape', type: 'nominal', title: 'traffic' },
        },
        resolve: { scale: { y: 'independent' } },
      },
    },
    {
      title: 'Cold activation: ms and heap KB per domain, md vs naive MikroORM.init (each round)',
      spec: {
        data: {
          values: ['md', 'naive'].flatMap((v) =>
            cold.samples[v].flatMap((s, round) => [
              { variant: v, metric: 'ms per activation', value: s.ms, round },
              { variant: v, metric: 'heap KB per resident domain', value: s.kb, round },
            ]),
          ),
        },
        mark: { type: 'point', filled: true },
        encoding: {
          column: { field: 'metric', type: 'nominal', title: null },
          y: { field: 'variant', type: 'nominal', title: null },
          x: { field: 'value', type: 'quantitative', title: null },
        },
        resolve: { scale: { x: 'independent' } },
      },
    },
  ],
  rows: allRows,
  floor: { samples: floorSamples, mdVsPlain, mdVsRaw, plainVsRaw },
  cold: { ...coldStats, samples: cold.samples },
  samples: { sqlite: sqlite.samples, postgres: postgres.samples },
  settings: {
    rounds: ROUNDS,
    ms: MS,
    sizes: { small: SMALL, ...BIG },
    budgets: BUDGETS,
    coldRounds: COLD_ROUNDS,
    coldChunk: COLD_CHUNK,
    provisionMs: { sqlite: sqlite.provisionMs, postgres: postgres.provisionMs },
    floorRounds: FLOOR_ROUNDS,
    floorMs: FLOOR_MS,
    loadAtStart,
    phases: phase,
  },
});
process.exit(0);
