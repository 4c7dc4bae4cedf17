import { tempDir } from '@md/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { md } from './run-md.js';

// md bench measures the operator's own site from md.config, not this repository's benchmarks.
let dir: string;
const env = () => ({ MD_TEST_DIR: dir, MD_TEST_STAGE: '1', MD_TEST_DOMAINS: '12' });
const names = Array.from({ length: 12 }, (_, i) => `d-${String(i).padStart(3, '0')}`);

beforeAll(async () => {
  dir = tempDir('md-cli-bench-');
  const run = await md(['provision', ...names, '--json'], env());
  expect(run.code, run.stderr).toBe(0);
});

describe('md bench', () => {
  it('measures cold and warm units of work on the configured site, within its pool budget', async () => {
    const run = await md(
      ['bench', '--domains', '12', '--seconds', '0.5', '--concurrency', '4', '--json'],
      env(),
    );
    expect(run.code, run.stderr).toBe(0);
    const report = run.json.bench;
    expect(report.strategy).toBe('database-per-domain');
    expect(report.domains).toBe(12);
    expect(report.cold.p50).toBeGreaterThan(0);
    expect(report.cold.max).toBeGreaterThanOrEqual(report.cold.p99);
    expect(report.warm.requests).toBeGreaterThan(12);
    expect(report.warm.rps).toBeGreaterThan(0);
    expect(report.warm.p99).toBeGreaterThanOrEqual(report.warm.p50);
    // The fixture's budget is 16 pools: 12 domains all fit, and the bench never went over.
    expect(report.stats.maxOpen).toBeLessThanOrEqual(16);
    expect(report.stats.maxOpen).toBeGreaterThan(0);
  });

  it('refuses a bad option with exit code 2', async () => {
    const run = await md(['bench', '--seconds', 'soon', '--json'], env());
    expect(run.code).toBe(2);
    expect(run.json.error.message).toMatch(/--seconds must be a positive number/);
  });
});
