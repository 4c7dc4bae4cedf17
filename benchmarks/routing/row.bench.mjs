// Row-level strategy: one shared table, tenant_id on every row. On SQLite:
// 10 vs 1,000 domains, uniform and Zipf traffic, and md's filter against a
// hand-written `WHERE tenant_id = ?` (plain MikroORM, explicit condition).
// On PostgreSQL: the same sizes, and md as shipped (filter + FORCE'd RLS
// policies on a transaction-local setting, app role) against no RLS (plain
// MikroORM as the table owner with the hand-written condition).
// Row-level strategy: one shared table, tenant_id on every row. Three goals,
// each measured on its own, interleaved in one run (issue 15, goal 2):
//   (a) SQLite: md's filter vs a hand-written `WHERE tenant_id = ?` (plain
//       MikroORM on the same file), time ≤ 1.03×;
//   (b) PostgreSQL: md without row-level security (`rls: false`: the filter
//       and guard only) vs the same hand-written WHERE on the same tables,
//       time ≤ 1.03×;
//   (c) PostgreSQL: md as shipped (filter + FORCE'd RLS policies on the
//       signed setting sent with the first statement of each checkout,
//       request role) vs the same
//       strategy with `rls: false`, req/s ≥ 0.90×.
// Besides: 10 vs 1,000 domains and Zipf traffic, for the size ratio.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSite } from '@md/core';
import { rowLevel } from '@md/isolation-row';
import { sqliteDialect } from '@md/mikro-orm';
import { startPostgres } from '@md/testing/postgres';
import { MikroORM } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SqliteDriver } from '@mikro-orm/sql';
import {
  deadline,
  fmt,
  goal,
  loadAverage,
  pairwiseRatio,
  pick,
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
  pooled,
  ROWS_PER_DOMAIN,
  runRounds,
  seed,
  spreadOf,
} from './lib.mjs';

const started = performance.now();
const loadAtStart = loadAverage();
deadline(pick({ smoke: 58_000, quick: 25_000, full: 175_000 }), 'routing-row');
const ROUNDS = pick({ smoke: 2, quick: 6, full: 24 });
const MS = pick({ smoke: 100, quick: 120, full: 300 });
// The RLS path (pg's extended protocol, the batched setting) takes seconds of load before its
// JIT settles: with 200 ms its first rounds ran at ~0.75× of later ones (one process, solo).
const WARM_MS = pick({ smoke: 100, quick: 200, full: 1_500 });
const SIZES = [10, pick({ smoke: 50, quick: 100, full: 1_000 })];
const [SMALL, BIG] = SIZES;
const APP_ROLE = { name: 'md_bench_app', password: 'md-bench-app' };

async function rowSite(backend, n, location, { rls = true } = {}) {
  const Product = createProductEntity();
  const isolation =
    backend === 'sqlite'
      ? rowLevel({ driver: SqliteDriver, dbName: location, entities: [Product] })
      : rowLevel({
          driver: PostgreSqlDriver,
          url: location,
          entities: [Product],
          appRole: APP_ROLE,
          poolSize: 8,
          rls,
        });
  const names = Array.from({ length: n }, (_, i) => domainName(i));
  const site = await createSite({ isolation, domains: names.map((name) => ({ name })) });
  for (const name of names) {
    await site.provision(name);
    await seed(site, Product, name);
  }
  return { site, Product, names };
}

/** The same table through plain MikroORM and an explicit tenant condition (as the owner: no RLS applies). */
async function handWritten(backend, location) {
  const Product = createProductEntity({ withTenant: true });
  const orm = await MikroORM.init(
    backend === 'sqlite'
      ? // md's own dialect (node:sqlite, WAL, busy timeout): the baseline differs from md only in routing.
        {
          driver: SqliteDriver,
          dbName: location,
          driverOptions: sqliteDialect(location),
          entities: [Product],
          allowGlobalContext: false,
        }
      : {
          driver: PostgreSqlDriver,
          clientUrl: location,
          dbName: new URL(location).pathname.slice(1),
          entities: [Product],
          allowGlobalContext: false,
          pool: { min: 0, max: 8 },
        },
  );
  return { orm, Product };
}

const viaMd =
  ({ site, Product, names }) =>
  (i) =>
    site.run(names[i], () => handler(site.em, Product));
const viaHand = (hand) => (i) => {
  const tenantId = domainName(i);
  return handler(hand.orm.em.fork(), hand.Product, { tenantId }, { tenantId });
};

const V = {
  filter: 'md filter',
  rls: 'md filter + RLS',
  noRls: 'md filter, rls: false',
  hand: 'hand-written WHERE',
};

