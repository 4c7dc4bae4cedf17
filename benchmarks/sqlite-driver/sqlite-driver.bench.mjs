// The embedded SQLite driver, chosen by measurement (issue 12): node:sqlite
// (built into Node, md's default factory `nodeSqlite`) against better-sqlite3
// 13 (a native addon, installed here into benchmarks/.cache/, git-ignored).
//  - install: the first run's `npm i better-sqlite3@13` into the cache, then
//    fresh installs outside the workspace with an empty npm cache (what a
//    fresh clone pays; node:sqlite installs nothing), and, only when asked
//    with MD_BENCH_COMPILE=1, one compile from source (what a platform
//    without a prebuilt binary pays: minutes of both cores, so not part of
//    the 15-minute full run);
//  - the routing benchmark's read-10-write-1 handler through md,
//    database-per-domain on SQLite files: node:sqlite vs better-sqlite3 (both
//    WAL, md's default; node:sqlite also at synchronous=NORMAL, which is what
//    better-sqlite3's build gives a WAL file), and node:sqlite with
//    journal_mode DELETE; all
//    variants interleaved in one run, each on its own identically provisioned
//    and seeded files;
//  - the driver's own limit: a raw loop per binding on one file replaying the
//    exact statements one md request sent through the binding (recorded),
//    statements prepared once, or per statement as Kysely's driver does.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createSite } from '@md/core';
import { databasePerDomain } from '@md/isolation-database';
import { nodeSqlite, sqliteDialect } from '@md/mikro-orm';
import { MikroORM } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sql';
import {
  deadline,
  fmt,
  goal,
  interleave,
  loadAverage,
  median,
  pairwiseRatio,
  pick,
  quantile,
  summarize,
  table,
  writeResults,
} from '../lib/common.mjs';
import { createProductEntity, domainName, handler, med, runRounds, seed } from '../routing/lib.mjs';
import {
  betterSqliteFactory,
  fileJournalKind,
  recordingFactory,
  SYNCHRONOUS,
  withJournalMode,
  withOpenPragmas,
} from './bindings.mjs';
import { compileFromSource, ensureBetterSqlite, freshInstalls, SPEC } from './install.mjs';

const started = performance.now();
deadline(pick({ smoke: 120_000, quick: 120_000, full: 700_000 }), 'sqlite-driver');
const ROUNDS = pick({ smoke: 2, quick: 5, full: 12 });
const MS = pick({ smoke: 100, quick: 100, full: 400 });
const RAW_ROUNDS = pick({ smoke: 2, quick: 5, full: 16 });
const RAW_MS = pick({ smoke: 50, quick: 100, full: 200 });
const FRESH_INSTALLS = pick({ smoke: 1, quick: 1, full: 2 });
// Opt-in: compiling better-sqlite3 with node-gyp takes minutes of both cores and measures the
// toolchain, not md; `MD_BENCH_COMPILE=1 pnpm bench sqlite-driver` adds it to any mode.
const COMPILE = process.env.MD_BENCH_COMPILE === '1';
/** Few domains, every pool stays open; many domains over a smaller budget, pools are evicted and reopened. */
const SETUPS = [
  { key: 'few', n: 10, budget: 50 },
  {
    key: 'many',
    n: pick({ smoke: 30, quick: 60, full: 200 }),
    budget: pick({ smoke: 10, quick: 20, full: 50 }),
  },
];
const roundLoad = loadAverage;
const load = { start: roundLoad() };
console.log(`load average at start: ${load.start.join(' / ')}`);

// --- install --------------------------------------------------------------
const { Database, record: cacheInstall } = await ensureBetterSqlite();
const fresh = await freshInstalls(FRESH_INSTALLS);
for (const r of fresh) {
  if (r.exitCode !== 0 || !r.installed || r.loadError !== undefined) {
    throw new Error(`fresh npm i ${SPEC} failed (exit ${r.exitCode}):\n${r.output}\n${r.loadError ?? ''}`);
  }
}
const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
const versionOf = (db) => {
  const v = db.prepare('select sqlite_version() as v').get().v;
  db.close();
  return v;
};
const sqliteVersions = {
  'node:sqlite': versionOf(new DatabaseSync(':memory:')),
  'better-sqlite3': versionOf(new Database(':memory:')),
};

