// One core for a measured process and what loads it, and the CPU time a
// process (every thread) has used so far. A server and its load generator
// on one core measure the server's CPU per request exactly (schedstat,
// nanoseconds, every thread), which the load generator's share does not
// blur. What pinning does not remove, measured on this 2-vCPU VM: the VM's
// own speed moves (a register-only loop 150–190 ms between minutes, a
// server's CPU per request 10–24 µs), on one core or two, with SCHED_BATCH
// or one connection alike; only many interleaved rounds and a control (two
// processes of the same code) tell a difference from it.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { installed } from './common.mjs';

let pinning;
/** Whether processes can be pinned (Linux with util-linux's taskset and /proc). */
export function canPin() {
  pinning ??= os.platform() === 'linux' && os.cpus().length > 1 && installed('taskset', ['-V']);
  return pinning;
}

/** The core measured processes share: the last one (the benchmark's own process is not pinned). */
export const BENCH_CORE = Math.max(0, os.cpus().length - 1);

/** `[command, args]` that runs `command args` on `core` (unpinned when pinning is not possible). */
export function onCore(core, command, args) {
  return canPin() ? ['taskset', ['-c', String(core), command, ...args]] : [command, args];
}

/**
 * Nanoseconds of CPU the process `pid` has run so far, every live thread
 * (from /proc/<pid>/task/<tid>/schedstat); undefined where /proc has no such
 * thing. Node's threads live as long as the process, so differences of two
 * readings are the CPU used in between.
 */
export function processCpuNs(pid) {
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    return ns;
  } catch {
    return undefined;
  }
}

let wrk;
/** Whether wrk (the C load generator; Debian's `wrk` package) is installed. */
export function haveWrk() {
  wrk ??= installed('wrk');
  return wrk;
}
