import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';

const run = promisify(execFile);
const runner = new URL('../run.mjs', import.meta.url).pathname;

// Benchmarks are never tests: this only checks that the runner runs one
// cheap benchmark end to end and writes results of the documented shape.
// Timing values are not asserted. Needs the built packages (`pnpm build`).
describe('pnpm bench runner (smoke)', () => {
  it('runs the services benchmark with --smoke and writes its results', async () => {
    const out = mkdtempSync(join(tmpdir(), 'md-bench-'));
    onTestFinished(() => rmSync(out, { recursive: true, force: true }));
    await run(process.execPath, [runner, 'services', '--smoke'], {
      env: { ...process.env, MD_BENCH_RESULTS: out },
      timeout: 18_000,
    });
    const result = JSON.parse(readFileSync(join(out, 'services.json'), 'utf8'));
    expect(result).toMatchObject({ name: 'services', mode: 'smoke', title: expect.any(String) });
    expect(result.machine).toMatchObject({ node: process.version, cores: expect.any(Number) });
    expect(result.goals.length).toBeGreaterThan(0);
    for (const g of result.goals) {
      expect(g).toEqual({
        goal: expect.any(String),
        target: expect.any(String),
        measured: expect.any(String),
        met: expect.any(Boolean),
      });
    }
    expect(result.charts[0].spec).toHaveProperty('data.values');
    expect(readFileSync(join(out, 'services.md'), 'utf8')).toContain('| goal | target | measured | result |');
    const summary = JSON.parse(readFileSync(join(out, 'run-last.json'), 'utf8'));
    expect(summary.runs).toEqual([expect.objectContaining({ name: 'services', code: 0 })]);
  }, 20_000);
});
