import type { MigrationReport, Site } from '@md/core';
import { type DomainLocks, noLocks } from './advisory-lock.js';

/** How one domain's migration ended. */
export type DomainMigrationStatus = 'migrated' | 'up-to-date' | 'failed' | 'locked' | 'skipped';

/** One line of the fleet report. */
export interface DomainMigrationResult {
  domain: string;
  status: DomainMigrationStatus;
  /** Migrations applied in this run. */
  applied: string[];
  ms: number;
  error?: string;
}

/** What {@link migrateFleet} answers. */
export interface FleetMigrationReport {
  results: DomainMigrationResult[];
  migrated: string[];
  upToDate: string[];
  failed: string[];
  /** Held by another instance (advisory lock): left to it. */
  locked: string[];
  /** Not attempted: the canary failed first. */
  skipped: string[];
  /** True when a canary domain failed and the rest were not attempted. */
  canaryFailed: boolean;
  ms: number;
}

/** Options of {@link migrateFleet}. */
export interface MigrateFleetOptions {
  /** Domains to migrate, in order. */
  domains: readonly string[];
  /** Domains migrated at once (default 4). */
  concurrency?: number;
  /** Migrate the first N domains first (with the same concurrency) and stop if any fails. */
  canary?: number;
  /** Per-domain locks (default: none). */
  locks?: DomainLocks;
  /** Called when a domain starts and when it ends. */
  onStart?: (domain: string) => void;
  onResult?: (result: DomainMigrationResult, done: number, total: number) => void;
}

/**
 * Runs `site.migrate` for many domains with bounded parallelism, an
 * optional canary wave, and per-domain locks. It never stops at a failure
 * outside the canary: each domain is reported migrated, up to date, failed,
 * locked or skipped, with its time. Resuming is free: the strategy's
 * Migrator records what each domain applied, so a rerun only has the rest to
 * do, and a migration interrupted mid-way was inside one transaction.
 *
 * @example
 * const report = await migrateFleet(site, { domains: site.domains.names().slice(1), concurrency: 8, canary: 5 });
 * if (report.failed.length > 0) process.exitCode = 1;
 */
export async function migrateFleet(
  site: Site<unknown>,
  options: MigrateFleetOptions,
): Promise<FleetMigrationReport> {
  const started = performance.now();
  const { domains, concurrency = 4, canary = 0, locks = noLocks } = options;
  const results = new Map<string, DomainMigrationResult>();
  let done = 0;
  const one = async (domain: string): Promise<DomainMigrationResult> => {
    options.onStart?.(domain);
    const t0 = performance.now();
    let result: DomainMigrationResult;
    try {
      const outcome = await locks.withLock(domain, () => site.migrate(domain));
      if (outcome.locked) result = { domain, status: 'locked', applied: [], ms: performance.now() - t0 };
      else result = fromReport(outcome.value, performance.now() - t0);
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      const detail = cause instanceof Error ? cause.message : undefined;
      result = {
        domain,
        status: 'failed',
        applied: [],
        ms: performance.now() - t0,
        error: detail ?? (error as Error).message,
      };
    }
    results.set(domain, result);
    options.onResult?.(result, ++done, domains.length);
    return result;
  };
  const wave = async (list: readonly string[]) => {
    let next = 0;
    const worker = async () => {
      while (next < list.length) await one(list[next++]!);
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, list.length)) }, worker));
  };
  const canaryList = domains.slice(0, canary);
  let canaryFailed = false;
  if (canaryList.length > 0) {
    await wave(canaryList);
    canaryFailed = canaryList.some((d) => results.get(d)?.status === 'failed');
  }
  const rest = domains.slice(canaryList.length);
  if (canaryFailed) {
    for (const domain of rest) results.set(domain, { domain, status: 'skipped', applied: [], ms: 0 });
  } else {
    await wave(rest);
  }
  const ordered = domains.map((d) => results.get(d)!);
  const pick = (status: DomainMigrationStatus) =>
    ordered.filter((r) => r.status === status).map((r) => r.domain);
  return {
    results: ordered,
    migrated: pick('migrated'),
    upToDate: pick('up-to-date'),
    failed: pick('failed'),
    locked: pick('locked'),
    skipped: pick('skipped'),
    canaryFailed,
    ms: performance.now() - started,
  };
}

function fromReport(report: MigrationReport, ms: number): DomainMigrationResult {
  return {
    domain: report.domain,
    status: report.upToDate ? 'up-to-date' : 'migrated',
    applied: report.applied,
    ms,
  };
}
