// `pnpm bench [name…] [--quick | --smoke]`: runs the benchmarks, each in its
// own Node process (so one's heap, JIT state and open servers never colour
// another's numbers), each bounded in time. A name may be a prefix:
// `pnpm bench routing` runs the three routing benchmarks (an optional
// benchmark, left out of the full run, only by its own name).
//
// Benchmarks import the BUILT packages: run `pnpm build` first.
// Results: benchmarks/results/<name>.json and .md (or $MD_BENCH_RESULTS);
// `pnpm bench:report` turns them into docs/benchmarks.md.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, loadAverage, REPO_DIR, resultsDir, runMode } from './lib/common.mjs';

/** name → script, with the time limit of one run per mode (seconds). */
export const BENCHMARKS = {
  resolution: { script: 'resolution/resolution.bench.mjs', limit: { smoke: 60, quick: 30, full: 150 } },
  services: { script: 'services/services.bench.mjs', limit: { smoke: 30, quick: 15, full: 90 } },
  'lazy-em': { script: 'lazy-em/lazy-em.bench.mjs', limit: { smoke: 60, quick: 20, full: 240 } },
  // Full: ~2 min of interleaved load, then callgrind (6 processes, 1-2.5 min of a core each).
  http: { script: 'http/http.bench.mjs', limit: { smoke: 60, quick: 60, full: 600 } },
  // The same req/s comparison on Node 22 and 26 (~4.5 minutes in full mode): only when named (`pnpm bench http-nodes`).
  'http-nodes': {
    script: 'http/http.bench.mjs',
    args: ['--nodes'],
    optional: true,
    limit: { smoke: 90, quick: 120, full: 400 },
  },
  'routing-row': { script: 'routing/row.bench.mjs', limit: { smoke: 60, quick: 25, full: 180 } },
  'routing-schema': { script: 'routing/schema.bench.mjs', limit: { smoke: 60, quick: 25, full: 120 } },
  'routing-database': { script: 'routing/database.bench.mjs', limit: { smoke: 90, quick: 35, full: 160 } },
  // 10,000 schemas: ~3 minutes in full mode, so only when named (`pnpm bench schema-10k`).
  'schema-10k': {
    script: 'routing/schema.bench.mjs',
    args: ['--huge'],
    optional: true,
    limit: { smoke: 60, quick: 90, full: 400 },
  },
  // Installs better-sqlite3 into benchmarks/.cache on its first run; MD_BENCH_COMPILE=1 also compiles it once.
  // The driver choice it measured is made (issue 12) and it costs ~2.5 minutes, which the
  // 15-minute full run cannot spare: only when named (`pnpm bench sqlite-driver`).
  'sqlite-driver': {
    script: 'sqlite-driver/sqlite-driver.bench.mjs',
    optional: true,
    limit: { smoke: 90, quick: 60, full: 480 },
  },
};

function usage() {
  return `usage: pnpm bench [${Object.keys(BENCHMARKS).join('|')}]… [--quick | --smoke]`;
}

function runOne(name, mode) {
  const { script, limit, args: extra = [] } = BENCHMARKS[name];
  const args = ['--expose-gc', join(BENCH_DIR, script), `--${mode}`, ...extra];
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env: process.env, detached: true });
    // The limit is a safety net, not a measurement: a stuck benchmark (and its Postgres) is ended.
    const timer = setTimeout(
      () => {
        console.error(`\n${name}: over its ${limit[mode]} s limit, stopping it`);
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          child.kill('SIGTERM');
        }
      },
      limit[mode] * 1000 * 1.5,
    );
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({
        name,
        code: code ?? 1,
        signal,
        seconds: Math.round((performance.now() - started) / 100) / 10,
      });
    });
  });
}

async function main() {
  const argv = process.argv.slice(2);
  const mode = runMode(argv);
  const wanted = argv.filter((a) => !a.startsWith('--'));
  const defaults = Object.keys(BENCHMARKS).filter((n) => !BENCHMARKS[n].optional);
  const names = wanted.length === 0 ? defaults : [];
  for (const w of wanted) {
    // A prefix names the benchmarks of the full run it starts (`routing`); an optional one only by its name.
    const matches = Object.keys(BENCHMARKS).filter(
      (n) => n === w || (n.startsWith(`${w}-`) && !BENCHMARKS[n].optional),
    );
    if (matches.length === 0) {
      console.error(`unknown benchmark "${w}"\n${usage()}`);
      process.exit(64);
    }
    names.push(...matches);
  }
  if (!existsSync(join(REPO_DIR, 'packages/core/dist/index.js'))) {
    console.error('The benchmarks import the built packages: run `pnpm build` first.');
    process.exit(1);
  }
  const started = performance.now();
  const load = { start: loadAverage() };
  console.log(`load average at start: ${load.start.join(' / ')}`);
  const runs = [];
  for (const name of names) {
    console.log(`\n=== ${name} (${mode}) ===`);
    const run = await runOne(name, mode);
    console.log(
      `=== ${name}: ${run.code === 0 ? 'done' : `FAILED (${run.signal ?? run.code})`} in ${run.seconds} s ===`,
    );
    runs.push(run);
  }
  const total = Math.round((performance.now() - started) / 100) / 10;
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  load.end = loadAverage();
  console.log(`load average at the end: ${load.end.join(' / ')}`);
  const summary = { mode, date: new Date().toISOString(), totalSeconds: total, load, runs };
  // A partial run (one name) keeps the full set's summary.
  writeFileSync(
    join(dir, names.length === defaults.length && wanted.length === 0 ? `run-${mode}.json` : 'run-last.json'),
    `${JSON.stringify(summary, null, 2)}\n`,
  );
  console.log(`\n${runs.map((r) => `${r.name}: ${r.seconds} s${r.code === 0 ? '' : ' FAILED'}`).join('\n')}`);
  console.log(`total: ${total} s (${mode})`);
  // Timing never fails a run; only a benchmark that crashed does.
  process.exit(runs.every((r) => r.code === 0) ? 0 : 1);
}

await main();
