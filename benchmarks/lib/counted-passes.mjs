// The child side of callgrind's instruction counting (driven by
// ../http/callgrind.mjs `countInstructions`), for any in-process workload:
// 1. `warmup` runs while callgrind's instrumentation is still off
//    (near-native speed, so V8's tiers settle);
// 2. writes `readyFile` and waits for SIGUSR2 (the driver turns the
//    instrumentation on with `callgrind_control -i on` meanwhile);
// 3. `settle` runs, then up to `passes` passes of `requests` runs, each cut
//    out exactly by os.loadavg() (libuv's uv_loadavg), which callgrind dumps
//    before (--dump-before=uv_loadavg): dump 1 = wait + settle, dump 2 = pass
//    1, … From the second pass on the driver reads the dumps and answers
//    SIGTERM (the last two agree: done) or SIGUSR2 (another pass). Waiting
//    runs no JavaScript, so nothing lands in a pass. No GC is forced: a full
//    GC clears feedback and flushes code, so what follows it is not the
//    steady state.
import { renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';

/**
 * Runs the protocol above; `run(count)` performs `count` requests. Never
 * touches a stream (a first write to stdout here would change the hidden
 * classes of Node's stream objects and put a re-warm-up into pass 1).
 */
export async function countedPasses({ run, warmup, settle, requests, passes, readyFile, startedAt }) {
  // A signal listener does not keep the event loop alive: a timer does, until the signal.
  const signal = () =>
    new Promise((resolve) => {
      const alive = setInterval(() => {}, 1000);
      process.once('SIGUSR2', () => {
        clearInterval(alive);
        resolve();
      });
    });
  const go = signal();
  const t1 = performance.now();
  await run(warmup);
  writeAtomically(
    readyFile,
    JSON.stringify({ startMs: Math.round(t1 - startedAt), warmupMs: Math.round(performance.now() - t1) }),
  );
  await go;
  await run(settle);
  process.once('SIGTERM', () => process.exit(0));
  os.loadavg();
  for (let pass = 1; pass <= passes; pass++) {
    await run(requests);
    os.loadavg();
    if (pass >= 2 && pass < passes) {
      const more = signal();
      writeAtomically(`${readyFile}.pass`, String(pass));
      await more;
    }
  }
  process.exit(0);
}

/** Written beside, then renamed: the driver polls for the file and must never read it half-written. */
function writeAtomically(file, text) {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}
