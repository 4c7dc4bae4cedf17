// biome-ignore-all lint/suspicious/noExplicitAny: the CLI's JSON reports are read field by field
// Fleet measurements (issue 8), not a test: provisioning time per domain,
// a no-op `md migrate` over FLEET_DOMAINS (default 1,000) SQLite domains and
// a one-column migration over as many Postgres schemas, each through the real
// `md` command in its own process. Writes fleet.json and .md to
// benchmarks/results (or $MD_BENCH_RESULTS). `--smoke` runs 20 domains.
//
//   node --import ./packages/cli/node_modules/tsx/dist/loader.mjs --conditions=source benchmarks/fleet/fleet.ts
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from '@md/testing/postgres';
import { resultsDir, runMode } from '../lib/common.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cliDir = join(root, 'packages/cli');
const count = Number(process.env.FLEET_DOMAINS ?? (runMode() === 'smoke' ? 20 : 1000));
const concurrency = Number(process.env.FLEET_CONCURRENCY ?? 8);
const names = Array.from({ length: count }, (_, i) => `d-${String(i).padStart(4, '0')}`);

interface Run {
  code: number | null;
  wallMs: number;
  json: Record<string, any>;
}

function md(config: string, args: string[], env: Record<string, string>): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=source', 'src/bin.ts', ...args, '--config', config, '--json'],
      {
        cwd: cliDir,
        env: { ...process.env, MD_LOG_LEVEL: 'silent', FLEET_DOMAINS: String(count), ...env },
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '{}';
      resolve({ code, wallMs: performance.now() - started, json: JSON.parse(last) });
    });
  });
}

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    n: values.length,
    meanMs: Number((values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)).toFixed(1)),
    p50Ms: at(0.5),
    p95Ms: at(0.95),
    maxMs: sorted.at(-1) ?? 0,
  };
}

// Provisioning runs in chunks: one command line with 1,000 names is fine, but chunks keep each process short.
async function provisionAll(
  config: string,
  env: Record<string, string>,
): Promise<{ perDomain: number[]; wallMs: number }> {
  const perDomain: number[] = [];
  const started = performance.now();
  for (let i = 0; i < names.length; i += 250) {
    const run = await md(config, ['provision', ...names.slice(i, i + 250)], env);
    if (run.code !== 0) throw new Error(`provision failed: ${JSON.stringify(run.json)}`);
    for (const p of run.json.provisioned as Array<{ ms: number }>) perDomain.push(p.ms);
  }
  return { perDomain, wallMs: performance.now() - started };
}

const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version },
  domains: count,
  concurrency,
};

// SQLite: database per domain.
const dir = await mkdtemp(join(tmpdir(), 'md-fleet-sqlite-'));
const sqliteConfig = join(root, 'benchmarks/fleet/sqlite/md.config.ts');
const sqliteProvision = await provisionAll(sqliteConfig, { FLEET_DIR: dir });
const noop = await md(sqliteConfig, ['migrate', '--concurrency', String(concurrency)], { FLEET_DIR: dir });
results.sqlite = {
  provision: { ...stats(sqliteProvision.perDomain), wallMs: Math.round(sqliteProvision.wallMs) },
  noopMigrate: {
    exitCode: noop.code,
    upToDate: noop.json.upToDate?.length,
    failed: noop.json.failed?.length,
    migrateMs: noop.json.ms,
    wallMs: Math.round(noop.wallMs),
    perDomain: stats((noop.json.domains ?? []).map((d: { ms: number }) => d.ms)),
    goalMs: 30_000,
  },
};
console.log('sqlite', JSON.stringify(results.sqlite));
await rm(dir, { recursive: true, force: true });

// Postgres: schema per domain.
if (process.env.FLEET_SKIP_POSTGRES !== '1') {
  const server = await startPostgres();
  try {
    const url = await server.createDatabase('md_fleet');
    const pgConfig = join(root, 'benchmarks/fleet/postgres/md.config.ts');
    const pgProvision = await provisionAll(pgConfig, { FLEET_PG_URL: url, FLEET_STAGE: '1' });
    const column = await md(pgConfig, ['migrate', '--concurrency', String(concurrency), '--lock-url', url], {
      FLEET_PG_URL: url,
      FLEET_STAGE: '2',
    });
    const pgNoop = await md(pgConfig, ['migrate', '--concurrency', String(concurrency)], {
      FLEET_PG_URL: url,
      FLEET_STAGE: '2',
    });
    results.postgres = {
      provision: { ...stats(pgProvision.perDomain), wallMs: Math.round(pgProvision.wallMs) },
      oneColumnMigrate: {
        exitCode: column.code,
        migrated: column.json.migrated?.length,
        failed: column.json.failed?.length,
        migrateMs: column.json.ms,
        wallMs: Math.round(column.wallMs),
        perDomain: stats((column.json.domains ?? []).map((d: { ms: number }) => d.ms)),
        advisoryLocks: true,
        goalMs: 300_000,
      },
      noopMigrate: {
        exitCode: pgNoop.code,
        upToDate: pgNoop.json.upToDate?.length,
        migrateMs: pgNoop.json.ms,
        wallMs: Math.round(pgNoop.wallMs),
      },
    };
    console.log('postgres', JSON.stringify(results.postgres));
  } finally {
    await server.stop();
  }
}

const out: string = resultsDir();
await mkdir(out, { recursive: true });
await writeFile(join(out, 'fleet.json'), `${JSON.stringify(results, null, 2)}\n`);
const s = results.sqlite as any;
const p = results.postgres as any;
const md_ = [
  '# Fleet: provisioning and migrations across domains',
  '',
  `Measured ${results.date} on ${(results.machine as any).cpus} cores, Node ${(results.machine as any).node}; ${count} domains, \`md migrate --concurrency ${concurrency}\`, each step through the real \`md\` command (wall time includes process start and site load).`,
  '',
  '| measurement | result | goal |',
  '| --- | --- | --- |',
  `| SQLite provisioning per domain (database per domain) | mean ${s.provision.meanMs} ms, p50 ${s.provision.p50Ms} ms, p95 ${s.provision.p95Ms} ms | — |`,
  `| no-op \`md migrate\` over ${count} SQLite domains | ${(s.noopMigrate.wallMs / 1000).toFixed(1)} s wall (${(s.noopMigrate.migrateMs / 1000).toFixed(1)} s migrating), ${s.noopMigrate.upToDate} up to date | < 30 s |`,
  ...(p === undefined
    ? []
    : [
        `| Postgres provisioning per domain (schema per domain) | mean ${p.provision.meanMs} ms, p50 ${p.provision.p50Ms} ms, p95 ${p.provision.p95Ms} ms | — |`,
        `| one-column \`md migrate\` over ${count} Postgres schemas (with advisory locks) | ${(p.oneColumnMigrate.wallMs / 1000).toFixed(1)} s wall, ${p.oneColumnMigrate.migrated} migrated, ${p.oneColumnMigrate.failed} failed | < 5 min |`,
        `| no-op \`md migrate\` over ${count} Postgres schemas | ${(p.noopMigrate.wallMs / 1000).toFixed(1)} s wall | — |`,
      ]),
  '',
  'Reproduce: `node --import ./packages/cli/node_modules/tsx/dist/loader.mjs --conditions=source benchmarks/fleet/fleet.ts [--smoke]` (env `FLEET_DOMAINS`, `FLEET_CONCURRENCY`, `FLEET_SKIP_POSTGRES=1`).',
  '',
];
await writeFile(join(out, 'fleet.md'), md_.join('\n'));
console.log(md_.join('\n'));