async function measureSqlite(dir) {
  const small = await rowSite('sqlite', SMALL, join(dir, 'small.sqlite'));
  const big = await rowSite('sqlite', BIG, join(dir, 'big.sqlite'));
  const hand = await handWritten('sqlite', join(dir, 'big.sqlite'));
  const samples = await runRounds(
    'row sqlite',
    ROUNDS,
    MS,
    {
      [`${V.filter} · ${BIG} · uniform`]: { n: BIG, shape: 'uniform', request: viaMd(big) },
      [`${V.hand} · ${BIG} · uniform`]: { n: BIG, shape: 'uniform', request: viaHand(hand) },
      [`${V.filter} · ${BIG} · zipf`]: { n: BIG, shape: 'zipf', request: viaMd(big) },
      [`${V.filter} · ${SMALL} · uniform`]: { n: SMALL, shape: 'uniform', request: viaMd(small) },
    },
    WARM_MS,
    { control: `${V.hand} · ${BIG} · uniform` },
  );
  await small.site.close();
  await big.site.close();
  await hand.orm.close(true);
  return samples;
}

/** md with RLS on one database; md with rls: false and the hand-written baseline on another (the same tables). */
async function measurePostgres(pg) {
  const small = await rowSite('postgres', SMALL, await pg.createDatabase('bench_row_small'));
  const withRls = await rowSite('postgres', BIG, await pg.createDatabase('bench_row_rls'));
  const plainUrl = await pg.createDatabase('bench_row_plain');
  const withoutRls = await rowSite('postgres', BIG, plainUrl, { rls: false });
  const hand = await handWritten('postgres', plainUrl);
  const samples = await runRounds(
    'row postgres',
    ROUNDS,
    MS,
    {
      [`${V.rls} · ${BIG} · uniform`]: { n: BIG, shape: 'uniform', request: viaMd(withRls) },
      [`${V.noRls} · ${BIG} · uniform`]: { n: BIG, shape: 'uniform', request: viaMd(withoutRls) },
      [`${V.hand} · ${BIG} · uniform`]: { n: BIG, shape: 'uniform', request: viaHand(hand) },
      [`${V.rls} · ${BIG} · zipf`]: { n: BIG, shape: 'zipf', request: viaMd(withRls) },
      [`${V.rls} · ${SMALL} · uniform`]: { n: SMALL, shape: 'uniform', request: viaMd(small) },
    },
    WARM_MS,
    { control: `${V.hand} · ${BIG} · uniform` },
  );
  for (const s of [small, withRls, withoutRls]) await s.site.close();
  await hand.orm.close(true);
  return samples;
}

const dir = mkdtempSync(join(tmpdir(), 'md-bench-row-'));
const sqlite = await measureSqlite(dir);
const pg = await startPostgres();
let postgres;
try {
  postgres = await measurePostgres(pg);
} finally {
  await pg.stop();
}

const rpsOf = (samples, variant, n = BIG, shape = 'uniform') =>
  samples[`${variant} · ${n} · ${shape}`].map((r) => r.rps);
// Time ratio md / hand-written = rps(hand) / rps(md), per round.
const filterSqlite = pairwiseRatio(rpsOf(sqlite, V.filter), rpsOf(sqlite, V.hand));
const filterPg = pairwiseRatio(rpsOf(postgres, V.noRls), rpsOf(postgres, V.hand));
// req/s with RLS / req/s without, per round.
const rlsRatio = pairwiseRatio(rpsOf(postgres, V.noRls), rpsOf(postgres, V.rls));
const rlsVsHand = pairwiseRatio(rpsOf(postgres, V.hand), rpsOf(postgres, V.rls));
const sizeSqlite = pairwiseRatio(rpsOf(sqlite, V.filter, SMALL), rpsOf(sqlite, V.filter));
const sizePg = pairwiseRatio(rpsOf(postgres, V.rls, SMALL), rpsOf(postgres, V.rls));
// The control: the hand-written variant twice, as two variants (what no difference measures here).
const handTwice = (samples) =>
  pairwiseRatio(
    samples[controlOf(`${V.hand} · ${BIG} · uniform`)].map((r) => r.rps),
    rpsOf(samples, V.hand),
  );
const controlSqlite = handTwice(sqlite);
const controlPg = handTwice(postgres);
// Node's CPU per request, md / hand-written, per round: PostgreSQL's share left out.
const cpuOf = (samples, variant) => samples[`${variant} · ${BIG} · uniform`].map((r) => r.cpuUs);
const cpuPg = pairwiseRatio(cpuOf(postgres, V.hand), cpuOf(postgres, V.noRls));