// --- the handler through md -----------------------------------------------
const dir = mkdtempSync(join(os.tmpdir(), 'md-bench-sqlite-driver-'));
// The files go whatever happens (a failed run included).
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const deleteFactory = withJournalMode('delete', nodeSqlite);
const NODE = 'node:sqlite · WAL (md default)';
const NODE_NORMAL = 'node:sqlite · WAL · synchronous=NORMAL';
const BETTER = 'better-sqlite3 · WAL';
const DELETE = 'node:sqlite · DELETE';
/**
 * `sqlite: undefined` is md as shipped (its default factory, nodeSqlite).
 * better-sqlite3's build defaults a WAL file to synchronous=NORMAL
 * (SQLITE_DEFAULT_WAL_SYNCHRONOUS=1) where node:sqlite keeps SQLite's FULL,
 * so node:sqlite also runs at NORMAL to compare the bindings at the same
 * durability; the effective pragmas are read back below.
 */
const BINDINGS = {
  [NODE]: { sqlite: undefined, journal: 'wal' },
  [NODE_NORMAL]: { sqlite: withOpenPragmas(['pragma synchronous = normal'], nodeSqlite), journal: 'wal' },
  [BETTER]: { sqlite: betterSqliteFactory(Database), journal: 'wal' },
  [DELETE]: { sqlite: deleteFactory, journal: 'rollback' },
};

function fsOf(path) {
  try {
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .filter((m) => m.length > 2 && path.startsWith(m[1]))
      .sort((a, b) => b[1].length - a[1].length);
    return mounts[0] === undefined ? 'unknown' : `${mounts[0][2]} (${mounts[0][1]})`;
  } catch {
    return 'unknown';
  }
}

async function openSite(folder, n, budget, sqlite) {
  const Product = createProductEntity();
  const isolation = databasePerDomain({ driver: SqliteDriver, folder, entities: [Product], budget, sqlite });
  const names = Array.from({ length: n }, (_, i) => domainName(i));
  const site = await createSite({ isolation, domains: names.map((name) => ({ name })) });
  return { site, Product, names, isolation, folder, provisionMs: [] };
}

/** The pragmas a request pool really runs with: md's own dialect over the factory, through MikroORM. */
async function effectivePragmas(file, sqlite) {
  const orm = await MikroORM.init({
    driver: SqliteDriver,
    dbName: file,
    driverOptions: sqliteDialect(file, { create: false }, sqlite),
    entities: [createProductEntity()],
  });
  try {
    const connection = orm.em.fork().getConnection();
    const value = async (pragma) => Object.values((await connection.execute(`pragma ${pragma}`))[0])[0];
    return {
      journalMode: String(await value('journal_mode')),
      synchronous: SYNCHRONOUS[Number(await value('synchronous'))],
      cacheSize: Number(await value('cache_size')),
    };
  } finally {
    await orm.close(true);
  }
}

const sites = {};
for (const setup of SETUPS) {
  const group = {};
  for (const [binding, { sqlite }] of Object.entries(BINDINGS)) {
    group[binding] = await openSite(
      join(dir, setup.key, binding.replace(/\W+/g, '-')),
      setup.n,
      setup.budget,
      sqlite,
    );
  }
  // Provision and seed domain by domain, the bindings taking turns (same names, same seed rows).
  for (let i = 0; i < setup.n; i++) {
    const order = Object.keys(group);
    const shift = i % order.length;
    for (const binding of [...order.slice(shift), ...order.slice(0, shift)]) {
      const s = group[binding];
      const t0 = performance.now();
      await s.site.provision(s.names[i]);
      await seed(s.site, s.Product, s.names[i]);
      s.provisionMs.push(performance.now() - t0);
    }
  }
  sites[setup.key] = group;
}
if (deleteFactory.rewrites() === 0)
  throw new Error("md's WAL pragma was never seen: the DELETE variant would run WAL");

const variantName = (setup, binding) => `${setup.n} domains · budget ${setup.budget} · ${binding}`;
const variants = {};
for (const setup of SETUPS) {
  for (const binding of Object.keys(BINDINGS)) {
    const s = sites[setup.key][binding];
    variants[variantName(setup, binding)] = {
      n: setup.n,
      shape: 'uniform',
      request: (i) => s.site.run(s.names[i], () => handler(s.site.em, s.Product)),
    };
  }
}
load.beforeHandler = roundLoad();
const samples = await runRounds('sqlite-driver (md handler)', ROUNDS, MS, variants);
load.afterHandler = roundLoad();

