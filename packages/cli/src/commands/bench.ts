import type { Site } from '@md/core';
import type { Command } from 'commander';
import { type Context, print, usage } from '../context.js';

/** What `md bench` measured on the operator's own site. */
export interface SiteBenchReport {
  strategy: string;
  domains: number;
  /** First unit of work per domain (opens its store on database-per-domain), ms. */
  cold: { p50: number; p99: number; max: number };
  /** The warm closed loop: `concurrency` workers for `seconds`, domains in turn. */
  warm: { requests: number; rps: number; p50: number; p99: number; concurrency: number; seconds: number };
  /** The strategy's pool counts after the run (`stats()`), when it has them. */
  stats?: Record<string, number>;
}

interface Probe {
  getConnection?: () => { execute(sql: string): Promise<unknown> };
}

/** One unit of work in a domain: a `select 1` on its entity manager, or only the context without a strategy. */
async function unitOfWork(site: Site<unknown>, domain: string): Promise<void> {
  await site.run(domain, async () => {
    if (site.isolation === undefined) return;
    const em = site.em as Probe;
    await em.getConnection?.().execute('select 1');
  });
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * Measures the operator's own site, as configured in `md.config`: the first
 * unit of work of each of up to `domains` domains (cold: stores opened on
 * first use), then a closed loop of `concurrency` workers for `seconds`
 * going through those domains in turn (warm), each unit of work a
 * `select 1` on the domain's entity manager inside `site.run`.
 *
 * @example
 * const report = await benchSite(site, { domains: 50, seconds: 5, concurrency: 8 });
 * console.log(report.warm.rps, report.warm.p99);
 */
export async function benchSite(
  site: Site<unknown>,
  options: { domains: number; seconds: number; concurrency: number },
): Promise<SiteBenchReport> {
  const names = site.domains.names().slice(0, options.domains);
  const cold: number[] = [];
  for (const name of names) {
    const t0 = performance.now();
    await unitOfWork(site, name);
    cold.push(performance.now() - t0);
  }
  const latencies: number[] = [];
  const deadline = performance.now() + options.seconds * 1000;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (performance.now() < deadline) {
      const name = names[next++ % names.length]!;
      const t0 = performance.now();
      await unitOfWork(site, name);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  cold.sort((a, b) => a - b);
  latencies.sort((a, b) => a - b);
  const stats = (site.isolation as { stats?: () => Record<string, number> } | undefined)?.stats?.();
  return {
    strategy: site.isolation?.name ?? 'none',
    domains: names.length,
    cold: { p50: round(quantile(cold, 0.5)), p99: round(quantile(cold, 0.99)), max: round(cold.at(-1) ?? 0) },
    warm: {
      requests: latencies.length,
      rps: Math.round(latencies.length / elapsed),
      p50: round(quantile(latencies, 0.5)),
      p99: round(quantile(latencies, 0.99)),
      concurrency: options.concurrency,
      seconds: options.seconds,
    },
    ...(stats === undefined ? {} : { stats }),
  };
}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw usage(`${name} must be a positive number (got "${value}")`);
  return n;
}

/** Registers `md bench [--domains N] [--seconds S] [--concurrency C]` on the program. */
export function benchCommand(program: Command, ctx: Context, done: (code: number) => void): void {
  program
    .command('bench')
    .option('--domains <n>')
    .option('--seconds <s>')
    .option('--concurrency <c>')
    .action(async (flags: { domains?: string; seconds?: string; concurrency?: string }) => {
      const options = {
        domains: Math.floor(positive('--domains', flags.domains, 100)),
        seconds: positive('--seconds', flags.seconds, 5),
        concurrency: Math.floor(positive('--concurrency', flags.concurrency, 8)),
      };
      const report = await benchSite(await ctx.site(), options);
      print(ctx, { bench: report }, () =>
        [
          `${report.strategy}, ${report.domains} domain(s)`,
          `cold (first unit of work per domain): p50 ${report.cold.p50} ms, p99 ${report.cold.p99} ms, max ${report.cold.max} ms`,
          `warm (${report.warm.concurrency} workers, ${report.warm.seconds} s): ${report.warm.rps} units/s, p50 ${report.warm.p50} ms, p99 ${report.warm.p99} ms`,
          ...(report.stats === undefined ? [] : [`pools: ${JSON.stringify(report.stats)}`]),
        ].join('\n'),
      );
      done(0);
    });
}
