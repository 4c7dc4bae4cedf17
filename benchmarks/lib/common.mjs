// What every benchmark shares: the run mode, the statistics (medians, spread,
// pairwise ratios of interleaved rounds), the machine description and the
// results writer (benchmarks/results/<name>.json + .md, one shape for all).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = join(BENCH_DIR, '..');

/** Where results go: `MD_BENCH_RESULTS` (the smoke test points it at a temporary folder) or benchmarks/results. */
export function resultsDir() {
  return process.env.MD_BENCH_RESULTS ?? join(BENCH_DIR, 'results');
}

/**
 * The run mode from argv: `--smoke` (seconds, for the smoke test), `--quick`
 * (the whole set under 2 minutes) or full (the default, under 15 minutes).
 */
export function runMode(argv = process.argv) {
  if (argv.includes('--smoke')) return 'smoke';
  if (argv.includes('--quick')) return 'quick';
  return 'full';
}

/** Picks the setting of the current mode: `pick({ smoke: 1, quick: 3, full: 10 })`. */
export function pick(settings, mode = runMode()) {
  return settings[mode];
}

export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Linear-interpolated quantile, q in [0, 1]. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Median with its spread: min, max and the interquartile range. */
export function summarize(values) {
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    p25: quantile(values, 0.25),
    p75: quantile(values, 0.75),
    n: values.length,
  };
}

/**
 * The median of the per-round ratios b[i] / a[i] with its spread: rounds
 * were interleaved, so each ratio compares two runs made seconds apart,
 * which cancels most of the drift of a shared machine.
 */
export function pairwiseRatio(a, b) {
  const ratios = a.map((value, i) => b[i] / value);
  return { ...summarize(ratios), ratios };
}

/**
 * Runs `rounds` rounds; in each, every variant once, in an order that
 * rotates every round so no variant always runs first (A B, B A, …).
 * `run(variant, round)` returns a number (or an object) recorded per variant.
 */
export async function interleave(rounds, variants, run, onRound) {
  const samples = Object.fromEntries(variants.map((v) => [v, []]));
  for (let round = 0; round < rounds; round++) {
    const shift = round % variants.length;
    const order = [...variants.slice(shift), ...variants.slice(0, shift)];
    for (const variant of order) samples[variant].push(await run(variant, round));
    onRound?.(round);
  }
  return samples;
}

/**
 * Whether the tool `command` is installed: `command args` ran at all, whatever
 * its exit code (`wrk --version` exits 1).
 */
export function installed(command, args = ['--version']) {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch (error) {
    return error.code !== 'ENOENT';
  }
}

/** The machine, as the report describes it. */
/** The load average (1, 5 and 15 minutes), to two decimals: said beside every measurement. */
export function loadAverage() {
  return os.loadavg().map((l) => Math.round(l * 100) / 100);
}

/** A set of child processes that are all killed when this process exits, whatever ends it. */
export function killedOnExit() {
  const children = new Set();
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
  return children;
}

export function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line !== undefined) cpu = line.split(':').slice(1).join(':').trim();
  } catch {
    // Not Linux: os.cpus() it is.
  }
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()}`,
    cpu,
    cores: os.cpus().length,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    loadavg: loadAverage(),
  };
}

/** A goal row: what was measured against which target, met or not. */
export function goal(label, target, measured, met) {
  return { goal: label, target, measured, met: Boolean(met) };
}

export const fmt = {
  ns: (v) => `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ns`,
  us: (v) => `${v.toFixed(v < 10 ? 2 : 1)} µs`,
  ms: (v) => `${v.toFixed(v < 10 ? 2 : 1)} ms`,
  x: (v) => `${v.toFixed(3)}×`,
  int: (v) => Math.round(v).toLocaleString('en'),
  spread: (s, f = (v) => v.toFixed(3)) => `${f(s.min)}–${f(s.max)} (IQR ${f(s.p25)}–${f(s.p75)})`,
};

/** Renders a Markdown table from a header row and rows of cells. */
export function table(header, rows, align) {
  const aligns = align ?? header.map((_, i) => (i === 0 ? '---' : '---:'));
  return [
    `| ${header.join(' | ')} |`,
    `| ${aligns.join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

/**
 * Writes results/<name>.json and results/<name>.md. `result` holds `title`,
 * `method`, `goals` (from {@link goal}), `tables` ({ title, lines }) and
 * `charts` (vega-lite specs with inline data, rendered by report.mjs), plus
 * any raw data the benchmark wants to keep.
 */
export function writeResults(name, started, result) {
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  const full = {
    name,
    mode: runMode(),
    date: new Date().toISOString(),
    durationS: Math.round((performance.now() - started) / 100) / 10,
    machine: machine(),
    ...result,
  };
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(full, null, 2)}\n`);
  const m = full.machine;
  const md = [
    `## ${full.title}`,
    '',
    `${full.date} · mode \`${full.mode}\` · ${full.durationS} s · Node ${m.node} · ${m.cpu} (${m.cores} cores) · load ${m.loadavg.join(' / ')}`,
    '',
    full.method,
    '',
    '### Goals',
    '',
    ...table(
      ['goal', 'target', 'measured', 'result'],
      full.goals.map((g) => [g.goal, g.target, g.measured, g.met ? 'met' : '**not met**']),
      ['---', '---', '---', '---'],
    ),
    '',
    ...full.tables.flatMap((t) => [`### ${t.title}`, '', ...t.lines, '']),
  ];
  writeFileSync(join(dir, `${name}.md`), `${md.join('\n')}\n`);
  console.log(md.join('\n'));
  return full;
}

/** Ends the process after `ms` whatever is still open (a benchmark is always bounded in time). */
export function deadline(ms, what) {
  const timer = setTimeout(() => {
    console.error(`${what}: still running after ${Math.round(ms / 1000)} s, giving up`);
    process.exit(2);
  }, ms);
  timer.unref();
  return timer;
}
