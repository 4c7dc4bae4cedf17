import { tempDir } from '@md/testing';
import { injectPostgresUrl } from '@md/testing/postgres';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { md, startMd } from './run-md.js';

// One fleet of 200 SQLite domains (database per domain) walked through four
// migrations; the tests run in order and each starts where the last one left it.
const names = Array.from({ length: 200 }, (_, i) => `d-${String(i).padStart(3, '0')}`);
let dir: string;
const env = (stage: number, extra: Record<string, string> = {}) => ({
  MD_TEST_DIR: dir,
  MD_TEST_STAGE: String(stage),
  MD_TEST_DOMAINS: '200',
  ...extra,
});

beforeAll(async () => {
  dir = tempDir('md-cli-fleet-');
  const run = await md(['provision', ...names, '--json'], env(1));
  expect(run.code, run.stderr).toBe(0);
  expect(run.json.provisioned).toHaveLength(200);
});

describe.sequential('md migrate over 200 SQLite domains', () => {
  it('reports the one failing domain, migrates the others, and a rerun finishes only what is left', async () => {
    const first = await md(
      ['migrate', '--all', '--concurrency', '8', '--drift', '--json'],
      env(2, { MD_TEST_FAIL_DOMAIN: 'd-137' }),
    );
    expect(first.code).toBe(1);
    expect(first.json.failed).toEqual([{ domain: 'd-137', error: expect.stringMatching(/no_such_table/) }]);
    expect(first.json.migrated).toHaveLength(199);
    expect(first.json.migrated).not.toContain('d-137');
    // The failed migration was rolled back: its first statement left no column behind.
    expect(first.json.drift).toEqual([{ domain: 'd-137', sql: expect.stringMatching(/add column `tag`/) }]);
    expect(first.json.domains.every((d: { ms: number }) => typeof d.ms === 'number')).toBe(true);

    const rerun = await md(['migrate', '--concurrency', '8', '--drift', '--json'], env(2));
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.json.migrated).toEqual(['d-137']);
    expect(rerun.json.upToDate).toHaveLength(199);
    expect(rerun.json.failed).toEqual([]);
    expect(rerun.json.drift).toEqual([]);
  });

  it('resumes cleanly after the CLI is killed mid-run', async () => {
    const { child, done } = startMd(['migrate', '--concurrency', '4'], env(3, { MD_TEST_SLOW_MS: '40' }));
    let printed = 0;
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        printed += (chunk.toString().match(/^✓ /gm) ?? []).length;
        if (printed >= 30) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    const killed = await done;
    expect(killed.signal).toBe('SIGKILL');
    const before = (killed.stdout.match(/^✓ /gm) ?? []).length;
    expect(before).toBeGreaterThanOrEqual(30);
    expect(before).toBeLessThan(200);

    const resumed = await md(['migrate', '--concurrency', '8', '--drift', '--json'], env(3));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.json.failed).toEqual([]);
    expect(resumed.json.drift).toEqual([]);
    // What the killed run committed is skipped; at most the in-flight ones were lost and redone.
    expect(resumed.json.upToDate.length).toBeGreaterThanOrEqual(before);
    expect(resumed.json.migrated.length + resumed.json.upToDate.length).toBe(200);
    expect(resumed.json.migrated.length).toBeLessThanOrEqual(200 - before);
  });

  it('stops after a failing canary and leaves the rest untouched', async () => {
    const run = await md(
      ['migrate', '--canary', '5', '--concurrency', '2', '--json'],
      env(4, { MD_TEST_FAIL_DOMAIN: 'd-001' }),
    );
    expect(run.code).toBe(1);
    expect(run.json.canaryFailed).toBe(true);
    expect(run.json.failed.map((f: { domain: string }) => f.domain)).toEqual(['d-001']);
    expect(run.json.migrated).toEqual(['d-000', 'd-002', 'd-003', 'd-004']);
    expect(run.json.skipped).toHaveLength(195);
  });

  it('leaves a domain locked by another instance (Postgres advisory lock) to that instance', async () => {
    const url = injectPostgresUrl();
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      const { rows } = await holder.query("select pg_try_advisory_lock(hashtext('md:migrate:d-010')) as ok");
      expect(rows[0].ok).toBe(true);
      const run = await md(['migrate', '--domains', 'd-010,d-011', '--lock-url', url, '--json'], env(4));
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.locked).toEqual(['d-010']);
      expect(run.json.migrated).toEqual(['d-011']);
    } finally {
      await holder.end();
    }
    // Once released, the domain is migrated by the next run.
    const after = await md(['migrate', '--domains', 'd-010', '--lock-url', url, '--json'], env(4));
    expect(after.json.migrated).toEqual(['d-010']);
  });

  it('prints clear errors with exit code 2 for bad usage', async () => {
    const unknown = await md(['migrate', '--concurrency', 'zero'], env(4));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--concurrency takes a positive whole number/);
    const missing = await md(['migrate', '--domains', 'nope', '--json'], env(4));
    expect(missing.code).toBe(1);
    expect(missing.json.error.code).toBe('DOMAIN_NOT_FOUND');
  });
});
