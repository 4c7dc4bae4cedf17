// Instructions per request with valgrind callgrind, one process per variant:
// start-up and a long warm-up run with instrumentation off (near-native
// speed, so the JIT tiers settle), then `callgrind_control -i on`, then
// passes of a fixed number of requests, each cut out exactly by callgrind
// dumps (see inproc.mjs), until the last two agree within 1% (or a fixed number: `fixed`). Instruction counts do not depend on how
// busy the machine is, which makes them the primary measure on a shared one.
//   node callgrind.mjs <framework> <variant> [warmup] [requests] [max passes] [settle]   (a check by hand)
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BENCH_DIR, installed } from '../lib/common.mjs';

const execFileP = promisify(execFile);

// --predictable: one thread, no concurrent compilation or GC, fixed hash seed.
// --no-memory-reducer: V8's memory reducer starts full GCs on a wall-clock
// timer when the allocation rate looks low; under valgrind's slowdown that
// fires where natively it would not, and turns a count into a count of timers.
// The young generation is Node's own (no --max-semi-space-size): V8 pays a
// fixed cost per scavenge (the root scan; IterateObjectCache alone is ~300,000
// instructions here), so a smaller young generation charges every allocated
// byte several times what it costs in production. With 2 MB (this harness
// until December 2026) the floor ran 254 scavenges per 40,000 requests
// against 24 with Node's default, and GC was ~4% of its count instead of
// ~0.4%. A scavenge more or less moves a pass of 3,000 requests by ~0.3%, a
// full GC by 2–5%: http.bench.mjs counts every variant over the same fixed
// passes (`fixed`).
export const NODE_FLAGS = (process.env.MD_CG_NODE_FLAGS ?? '--predictable --no-memory-reducer')
  .split(' ')
  .filter(Boolean);

/** True when valgrind and callgrind_control are on PATH. */
export function haveCallgrind() {
  return installed('valgrind') && installed('callgrind_control');
}

/** (max − min) / mean of two counts. */
const apart = (a, b) => Math.abs(a - b) / ((a + b) / 2);

/**
 * The instructions of each dump the child asked for (cg.1, cg.2, …, each cut
 * by a call to os.loadavg()), in order; the dump at exit is left out.
 */
function dumpTotals(dir) {
  return readdirSync(dir)
    .filter((f) => /^cg\.\d+$/.test(f))
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .filter((text) => text.includes('Trigger: --dump-before=uv_loadavg'))
    .map((text) => Number(/^summary: (\d+)/m.exec(text)?.[1] ?? Number.NaN));
}

/**
 * Counts one variant: passes of `requests` requests until the last two agree
 * within `agree` (the passes before them are more warm-up: V8 still compiles
 * now and then after the uninstrumented warm-up, and one TurboFan job is
 * millions of instructions), at most `passes` of them. Answers `{ passes:
 * [the last two, instructions per request], mean, agreement, spread, ran,
 * all, seconds }`, `agreement` being (max − min) / mean of the last two.
 * `fixed`: exactly `passes` passes, every one but the first counted (their
 * mean), `agreement` that of the closest two of them: with Node's own young
 * generation a GC lands in whole events, in some passes and not others, and
 * at the same passes for variants that allocate alike (--predictable), so a
 * fixed set of passes charges each variant its GC where "the first two that
 * agree" would pick two passes without one. `script` (under
 * benchmarks/) is the child: `<framework> <variant> <warmup> <settle>
 * <requests> <passes> <ready-file>`, speaking ../lib/counted-passes.mjs.
 */
