// The test run of `pnpm test`, after lint, typecheck and build:
//  1. every Vitest project on the Node running this script (Node 24 from CI);
//  2. the suites that depend on how Node propagates AsyncLocalStorage — the
//     context tests, the adapter conformance suites and the strategy
//     conformance suites — again on Node 22 and Node 26 (AsyncContextFrame
//     changed between them), each brought from the npm registry into .node/
//     by scripts/node-env.sh when missing;
//  3. a check that no test left anything in the temp folder: every run gets a
//     fresh TMPDIR, which must be empty at the end.
// Ends with one plain line: `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBinary } from './node-binary.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const SUBSET = [
  'packages/core/test/context.test.ts',
  'packages/express/test/',
  'packages/fastify/test/',
  'packages/koa/test/',
  'packages/isolation-database/test/conformance-',
  'packages/isolation-schema/test/conformance-',
  'packages/isolation-row/test/conformance-',
];
const only = process.argv.includes('--node24-only');
// Tools the tests start would keep caches in the temp folder (tsx, Node's compile cache).
const NO_TOOL_CACHES = { TSX_DISABLE_CACHE: '1', NODE_DISABLE_COMPILE_CACHE: '1' };

/** One Vitest run in a fresh temp folder; returns its counts and what it left behind. */
function run(label, node, filters) {
  const scratch = mkdtempSync(join(tmpdir(), 'md-test-run-'));
  const tmp = join(scratch, 'tmp');
  mkdirSync(tmp);
  // Like /tmp itself: the throwaway PostgreSQL runs as a plain user (as root) and keeps its files here.
  chmodSync(scratch, 0o755);
  chmodSync(tmp, 0o1777);
  const report = join(scratch, 'report.json');
  console.log(`\n=== ${label}: ${filters.length === 0 ? 'every project' : filters.join(' ')} ===`);
  const result = spawnSync(
    node,
    [vitest, 'run', ...filters, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, TMPDIR: tmp, TEMP: tmp, TMP: tmp, ...NO_TOOL_CACHES },
    },
  );
  let counts = { passed: 0, failed: 0, skipped: 0 };
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    counts = {
      passed: json.numPassedTests,
      // A file that fails to load fails no test: count failed files too.
      failed: Math.max(json.numFailedTests, json.numFailedTestSuites),
      skipped: json.numPendingTests + json.numTodoTests,
    };
  } catch {
    counts.failed = 1; // no report: the run itself failed
  }
  if (result.status !== 0 && counts.failed === 0) counts.failed = 1;
  const left = readdirSync(tmp);
  rmSync(scratch, { recursive: true, force: true });
  return { label, ...counts, left };
}

const runs = [run(`Node ${process.versions.node}`, process.execPath, [])];
if (!only)
  for (const major of [22, 26]) {
    const node = nodeBinary(major);
    runs.push(run(`Node ${node.version.replace(/^v/, '')}`, node.path, SUBSET));
  }

let passed = 0;
let failed = 0;
console.log('\n=== summary ===');
for (const r of runs) {
  console.log(`${r.label}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
  passed += r.passed;
  failed += r.failed + r.skipped; // a skipped test hides a gap: it counts as a failure
  if (r.left.length > 0) {
    failed += 1;
    console.log(
      `${r.label}: the tests left ${r.left.length} entries in the temp folder: ${r.left.slice(0, 10).join(', ')}`,
    );
  } else {
    passed += 1;
    console.log(`${r.label}: the temp folder is empty after the run`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
