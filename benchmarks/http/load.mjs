// What the HTTP benchmark and the profiler share: starting one variant's
// server in its own Node process, and loading it with autocannon.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { BENCH_DIR } from '../lib/common.mjs';
import { DOMAINS, hostOf } from './apps.mjs';

export const CONNECTIONS = 10;

/**
 * Starts `node [nodeArgs] server.mjs <framework> <variant>` (`node`: this Node unless given); resolves with
 * `{ child, port, lines }` once it listens (`lines` yields its later stdout lines).
 * Every child is added to `children`, so the caller can kill them all on exit.
 */
export function startServer(framework, variant, { node = process.execPath, nodeArgs = [], children } = {}) {
  const child = spawn(node, [...nodeArgs, join(BENCH_DIR, 'http/server.mjs'), framework, variant], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
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