export async function countInstructions(
  framework,
  variant,
  {
    warmup,
    settle = 500,
    requests,
    passes = 6,
    agree = 0.01,
    fixed = false,
    timeoutMs = 600_000,
    script = 'http/inproc.mjs',
    valgrindArgs = [],
    nodeFlags = NODE_FLAGS,
    keep = process.env.MD_CG_KEEP === '1',
  },
) {
  const dir = mkdtempSync(join(tmpdir(), `md-cg-${framework}-${variant.replace(/\W/g, '')}-`));
  const started = performance.now();
  const readyFile = join(dir, 'ready.json');
  try {
    const child = spawn(
      'valgrind',
      [
        '--tool=callgrind',
        '--instr-atstart=no',
        ...valgrindArgs,
        '--dump-before=uv_loadavg',
        `--callgrind-out-file=${join(dir, 'cg')}`,
        process.execPath,
        ...nodeFlags,
        join(BENCH_DIR, script),
        framework,
        variant,
        String(warmup),
        String(settle),
        String(requests),
        String(passes),
        readyFile,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-8000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
    // The child writes readyFile after its warm-up; callgrind_control answers
    // once the instrumentation is on, and only then is the child told to go.
    let warm;
    let decided = 0;
    const poll = setInterval(() => {
      if (warm !== undefined) {
        // After pass k (k ≥ 2) the child waits for a word: stop when the last two agree.
        const progress = `${readyFile}.pass`;
        const k = existsSync(progress) ? Number(readFileSync(progress, 'utf8')) : 0;
        if (k <= decided) return;
        decided = k;
        const perPass = dumpTotals(dir).slice(1, 1 + k);
        const done = fixed ? k >= passes : apart(perPass[k - 2], perPass[k - 1]) <= agree;
        child.kill(done ? 'SIGTERM' : 'SIGUSR2');
        return;
      }
      if (!existsSync(readyFile)) return;
      warm = JSON.parse(readFileSync(readyFile, 'utf8'));
      execFileP('callgrind_control', ['-i', 'on', String(child.pid)]).then(
        () => child.kill('SIGUSR2'),
        (error) => {
          stderr += `\ncallgrind_control: ${error.message}`;
          child.kill('SIGKILL');
        },
      );
    }, 100);
    const code = await exited;
    clearInterval(poll);
    clearTimeout(timer);
    if (code !== 0) throw new Error(`callgrind ${framework} ${variant} exited ${code}:\n${stderr}`);
    const totals = dumpTotals(dir);
    // Dumps: 1 = wait + settle, then one per pass.
    const ran = totals.length - 1;
    const all = totals.slice(1, 1 + ran).map((t) => t / requests);
    if (ran < 2 || ran > passes || all.some((v) => !Number.isFinite(v))) {
      throw new Error(
        `callgrind ${framework} ${variant}: expected 3 to ${passes + 1} dumps, got ${totals.length}`,
      );
    }
    return {
      ...summarizePasses(all, fixed),
      ran,
      all,
      warmup,
      requests,
      warmupMs: warm?.warmupMs,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      // Kept (`keep`): the folder of the dumps, the last pass's dump and the child's pid.
      ...(keep ? { dir, lastDump: join(dir, `cg.${ran + 1}`), pid: child.pid } : {}),
    };
  } finally {
    // keep (or MD_CG_KEEP=1) keeps the dumps (for callgrind_annotate or attribute.mjs), and says where.
    if (keep) console.error(`callgrind dumps kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What a variant's passes (instructions per request, in order) count:
 * `passes` the ones counted — the last two, or with `fixed` every pass but
 * the first — their `mean`, `agreement` ((max − min) / mean of the closest
 * two of them) and `spread` ((max − min) / mean of all of them).
 */
export function summarizePasses(all, fixed = false) {
  const counted = fixed ? all.slice(1) : all.slice(-2);
  if (counted.length < 2) throw new Error(`callgrind: ${all.length} passes, too few to count`);
  const mean = counted.reduce((sum, v) => sum + v, 0) / counted.length;
  const gaps = counted.flatMap((a, i) => counted.slice(i + 1).map((b) => apart(a, b)));
  return {
    passes: counted,
    mean,
    agreement: Math.min(...gaps),
    spread: (Math.max(...counted) - Math.min(...counted)) / mean,
  };
}

/** Runs `jobs` (functions answering promises) at most `concurrency` at a time, answers in order. */
export async function pool(jobs, concurrency) {
  const results = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [framework, variant, warmup = '20000', requests = '1500', passes = '6', settle = '1500'] =
    process.argv.slice(2);
  const r = await countInstructions(framework, variant, {
    warmup: Number(warmup),
    settle: Number(settle),
    requests: Number(requests),
    passes: Number(passes),
  });
  console.log(JSON.stringify(r));
}
