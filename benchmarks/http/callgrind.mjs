// Instructions per request with valgrind callgrind, one process per variant:
// start-up and a long warm-up run with instrumentation off (near-native
// speed, so the JIT tiers settle), then `callgrind_control -i on`, then
// `passes` passes of a fixed number of requests, each cut out exactly by
// callgrind dumps (see inproc.mjs). Instruction counts do not depend on how
// busy the machine is, which makes them the primary measure on a shared one.
//   node callgrind.mjs <framework> <variant> [warmup] [requests] [passes] [settle]   (a check by hand)
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BENCH_DIR } from '../lib/common.mjs';

const execFileP = promisify(execFile);

// --predictable: one thread, no concurrent compilation or GC, fixed hash seed.
// --no-memory-reducer: V8's memory reducer starts full GCs on a wall-clock
// timer when the allocation rate looks low; under valgrind's slowdown that
// fires where natively it would not, and turns a count into a count of timers.
// --max-semi-space-size=2: a young generation of at most 2 MB, so a pass holds
// a dozen scavenges rather than zero or one (at the default 16 MB, one
// scavenge more or less moves a pass of 1,500 requests by about 1%): the GC
// share of a request is then an average, not a coin toss.
export const NODE_FLAGS = (
  process.env.MD_CG_NODE_FLAGS ?? '--predictable --no-memory-reducer --max-semi-space-size=2'
)
  .split(' ')
  .filter(Boolean);

/** True when valgrind and callgrind_control are on PATH. */
export async function haveCallgrind() {
  try {
    await execFileP('valgrind', ['--version']);
    await execFileP('callgrind_control', ['--version']);
    return true;
  } catch {
    return false;
  }
}

/**
 * Counts one variant: answers `{ passes: [instructions per request…],
 * agreement, seconds }`, `agreement` being (max − min) / mean of the passes.
 */
export async function countInstructions(
  framework,
  variant,
  { warmup, settle = 500, requests, passes = 2, timeoutMs = 600_000 },
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
        '--dump-before=uv_loadavg',
        `--callgrind-out-file=${join(dir, 'cg')}`,
        process.execPath,
        ...NODE_FLAGS,
        join(BENCH_DIR, 'http/inproc.mjs'),
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
    const poll = setInterval(() => {
      if (warm !== undefined || !existsSync(readyFile)) return;
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
    const totals = readdirSync(dir)
      .filter((f) => /^cg\.\d+$/.test(f))
      .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
      .map((f) => Number(/^summary: (\d+)/m.exec(readFileSync(join(dir, f), 'utf8'))?.[1] ?? Number.NaN));
    // Dumps: 1 = wait + settle, then one per pass, and the last one (exit).
    const perPass = totals.slice(1, 1 + passes).map((t) => t / requests);
    if (perPass.length !== passes || perPass.some((v) => !Number.isFinite(v))) {
      throw new Error(
        `callgrind ${framework} ${variant}: expected ${passes + 2} dumps, got ${totals.length}`,
      );
    }
    const mean = perPass.reduce((a, b) => a + b, 0) / perPass.length;
    return {
      passes: perPass,
      mean,
      agreement: (Math.max(...perPass) - Math.min(...perPass)) / mean,
      warmup,
      requests,
      warmupMs: warm?.warmupMs,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } finally {
    // MD_CG_KEEP=1 keeps the dumps (for callgrind_annotate), and says where.
    if (process.env.MD_CG_KEEP === '1') console.error(`callgrind dumps kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
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
  const [framework, variant, warmup = '20000', requests = '1500', passes = '2', settle = '500'] =
    process.argv.slice(2);
  const r = await countInstructions(framework, variant, {
    warmup: Number(warmup),
    settle: Number(settle),
    requests: Number(requests),
    passes: Number(passes),
  });
  console.log(JSON.stringify(r));
}
