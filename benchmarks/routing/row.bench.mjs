// Row-level strategy: one shared table, tenant_id on every row. On SQLite:
// 10 vs 1,000 domains, uniform and Zipf traffic, and md's filter against a
// hand-written `WHERE tenant_id = ?` (plain MikroORM, explicit condition).
// On PostgreSQL: the same sizes, and md as shipped (filter + FORCE'd RLS
// policies on a transaction-local setting, app role) against no RLS (plain
// MikroORM as the table owner with the hand-written condition).
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
import { deadline, fmt, goal, pairwiseRatio, pick, table, writeResults } from '../lib/common.mjs';
import { createProductEntity, domainName, handler, med, runRounds, seed } from './lib.mjs';

const started = performance.now();
deadline(pick({ smoke: 120_000, quick: 40_000, full: 270_000 }), 'routing-row');
const ROUNDS = pick({ smoke: 2, quick: 10, full: 10 });
const MS = pick({ smoke: 100, quick: 80, full: 600 });
const SIZES = [10, pick({ smoke: 50, quick: 100, full: 1_000 })];
const [SMALL, BIG] = SIZES;
const APP_ROLE = { name: 'md_bench_app', password: 'md-bench-app' };

async function rowSite(backend, n, location) {
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

async function measure(backend, locations) {
  const small = await rowSite(backend, SMALL, locations.small);
  const big = await rowSite(backend, BIG, locations.big);
  const hand = await handWritten(backend, locations.big);
  const viaMd =
    ({ site, Product, names }) =>
    (i) =>
      site.run(names[i], () => handler(site.em, Product));
  const viaHand = (i) => {
    const tenantId = domainName(i);
    return handler(hand.orm.em.fork(), hand.Product, { tenantId }, { tenantId });
  };
  const mdName = backend === 'sqlite' ? 'md filter' : 'md filter + RLS';
  const handName = backend === 'sqlite' ? 'hand-written WHERE' : 'hand-written WHERE, no RLS';
  const variants = {
    [`${mdName} · ${SMALL} · uniform`]: { n: SMALL, shape: 'uniform', request: viaMd(small) },
    [`${mdName} · ${SMALL} · zipf`]: { n: SMALL, shape: 'zipf', request: viaMd(small) },
    [`${mdName} · ${BIG} · uniform`]: { n: BIG, shape: 'uniform', request: viaMd(big) },
    [`${mdName} · ${BIG} · zipf`]: { n: BIG, shape: 'zipf', request: viaMd(big) },
    [`${handName} · ${BIG} · uniform`]: { n: BIG, shape: 'uniform', request: viaHand },
  };
  const samples = await runRounds(`row ${backend}`, ROUNDS, MS, variants);
  await small.site.close();
  await big.site.close();
  await hand.orm.close(true);
  return { samples, mdName, handName };
}

const dir = mkdtempSync(join(tmpdir(), 'md-bench-row-'));
const sqlite = await measure('sqlite', { small: join(dir, 'small.sqlite'), big: join(dir, 'big.sqlite') });
const pg = await startPostgres();
let postgres;
try {
  postgres = await measure('postgres', {
    small: await pg.createDatabase('bench_row_small'),
    big: await pg.createDatabase('bench_row_big'),
  });
} finally {
  await pg.stop();
}

const rpsOf = (samples, name) => samples[name].map((r) => r.rps);
// Time ratio md / hand-written = rps(hand) / rps(md), per round.
const filterRatio = pairwiseRatio(
  rpsOf(sqlite.samples, `${sqlite.mdName} · ${BIG} · uniform`),
  rpsOf(sqlite.samples, `${sqlite.handName} · ${BIG} · uniform`),
);
const filterRatioPg = pairwiseRatio(
  rpsOf(postgres.samples, `${postgres.mdName} · ${BIG} · uniform`),
  rpsOf(postgres.samples, `${postgres.handName} · ${BIG} · uniform`),
);
const rlsRatio = pairwiseRatio(
  rpsOf(postgres.samples, `${postgres.handName} · ${BIG} · uniform`),
  rpsOf(postgres.samples, `${postgres.mdName} · ${BIG} · uniform`),
);
const sizeRatio = (run) =>
  pairwiseRatio(
    rpsOf(run.samples, `${run.mdName} · ${SMALL} · uniform`),
    rpsOf(run.samples, `${run.mdName} · ${BIG} · uniform`),
  );
const sizeSqlite = sizeRatio(sqlite);
const sizePg = sizeRatio(postgres);

const goals = [
  goal(
    `SQLite: md filter time vs hand-written WHERE tenant_id = ? (${BIG} domains, uniform)`,
    '≤ 1.03×',
    `${fmt.x(filterRatio.median)} (rounds ${fmt.x(filterRatio.min)}–${fmt.x(filterRatio.max)})`,
    filterRatio.median <= 1.03,
  ),
  goal(
    `PostgreSQL: md (filter + RLS) req/s vs no RLS (hand-written WHERE as owner), ${BIG} domains`,
    '≥ 0.85×',
    `${fmt.x(rlsRatio.median)} (rounds ${fmt.x(rlsRatio.min)}–${fmt.x(rlsRatio.max)})`,
    rlsRatio.median >= 0.85,
  ),
];

const rowsOf = (backend, run) =>
  Object.entries(run.samples).map(([name, results]) => [
    backend,
    name,
    fmt.int(med(results, 'rps')),
    fmt.ms(med(results, 'p50')),
    fmt.ms(med(results, 'p99')),
  ]);

writeResults('routing-row', started, {
  title: 'Connection routing: row-level strategy (shared tables, tenant_id)',
  method: `In-process closed loop, ${8} concurrent requests, each \`site.run(domain, handler)\` where the handler reads the 10 newest rows of the domain and writes one (${20} seeded rows per domain). ${ROUNDS} rounds of ${MS} ms per variant, variants interleaved (order rotated each round); req/s and p50/p99 are medians over rounds, ratios the median of per-round ratios. Domain picks: uniform, or Zipf (s = 1). The hand-written variant is plain MikroORM on the same table with an explicit \`{ tenantId }\` condition (and sets tenant_id on insert itself); on PostgreSQL it connects as the table owner, so no RLS policy applies and no per-statement transaction sets \`md.domain\`: it is the "no RLS" baseline.`,
  goals,
  tables: [
    {
      title: 'Throughput and latency',
      lines: table(
        ['database', 'variant · domains · traffic', 'req/s', 'p50', 'p99'],
        [...rowsOf('SQLite', sqlite), ...rowsOf('PostgreSQL', postgres)],
      ),
    },
    {
      title: 'Ratios (median of per-round ratios, spread)',
      lines: table(
        ['comparison', 'median', 'spread'],
        [
          ['SQLite: md filter time / hand-written time', fmt.x(filterRatio.median), fmt.spread(filterRatio)],
          [
            'PostgreSQL: md (filter + RLS) time / hand-written, no RLS',
            fmt.x(filterRatioPg.median),
            fmt.spread(filterRatioPg),
          ],
          [
            `SQLite: req/s ${BIG} domains / ${SMALL} domains`,
            fmt.x(sizeSqlite.median),
            fmt.spread(sizeSqlite),
          ],
          [`PostgreSQL: req/s ${BIG} domains / ${SMALL} domains`, fmt.x(sizePg.median), fmt.spread(sizePg)],
        ],
      ),
    },
  ],
  charts: [
    {
      title: 'Row-level: requests per second by variant (median of rounds)',
      spec: {
        width: 360,
        data: {
          values: [
            ...Object.entries(sqlite.samples).map(([v, r]) => ({
              database: 'SQLite',
              variant: v,
              rps: med(r, 'rps'),
            })),
            ...Object.entries(postgres.samples).map(([v, r]) => ({
              database: 'PostgreSQL',
              variant: v,
              rps: med(r, 'rps'),
            })),
          ],
        },
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
  samples: { sqlite: sqlite.samples, postgres: postgres.samples },
  settings: { rounds: ROUNDS, ms: MS, sizes: SIZES },
});
process.exit(0);