// The statements one request sends through the binding, on a pool already open (no pragmas).
const captureFactory = recordingFactory(nodeSqlite);
const capture = await openSite(join(dir, 'capture'), 1, 5, captureFactory);
await capture.site.provision(capture.names[0]);
await seed(capture.site, capture.Product, capture.names[0]);
await capture.site.run(capture.names[0], () => handler(capture.site.em, capture.Product));
const statements = await captureFactory.record(() =>
  capture.site.run(capture.names[0], () => handler(capture.site.em, capture.Product)),
);
await capture.site.close();
if (
  !statements.some((s) => /^\s*select/i.test(s.sql)) ||
  !statements.some((s) => /^\s*insert/i.test(s.sql)) ||
  statements.some((s) => /^\s*pragma/i.test(s.sql))
) {
  throw new Error(`recorded statements are not one request's select + insert: ${JSON.stringify(statements)}`);
}

const maxOpen = {};
for (const setup of SETUPS) {
  for (const [binding, s] of Object.entries(sites[setup.key])) {
    maxOpen[variantName(setup, binding)] = s.isolation.stats().maxOpen;
    await s.site.close();
  }
}
// WAL is persistent in the file header: check every store was really used in its variant's mode.
const journalCheck = {};
for (const setup of SETUPS) {
  for (const [binding, { journal }] of Object.entries(BINDINGS)) {
    const folder = sites[setup.key][binding].folder;
    const files = readdirSync(folder).filter((f) => f.endsWith('.sqlite'));
    const wrong = files.filter((f) => fileJournalKind(join(folder, f)) !== journal);
    if (files.length === 0 || wrong.length > 0) {
      throw new Error(
        `${binding}: ${wrong.length} of ${files.length} files not in ${journal} mode: ${wrong}`,
      );
    }
    journalCheck[variantName(setup, binding)] = `${files.length} files, all ${journal}`;
  }
}
const pragmas = {};
for (const [binding, { sqlite }] of Object.entries(BINDINGS)) {
  const s = sites[SETUPS[0].key][binding];
  pragmas[binding] = await effectivePragmas(join(s.folder, `${s.names[0]}.sqlite`), sqlite);
}

const handlerRows = SETUPS.flatMap((setup) =>
  Object.keys(BINDINGS).map((binding) => {
    const name = variantName(setup, binding);
    return {
      setup: setup.key,
      domains: setup.n,
      budget: setup.budget,
      binding,
      variant: name,
      synchronous: pragmas[binding].synchronous,
      journalMode: pragmas[binding].journalMode,
      rps: med(samples[name], 'rps'),
      p50: med(samples[name], 'p50'),
      p99: med(samples[name], 'p99'),
      requests: samples[name].reduce((sum, r) => sum + r.requests, 0),
      maxOpen: maxOpen[name],
      provisionMs: median(sites[setup.key][binding].provisionMs),
    };
  }),
);

// --- raw driver loops -----------------------------------------------------
const OPENERS = {
  'node:sqlite': (f) => new DatabaseSync(f),
  'better-sqlite3': (f) => new Database(f, { fileMustExist: true }),
};
const rawName = (binding, journal, sync, once) =>
  `${binding} · ${journal.toUpperCase()} · ${sync} · ${once ? 'prepared once' : 'prepared per statement'}`;
