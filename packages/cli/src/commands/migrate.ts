import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { type DomainLocks, noLocks, postgresDomainLocks } from '../advisory-lock.js';
import { type Context, print, selection, usage } from '../context.js';
import { checkDrift } from '../drift.js';
import { type DomainMigrationResult, migrateFleet } from '../migrate-fleet.js';

interface MigrateFlags {
  all?: boolean;
  domains?: string;
  concurrency?: string;
  canary?: string;
  drift?: boolean;
  lockUrl?: string;
}

/** Registers `md migrate [--all | --domains a,b] [--concurrency N] [--canary N] [--drift] [--lock-url <url>]`. */
export function migrateCommand(program: Command, ctx: Context, done: (code: number) => void): void {
  program
    .command('migrate')
    .option('--all')
    .option('--domains <list>')
    .option('--concurrency <n>')
    .option('--canary <n>')
    .option('--drift')
    .option('--lock-url <url>')
    .action(async (flags: MigrateFlags) => done(await migrate(ctx, flags)));
}

async function migrate(ctx: Context, values: MigrateFlags): Promise<number> {
  const concurrency = positiveInt(values.concurrency, 'concurrency', 4);
  const canary = positiveInt(values.canary, 'canary', 0);
  const site = await ctx.site();
  const targets = selection(site, values);
  const lockUrl = values.lockUrl ?? ctx.config?.module.lockUrl ?? ctx.out.env.MD_LOCK_URL;
  const locks: DomainLocks = lockUrl === undefined ? noLocks : postgresDomainLocks(lockUrl, concurrency);
  ctx.cleanups.push(() => locks.close());

  const tty = !ctx.json && ctx.out.stderr.isTTY === true;
  const bars = tty
    ? new cliProgress.MultiBar(
        {
          stream: ctx.out.stderr as NodeJS.WriteStream,
          format: 'migrate [{bar}] {value}/{total} | {failed} failed | {domain}',
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const bar = bars?.create(targets.length, 0, { failed: 0, domain: '' });
  let failed = 0;
  const line = (r: DomainMigrationResult) =>
    `${mark(r.status)} ${r.domain.padEnd(24)} ${r.status.padEnd(10)} ${String(Math.round(r.ms)).padStart(6)} ms${
      r.applied.length > 0 ? `  ${r.applied.join(', ')}` : ''
    }${r.error !== undefined ? `  ${r.error}` : ''}`;
  const report = await migrateFleet(site, {
    domains: targets,
    concurrency,
    canary,
    locks,
    onStart: (domain) => bar?.update({ domain }),
    onResult: (result) => {
      if (result.status === 'failed') failed++;
      if (bars !== undefined) {
        bars.log(`${line(result)}\n`);
        bar?.increment(1, { failed });
      } else if (ctx.json) {
        // One JSON line per domain as it finishes, for scripts that follow progress.
        ctx.out.stderr.write(`${JSON.stringify({ event: 'domain', ...result })}\n`);
      } else {
        ctx.out.stdout.write(`${line(result)}\n`);
      }
    },
  });
  bars?.stop();
  const drift = values.drift === true ? await checkDrift(site, targets, concurrency) : undefined;
  const summary = {
    migrated: report.migrated,
    upToDate: report.upToDate,
    failed: report.results
      .filter((r) => r.status === 'failed')
      .map((r) => ({ domain: r.domain, error: r.error })),
    locked: report.locked,
    skipped: report.skipped,
    canaryFailed: report.canaryFailed,
    drift,
    ms: Math.round(report.ms),
    domains: report.results.map((r) => ({
      domain: r.domain,
      status: r.status,
      ms: Math.round(r.ms),
      applied: r.applied,
    })),
  };
  print(ctx, summary, () => {
    const lines = [
      '',
      `migrated ${report.migrated.length} · up to date ${report.upToDate.length} · failed ${report.failed.length}` +
        `${report.locked.length > 0 ? ` · locked ${report.locked.length}` : ''}` +
        `${report.skipped.length > 0 ? ` · skipped ${report.skipped.length} (canary failed)` : ''}` +
        ` · ${(report.ms / 1000).toFixed(1)} s`,
    ];
    for (const f of summary.failed) lines.push(`  failed ${f.domain}: ${f.error}`);
    if (drift !== undefined) {
      lines.push(
        drift.length === 0
          ? 'drift: none'
          : `drift: ${drift.length} domain(s) differ from the expected schema`,
      );
      for (const d of drift) lines.push(`  ${d.domain}: ${d.sql.split('\n')[0]}`);
    }
    return lines.join('\n');
  });
  return report.failed.length > 0 || (drift?.length ?? 0) > 0 ? 1 : 0;
}

function mark(status: DomainMigrationResult['status']): string {
  return { migrated: '✓', 'up-to-date': '·', failed: '✗', locked: '⧗', skipped: '-' }[status];
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || (name === 'concurrency' && n === 0)) {
    throw usage(`--${name} takes a positive whole number`);
  }
  return n;
}
