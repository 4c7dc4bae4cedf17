// What the HTTP benchmark and the profiler share: starting one variant's
// server in its own Node process (on a core of its own choosing, see
// lib/cpu.mjs), and loading it with autocannon or, for measured rounds,
// with wrk on the server's core.
import { execFile, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { BENCH_DIR } from '../lib/common.mjs';
import { onCore, processCpuNs } from '../lib/cpu.mjs';
import { DOMAINS, hostOf } from './apps.mjs';

export const CONNECTIONS = 10;

/**
 * Starts `node [nodeArgs] server.mjs <framework> <variant>` (`node`: this Node unless given), on `core`
 * when given; resolves with `{ child, port, lines }` once it listens (`lines` yields its later stdout lines).
 * Every child is added to `children`, so the caller can kill them all on exit.
 */
export function startServer(
  framework,
  variant,
  { node = process.execPath, nodeArgs = [], children, core } = {},
) {
  const args = [...nodeArgs, join(BENCH_DIR, 'http/server.mjs'), framework, variant];
  const [command, commandArgs] = core === undefined ? [node, args] : onCore(core, node, args);
  const child = spawn(command, commandArgs, { stdio: ['pipe', 'pipe', 'inherit'] });
  children?.add(child);
  const waiting = [];
  const lines = [];
  const next = () =>
    new Promise((resolve) => {
      if (lines.length > 0) resolve(lines.shift());
      else waiting.push(resolve);
    });
  return new Promise((resolve, reject) => {
    let buffer = '';
    let port;
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf('\n');
        if (port === undefined) {
          port = JSON.parse(line).port;
          resolve({ child, port, next });
        } else if (waiting.length > 0) waiting.shift()(line);
        else lines.push(line);
      }
    });
    child.on('exit', (code) => {
      if (port === undefined) reject(new Error(`${framework} ${variant} server exited (${code})`));
    });
  });
}

/** Loads one server: `{ duration: seconds }` or `{ amount: requests }`; every connection cycles over the 100 Host headers. */
export function loadServer(port, bound) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections: CONNECTIONS,
        ...bound,
        requests: Array.from({ length: DOMAINS }, (_, i) => ({
          method: 'GET',
          path: '/hello',
          headers: { host: hostOf(i) },
        })),
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

let hostsScript;
/** wrk's Lua script: requests cycling over the 100 Host headers, and the summary as one JSON line. */
function wrkScript() {
  if (hostsScript !== undefined) return hostsScript;
  hostsScript = join(tmpdir(), `md-bench-wrk-${process.pid}.lua`);
  process.on('exit', () => rmSync(hostsScript, { force: true }));
  const hosts = Array.from({ length: DOMAINS }, (_, i) => JSON.stringify(hostOf(i))).join(', ');
  writeFileSync(
    hostsScript,
    `local hosts = { ${hosts} }
local i = 0
request = function()
  i = i % #hosts + 1
  return wrk.format("GET", "/hello", { ["Host"] = hosts[i] })
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('MD_WRK {"requests":%d,"us":%d,"errors":%d,"non2xx":%d,"p50":%d,"p99":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
`,
  );
  return hostsScript;
}

/**
 * One measured round with wrk (one thread, CONNECTIONS connections) on `core`, the server's own
 * core: `{ rps, p50, p99 (ms), errors, non2xx, cpuUs }`, `cpuUs` the server's CPU per request
 * (every thread of process `pid`, from the kernel's schedstat).
 */
export function wrkRound(port, { seconds, core, pid }) {
  const [command, args] = onCore(core, 'wrk', [
    '-t1',
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    '-s',
    wrkScript(),
    `http://127.0.0.1:${port}/hello`,
  ]);
  const cpu0 = processCpuNs(pid);
  return new Promise((resolve, reject) => {
    execFile(command, args, (error, stdout) => {
      const cpu1 = processCpuNs(pid);
      if (error) return reject(error);
      const line = stdout.split('\n').find((l) => l.startsWith('MD_WRK '));
      if (line === undefined) return reject(new Error(`wrk printed no summary: ${stdout}`));
      const r = JSON.parse(line.slice('MD_WRK '.length));
      resolve({
        rps: r.requests / (r.us / 1e6),
        p50: r.p50 / 1000,
        p99: r.p99 / 1000,
        errors: r.errors,
        non2xx: r.non2xx,
        cpuUs: cpu0 === undefined ? undefined : (cpu1 - cpu0) / 1000 / r.requests,
      });
    });
  });
}
