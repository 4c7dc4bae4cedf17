// Schema-per-domain strategy (PostgreSQL): one pool, the schema chosen per
// query. 1 schema against many (1,000 in the full run), each set in its own
// database so the bigger catalog only weighs on the second; uniform and
// Zipf traffic. Goal: many-schema req/s ≥ 0.95× the 1-schema req/s.
import { createSite } from '@md/core';
import { schemaPerDomain } from '@md/isolation-schema';
import { startPostgres } from '@md/testing/postgres';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { deadline, fmt, goal, pairwiseRatio, pick, table, writeResults } from '../lib/common.mjs';
import { createProductEntity, domainName, handler, med, runRounds, seed } from './lib.mjs';

const started = performance.now();
deadline(pick({ smoke: 120_000, quick: 40_000, full: 270_000 }), 'routing-schema');
const ROUNDS = pick({ smoke: 2, quick: 10, full: 10 });
const MS = pick({ smoke: 100, quick: 100, full: 1_000 });
const BIG = pick({ smoke: 20, quick: 100, full: 1_000 });

async function schemaSite(url, n) {
  const Product = createProductEntity();
  const isolation = schemaPerDomain({ driver: PostgreSqlDriver, url, entities: [Product], poolSize: 8 });
  const names = Array.from({ length: n }, (_, i) => domainName(i));
  const site = await createSite({ isolation, domains: names.map((name) => ({ name })) });
  const t0 = performance.now();
  for (const name of names) {
    await site.provision(name);
    await seed(site, Product, name);
  }
  const provisionMs = (performance.now() - t0) / n;
  return { site, Product, names, isolation, provisionMs };
}

const pg = await startPostgres();
let samples;
let one;
let many;
try {
  one = await schemaSite(await pg.createDatabase('bench_schema_one'), 1);
  many = await schemaSite(await pg.createDatabase('bench_schema_many'), BIG);
  const via =
    ({ site, Product, names }) =>
    (i) =>
      site.run(names[i], () => handler(site.em, Product));
  samples = await runRounds('schema', ROUNDS, MS, {
    '1 schema': { n: 1, shape: 'uniform', request: via(one) },
    [`${BIG} schemas · uniform`]: { n: BIG, shape: 'uniform', request: via(many) },
    [`${BIG} schemas · zipf`]: { n: BIG, shape: 'zipf', request: via(many) },
  });
  await one.site.close();
  await many.site.close();
} finally {
  await pg.stop();
}

const rps = (name) => samples[name].map((r) => r.rps);
const uniform = pairwiseRatio(rps('1 schema'), rps(`${BIG} schemas · uniform`));
const zipf = pairwiseRatio(rps('1 schema'), rps(`${BIG} schemas · zipf`));
const goals = [
  goal(
    `${BIG} schemas vs 1 schema, req/s, uniform traffic`,
    '≥ 0.95×',
    `${fmt.x(uniform.median)} (rounds ${fmt.x(uniform.min)}–${fmt.x(uniform.max)})`,
    uniform.median >= 0.95,
  ),
  goal(
    `${BIG} schemas vs 1 schema, req/s, Zipf traffic`,
    '≥ 0.95×',
    `${fmt.x(zipf.median)} (rounds ${fmt.x(zipf.min)}–${fmt.x(zipf.max)})`,
    zipf.median >= 0.95,
  ),
];

writeResults('routing-schema', started, {
  title: 'Connection routing: schema-per-domain strategy (PostgreSQL)',
  method: `In-process closed loop, 8 concurrent requests, each \`site.run(domain, handler)\`: read the 10 newest rows of the domain, write one (20 seeded rows per domain). One pool of 8 connections per site. ${ROUNDS} rounds of ${MS} ms per variant, interleaved (order rotated each round); req/s and p50/p99 are medians over rounds, ratios the median of per-round ratios. Provisioning (create schema + tables + seed) took ${fmt.ms(many.provisionMs)} per domain.`,
  goals,
  tables: [
    {
      title: 'Throughput and latency',
      lines: [
        ...table(
          ['variant', 'req/s', 'p50', 'p99'],
          Object.entries(samples).map(([v, r]) => [
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
            [`req/s ${BIG} schemas (uniform) / 1 schema`, fmt.x(uniform.median), fmt.spread(uniform)],
            [`req/s ${BIG} schemas (Zipf) / 1 schema`, fmt.x(zipf.median), fmt.spread(zipf)],
          ],
        ),
      ],
    },
  ],
  charts: [
    {
      title: 'Schema-per-domain: requests per second (median of rounds)',
      spec: {
        width: 360,
        data: { values: Object.entries(samples).map(([v, r]) => ({ variant: v, rps: med(r, 'rps') })) },
        mark: 'bar',
        encoding: {
          y: { field: 'variant', type: 'nominal', title: null, sort: null },
          x: { field: 'rps', type: 'quantitative', title: 'requests per second' },
        },
      },
    },
  ],
  samples,
  settings: { rounds: ROUNDS, ms: MS, schemas: BIG, provisionMsPerDomain: many.provisionMs },
});
process.exit(0);