const goals = [
  goal(
    `(a) SQLite: md filter time vs hand-written WHERE tenant_id = ? (${BIG} domains, uniform)`,
    '≤ 1.03×',
    `${spreadOf(filterSqlite)}${controlText(controlSqlite)}`,
    filterSqlite.median <= 1.03,
  ),
  goal(
    `(b) PostgreSQL: md filter without RLS (rls: false) time vs hand-written WHERE tenant_id = ? (${BIG} domains, uniform)`,
    '≤ 1.03×',
    `${spreadOf(filterPg)}${controlText(controlPg)}; Node CPU / req ${fmt.x(cpuPg.median)}`,
    filterPg.median <= 1.03,
  ),
  goal(
    `(c) PostgreSQL: md with RLS req/s vs the same strategy with rls: false (${BIG} domains, uniform)`,
    '≥ 0.90×',
    `${spreadOf(rlsRatio)}${controlText(controlPg)}`,
    rlsRatio.median >= 0.9,
  ),
];

const rowsOf = (backend, samples) =>
  Object.entries(samples).map(([name, results]) => [
    backend,
    name,
    fmt.int(med(results, 'rps')),
    fmt.ms(med(results, 'p50')),
    fmt.ms(med(results, 'p99')),
    fmt.us(med(results, 'cpuUs')),
    fmt.us(pooled(results, 'gcUs')),
  ]);

const chartValues = (database, samples) =>
  Object.entries(samples).map(([variant, r]) => ({ database, variant, rps: med(r, 'rps') }));

writeResults('routing-row', started, {
  title: 'Connection routing: row-level strategy (shared tables, tenant_id)',
  method: `In-process closed loop, ${CONCURRENCY} concurrent requests, each \`site.run(domain, handler)\` where the handler reads the 10 newest rows of the domain and writes one (${ROWS_PER_DOMAIN} seeded rows per domain). A warm-up of ${WARM_MS} ms per variant, then ${ROUNDS} rounds of ${MS} ms per variant, variants interleaved (order rotated each round); req/s, p50/p99, Node's CPU per request (every thread of the process; the database server's not included) are medians over rounds; the main thread's GC pauses per request are over all rounds together, ratios the median of per-round ratios (IQR beside). ${controlMethod('the hand-written variant')} It is said beside each goal. Domain picks: uniform, or Zipf (s = 1). The hand-written variant is plain MikroORM on the same table with an explicit \`{ tenantId }\` condition (and sets tenant_id on insert itself); on PostgreSQL it connects as the table owner to the database of the \`rls: false\` site (the same tables, no policy). md with RLS runs on a database of its own with the same rows, its request role under FORCE'd policies, the signed \`md.domain\` sent transaction-local in the same write as the first statement of each connection checkout (and of each statement outside a transaction): no round trip of its own. SQLite files on ${tmpdir()} (a disk: every commit waits for its fsync). Load average at start ${loadAtStart.join(' / ')}, at the end in the header.`,
  goals,
  tables: [
    {
      title: 'Throughput and latency',
      lines: table(
        [
          'database',
          'variant · domains · traffic',
          'req/s',
          'p50',
          'p99',
          'Node CPU / req',
          'GC pause / req',
        ],
        [...rowsOf('SQLite', sqlite), ...rowsOf('PostgreSQL', postgres)],
      ),
    },
    {
      title: 'Ratios (median of per-round ratios, spread)',
      lines: table(
        ['comparison', 'median', 'spread'],
        [
          ['(a) SQLite: md filter time / hand-written time', filterSqlite],
          ['(b) PostgreSQL: md rls: false time / hand-written time', filterPg],
          ['(b) PostgreSQL: md rls: false Node CPU / hand-written Node CPU, per request', cpuPg],
          ['control, SQLite: hand-written req/s, measured twice as two variants', controlSqlite],
          ['control, PostgreSQL: hand-written req/s, measured twice as two variants', controlPg],
          ['(c) PostgreSQL: md with RLS req/s / md rls: false req/s', rlsRatio],
          ['PostgreSQL: md with RLS req/s / hand-written req/s', rlsVsHand],
          [`SQLite: req/s ${BIG} domains / ${SMALL} domains`, sizeSqlite],
          [`PostgreSQL (RLS): req/s ${BIG} domains / ${SMALL} domains`, sizePg],
        ].map(([label, r]) => [label, fmt.x(r.median), fmt.spread(r)]),
      ),
    },
  ],
  charts: [
    {
      title: 'Row-level: requests per second by variant (median of rounds)',
      spec: {
        width: 360,
        data: { values: [...chartValues('SQLite', sqlite), ...chartValues('PostgreSQL', postgres)] },
        mark: 'bar',
        encoding: {
          row: { field: 'database', type: 'nominal', title: null },
          y: { field: 'variant', type: 'nominal', title: null },
          x: { field: 'rps', type: 'quantitative', title: 'requests per second' },
        },
        resolve: { scale: { y: 'independent' } },
      },
    },
  ],
  samples: { sqlite, postgres },
  settings: { rounds: ROUNDS, ms: MS, sizes: SIZES, loadAtStart },
});
process.exit(0);