const RAW = {};
for (const binding of Object.keys(OPENERS)) {
  for (const sync of ['FULL', 'NORMAL']) {
    for (const once of [true, false]) {
      RAW[rawName(binding, 'wal', sync, once)] = { open: OPENERS[binding], journal: 'wal', sync, once };
    }
  }
}
RAW[rawName('node:sqlite', 'delete', 'FULL', true)] = {
  open: OPENERS['node:sqlite'],
  journal: 'delete',
  sync: 'FULL',
  once: true,
};
const rawDir = join(dir, 'raw');
mkdirSync(rawDir);
const raw = {};
for (const [name, v] of Object.entries(RAW)) {
  const file = join(rawDir, `${name.replace(/\W+/g, '-')}.sqlite`);
  copyFileSync(join(capture.folder, `${capture.names[0]}.sqlite`), file);
  const db = v.open(file);
  db.prepare('pragma busy_timeout = 5000').all();
  db.prepare(`pragma journal_mode = ${v.journal}`).all();
  db.prepare(`pragma synchronous = ${v.sync}`).run();
  const journal = String(Object.values(db.prepare('pragma journal_mode').get())[0]);
  const sync = SYNCHRONOUS[Number(Object.values(db.prepare('pragma synchronous').get())[0])];
  if (journal !== v.journal || sync !== v.sync)
    throw new Error(`${name}: journal_mode ${journal}, synchronous ${sync}`);
  const prepared = v.once ? statements.map((s) => db.prepare(s.sql)) : null;
  const op = () => {
    for (let k = 0; k < statements.length; k++) {
      const s = statements[k];
      const statement = prepared === null ? db.prepare(s.sql) : prepared[k];
      if (s.reader) statement.all(...s.params);
      else statement.run(...s.params);
    }
  };
  op();
  raw[name] = { db, op, file, journal: v.journal };
}
load.beforeRaw = roundLoad();
const rawSamples = await interleave(RAW_ROUNDS, Object.keys(RAW), async (name) => {
  const { op } = raw[name];
  const latencies = [];
  const t0 = performance.now();
  const until = t0 + RAW_MS;
  let now = t0;
  while (now < until) {
    op();
    const t = performance.now();
    latencies.push((t - now) * 1000);
    now = t;
  }
  // Yield between variants (timers, and the other processes on these cores).
  await new Promise((resolve) => setImmediate(resolve));
  return {
    opsPerSec: latencies.length / ((now - t0) / 1000),
    p50Us: median(latencies),
    p99Us: quantile(latencies, 0.99),
    ops: latencies.length,
  };
});
load.afterRaw = roundLoad();
for (const { db, file, journal } of Object.values(raw)) {
  db.close();
  const kind = fileJournalKind(file);
  if (kind !== (journal === 'wal' ? 'wal' : 'rollback'))
    throw new Error(`${file}: ${kind}, expected ${journal}`);
}
const rawRows = Object.keys(RAW).map((name) => ({
  variant: name,
  opsPerSec: median(rawSamples[name].map((r) => r.opsPerSec)),
  p50Us: median(rawSamples[name].map((r) => r.p50Us)),
  p99Us: median(rawSamples[name].map((r) => r.p99Us)),
}));
rmSync(dir, { recursive: true, force: true });

// --- compile from source (last: it loads both cores) -----------------------
const compile = COMPILE ? await compileFromSource() : null;
load.end = roundLoad();

// --- results --------------------------------------------------------------
const rpsOf = (setup, binding) => samples[variantName(setup, binding)].map((r) => r.rps);
/** b / a per round, for every setup. */
const handlerRatio = (a, b) =>
  Object.fromEntries(SETUPS.map((setup) => [setup.key, pairwiseRatio(rpsOf(setup, a), rpsOf(setup, b))]));
const ratios = {
  nodeVsBetter: handlerRatio(BETTER, NODE),
  nodeNormalVsBetter: handlerRatio(BETTER, NODE_NORMAL),
  fullVsNormal: handlerRatio(NODE_NORMAL, NODE),
  walVsDelete: handlerRatio(DELETE, NODE),
};
const RATIO_LABELS = {
  nodeVsBetter: `node:sqlite (md default, synchronous=${pragmas[NODE].synchronous}) / better-sqlite3 (synchronous=${pragmas[BETTER].synchronous})`,
  nodeNormalVsBetter: `node:sqlite at synchronous=${pragmas[NODE_NORMAL].synchronous} / better-sqlite3 at synchronous=${pragmas[BETTER].synchronous}`,
  fullVsNormal: `node:sqlite: synchronous=${pragmas[NODE].synchronous} / synchronous=${pragmas[NODE_NORMAL].synchronous}`,
  walVsDelete: 'node:sqlite: WAL / DELETE (both md default synchronous)',
};
const opsOf = (name) => rawSamples[name].map((r) => r.opsPerSec);
const rawRatioRows = [
  ...['FULL', 'NORMAL'].flatMap((sync) =>
    [true, false].map((once) => ({
      label: `${sync}, ${once ? 'prepared once' : 'prepared per statement'}: node:sqlite / better-sqlite3`,
      ratio: pairwiseRatio(
        opsOf(rawName('better-sqlite3', 'wal', sync, once)),
        opsOf(rawName('node:sqlite', 'wal', sync, once)),
      ),
    })),
  ),
  {
    label: 'node:sqlite, FULL, prepared once: WAL / DELETE',
    ratio: pairwiseRatio(
      opsOf(rawName('node:sqlite', 'delete', 'FULL', true)),
      opsOf(rawName('node:sqlite', 'wal', 'FULL', true)),
    ),
  },
];
const installSeconds = summarize(fresh.map((r) => r.seconds));
const allPrebuilt = fresh.every((r) => r.binaryKind === 'prebuilt binary shipped inside the npm package');
const few = SETUPS[0];
const s1 = (v) => v.toFixed(1);
const x = (r) => `${fmt.x(r.median)} (rounds ${fmt.x(r.min)}–${fmt.x(r.max)})`;

