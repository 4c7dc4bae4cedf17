// The binary of another Node major, brought by scripts/node-env.sh (`md_node_for`)
// into .node/v<major> from the npm registry when it is not there yet. Shared by
// the test runner (Node 22 and 26 beside 24) and the HTTP benchmark.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Answers `{ path, version }` of Node `major`; throws, saying why, when it cannot be brought. */
export function nodeBinary(major) {
  const found = spawnSync('bash', ['-c', `source scripts/node-env.sh >&2 && md_node_for ${major}`], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 180_000,
  });
  if (found.stderr) process.stderr.write(found.stderr);
  const path = found.stdout?.trim().split('\n').pop();
  if (found.status !== 0 || !path) {
    const why = found.stderr?.trim().split('\n').pop() || `exit ${found.status ?? found.signal}`;
    throw new Error(`could not bring Node ${major}: ${why}`);
  }
  return { path, version: spawnSync(path, ['-v'], { encoding: 'utf8' }).stdout.trim() };
}