const goals = [
  goal(
    `a fresh \`npm i ${SPEC}\` (empty npm cache, outside the workspace) needs no compiler`,
    'no native build',
    `${[...new Set(fresh.map((r) => r.binaryKind))].join('; ')}; ${fresh.map((r) => `${s1(r.seconds)} s`).join(', ')} (median ${s1(installSeconds.median)} s)`,
    allPrebuilt,
  ),
  goal(
    `md handler, ${few.n} domains, each binding as it opens md's files: ${RATIO_LABELS.nodeVsBetter}, req/s`,
    '≥ 0.95×',
    x(ratios.nodeVsBetter.few),
    ratios.nodeVsBetter.few.median >= 0.95,
  ),
  goal(
    `md handler, ${few.n} domains, same durability: ${RATIO_LABELS.nodeNormalVsBetter}, req/s`,
    '≥ 0.95×',
    x(ratios.nodeNormalVsBetter.few),
    ratios.nodeNormalVsBetter.few.median >= 0.95,
  ),
  goal(
    `md handler, ${few.n} domains, ${RATIO_LABELS.walVsDelete}, req/s`,
    '≥ 1.00× (WAL unless measured worse)',
    x(ratios.walVsDelete.few),
    ratios.walVsDelete.few.median >= 1,
  ),
];

const installRows = [
  [
    cacheInstall.installedNow
      ? 'first run: into benchmarks/.cache (this run)'
      : `first run: into benchmarks/.cache (${cacheInstall.date.slice(0, 16)}, reused)`,
    `${s1(cacheInstall.seconds)} s`,
    cacheInstall.npmCache,
    cacheInstall.binaryKind,
    String(cacheInstall.exitCode),
  ],
  ...fresh.map((r, i) => [
    `fresh folder outside the workspace, run ${i + 1}`,
    `${s1(r.seconds)} s`,
    r.npmCache,
    r.binaryKind,
    String(r.exitCode),
  ]),
  compile === null
    ? [
        'compile from source (`npm run build-release`, node-gyp)',
        'not run (MD_BENCH_COMPILE=1)',
        '–',
        '–',
        '–',
      ]
    : [
        'compile from source (`npm run build-release`, node-gyp)',
        `${s1(compile.seconds)} s`,
        'after a fresh install',
        compile.loads ? 'compiled binary loads' : '**compiled binary did not load**',
        String(compile.exitCode),
      ],
];
const loadLine = Object.entries(load)
  .map(([k, v]) => `${k} ${v.join(' / ')}`)
  .join(' · ');

writeResults('sqlite-driver', started, {
  title: 'The embedded SQLite driver: node:sqlite vs better-sqlite3',
  method: `node:sqlite (built into Node ${process.version}, SQLite ${sqliteVersions['node:sqlite']}, md's default factory \`nodeSqlite\`) against ${SPEC} (${cacheInstall.version}, SQLite ${sqliteVersions['better-sqlite3']}, through a factory \`(location, { create }) => new Database(path, { fileMustExist: !create })\`). **Install**: node:sqlite installs nothing. better-sqlite3: \`npm i ${SPEC}\` timed in ${FRESH_INSTALLS} fresh folder(s) under ${os.tmpdir()} (outside the workspace, own \`{"private":true}\` package.json, empty npm cache, npm_config_nodedir ${process.env.npm_config_nodedir === undefined ? 'unset' : 'set to the Node headers'}); the binary actually loaded is reported; ${COMPILE ? 'a compile from source with node-gyp is timed too (MD_BENCH_COMPILE=1)' : 'a compile from source with node-gyp is timed only with MD_BENCH_COMPILE=1'}. **Handler**: the routing benchmark's read-10-write-1 handler through md, database-per-domain on SQLite files (${fsOf(dir)}), ${SETUPS.map((s) => `${s.n} domains · budget ${s.budget}`).join(' and ')}, uniform traffic, 8 concurrent requests, every variant on its own files provisioned and seeded the same way (bindings taking turns per domain); DELETE is md with its \`journal_mode = wal\` pragma answered by \`journal_mode = delete\` (the strategy has no journal option), and every file's header is checked afterwards; better-sqlite3's build opens a WAL file at synchronous=NORMAL (SQLITE_DEFAULT_WAL_SYNCHRONOUS=1) where node:sqlite keeps SQLite's FULL, so a fourth variant runs node:sqlite with \`pragma synchronous = normal\` on open to compare the bindings at equal durability (each variant's journal mode and synchronous are read back through md's own dialect and shown). ${ROUNDS} rounds of ${MS} ms per variant, all ${Object.keys(variants).length} variants interleaved (order rotated each round); req/s and p50/p99 are medians over rounds, ratios the median of per-round ratios. **Raw loop**: one file per variant (a copy of a seeded store), synchronous, replaying the ${statements.length} statements one md request sent through the binding, prepared once or per statement (as Kysely's SQLite driver does), at synchronous FULL and NORMAL (set and read back); ${RAW_ROUNDS} interleaved rounds of ${RAW_MS} ms. Load average (2 cores): ${loadLine}.`,
  goals,
  tables: [
    {
      title: `Installing ${SPEC}`,
      lines: table(['install', 'seconds', 'npm cache', 'binary', 'exit'], installRows, [
        '---',
        '---:',
        '---',
        '---',
        '---:',
      ]),
    },
    {
      title: 'md handler (read 10, write 1): throughput and latency',
      lines: table(
        [
          'domains · budget · binding',
          'journal · synchronous (as md opens it)',
          'req/s',
          'p50',
          'p99',
          'max pools open',
          'provision + seed / domain',
        ],
        handlerRows.map((r) => [
          r.variant,
          `${r.journalMode} · ${r.synchronous}`,
          fmt.int(r.rps),
          fmt.ms(r.p50),
          fmt.ms(r.p99),
          `${r.maxOpen} / ${r.budget}`,
          fmt.ms(r.provisionMs),
        ]),
      ),
    },
    {
      title: 'md handler: ratios of req/s (median of per-round ratios)',
      lines: table(
        ['domains · budget', 'comparison', 'median', 'spread'],
        SETUPS.flatMap((setup) =>
          Object.keys(ratios).map((k) => [
            `${setup.n} · ${setup.budget}`,
            RATIO_LABELS[k],
            fmt.x(ratios[k][setup.key].median),
            fmt.spread(ratios[k][setup.key]),
          ]),
        ),
      ),
    },
    {
      title: 'Raw driver loop (one file, the statements of one request, no ORM)',
      lines: [
        ...table(
          ['binding · journal · synchronous · statements', 'requests/s', 'p50', 'p99'],
          rawRows.map((r) => [r.variant, fmt.int(r.opsPerSec), fmt.us(r.p50Us), fmt.us(r.p99Us)]),
        ),
        '',
        ...table(
          ['comparison', 'median', 'spread'],
          rawRatioRows.map((r) => [r.label, fmt.x(r.ratio.median), fmt.spread(r.ratio)]),
        ),
        '',
        'Statements replayed (recorded from one md request):',
        '',
        ...statements.map((s) => `- \`${s.sql}\` ${JSON.stringify(s.params)}`),
      ],
    },
  ],
  charts: [
    {
      title: 'md handler: req/s by binding (median of rounds)',
      spec: {
        width: 360,
        data: {
          values: handlerRows.map((r) => ({ ...r, setup: `${r.domains} domains · budget ${r.budget}` })),
        },
        mark: 'bar',
        encoding: {
          row: { field: 'setup', type: 'nominal', title: null },
          y: { field: 'binding', type: 'nominal', title: null },
          x: { field: 'rps', type: 'quantitative', title: 'requests per second' },
        },
      },
    },
    {
      title: 'Raw driver loop: requests per second (median of rounds)',
      spec: {
        width: 360,
        data: { values: rawRows },
        mark: 'bar',
        encoding: {
          y: { field: 'variant', type: 'nominal', title: null, sort: null },
          x: { field: 'opsPerSec', type: 'quantitative', title: 'requests per second (no ORM)' },
        },
      },
    },
  ],
  load,
  sqliteVersions,
  install: { cache: cacheInstall, fresh, installSeconds, compile },
  handler: { rows: handlerRows, samples, ratios, pragmas, journalCheck },
  raw: { rows: rawRows, samples: rawSamples, ratios: rawRatioRows, statements },
  settings: {
    rounds: ROUNDS,
    ms: MS,
    rawRounds: RAW_ROUNDS,
    rawMs: RAW_MS,
    setups: SETUPS,
    freshInstalls: FRESH_INSTALLS,
  },
});
process.exit(0);
