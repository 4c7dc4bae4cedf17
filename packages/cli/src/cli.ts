import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type DomainDefinition, MdError, type Site } from '@md/core';
import { createDomainRegistry, type DomainRegistry, domainSummary } from '@md/registry';
import cliProgress from 'cli-progress';
import { type DomainLocks, noLocks, postgresDomainLocks } from './advisory-lock.js';
import { checkDrift } from './drift.js';
import { type LoadedConfig, loadConfig } from './load-config.js';
import { type DomainMigrationResult, migrateFleet } from './migrate-fleet.js';

/** Where the CLI reads and writes; `process` by default. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  cwd: string;
  env: Record<string, string | undefined>;
}

const USAGE = `md — run a fleet of md domains

Usage: md <command> [options]   (global: --config <file>, --json)

  md domains list
  md domains add <domain> [--name <display>] [--host <h>]... [--feature <f>]... [--attr k=v]... [--status s] [--provision]
  md domains update <domain> [--name <display>] [--host <h>]... [--feature <f>]... [--attr k=v]... [--status s]
  md domains suspend|resume <domain>
  md domains remove <domain> --confirm <domain> [--keep-data]
  md provision <domain>... [--seed]
  md migrate [--all | --domains a,b] [--concurrency N] [--canary N] [--drift] [--lock-url <postgres-url>]
  md seed [--all | --domains a,b]
  md run <domain> -- <script> [args...]
  md bench [args...]          (forwards to \`pnpm bench\`)

Exit codes: 0 success, 1 a domain failed, 2 bad usage or configuration.
`;

class UsageError extends MdError {}

function usage(message: string): UsageError {
  return new UsageError('INVALID_OPTIONS', `${message}. Run "md --help" for usage.`, {
    details: { usage: true },
  });
}

/**
 * The `md` command as a function: parses `argv` (without `node md`), runs
 * the command and resolves with the exit code — 0 on success, 1 when a
 * domain failed, 2 on bad usage or configuration. Every command takes
 * `--json` for machine-readable output and `--config <file>`.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2));
 * // md migrate --all --concurrency 8 --canary 5 --json
 */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const out: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
    ...io,
  };
  const json = argv.includes('--json');
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      out.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === 'bench') return await bench(rest, out);
    const context: Context = {
      out,
      json,
      cleanups,
      config: undefined,
      argv: rest,
      async site() {
        if (this.config === undefined) {
          const path = optionValue(argv, '--config');
          this.config = await loadConfig(out.cwd, path);
          const site = this.config.site;
          cleanups.push(() => site.close());
        }
        return this.config.site;
      },
    };
    switch (command) {
      case 'domains':
        return await domains(context);
      case 'provision':
        return await provision(context);
      case 'migrate':
        return await migrate(context);
      case 'seed':
        return await seed(context);
      case 'run':
        return await run(context);
      default:
        throw usage(`unknown command "${command}"`);
    }
  } catch (error) {
    const code = error instanceof UsageError || MdError.is(error, 'INVALID_OPTIONS') ? 2 : 1;
    const mdCode = MdError.is(error) ? error.code : 'INTERNAL_ERROR';
    const message = (error as Error)?.message ?? String(error);
    if (json) out.stdout.write(`${JSON.stringify({ ok: false, error: { code: mdCode, message } })}\n`);
    else out.stderr.write(`md: ${message}\n`);
    return code;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

interface Context {
  out: CliIo;
  json: boolean;
  cleanups: Array<() => Promise<void>>;
  config: LoadedConfig | undefined;
  argv: string[];
  site(): Promise<Site<unknown>>;
}

function optionValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  const inline = argv.find((a) => a.startsWith(`${name}=`));
  return inline?.slice(name.length + 1);
}

type ArgOptions = NonNullable<ParseArgsConfig['options']>;

const COMMON = { json: { type: 'boolean' }, config: { type: 'string' } } as const;
/** The domain selection of the fleet commands, read by `selection`. */
const SELECTION = { all: { type: 'boolean' }, domains: { type: 'string' } } as const;

/**
 * Parses a command's arguments (positionals allowed) with the global options
 * and its own, turning node:util's parseArgs errors into usage errors (exit code 2).
 */
function parseCommand<TOptions extends ArgOptions>(args: string[], options: TOptions) {
  try {
    return parseArgs({ args, allowPositionals: true, options: { ...COMMON, ...options } });
  } catch (error) {
    throw usage((error as Error).message);
  }
}

function print(ctx: Context, data: unknown, human: () => string): void {
  ctx.out.stdout.write(ctx.json ? `${JSON.stringify({ ok: true, ...(data as object) })}\n` : `${human()}\n`);
}

async function registryOf(ctx: Context): Promise<DomainRegistry> {
  const url = ctx.out.env.MD_REGISTRY_URL;
  if (url === undefined) await ctx.site();
  const exported = url === undefined ? ctx.config?.module.registry : undefined;
  if (url === undefined && exported === undefined) {
    throw MdError.invalidOptions(
      'this command writes to the domain registry: export `registry` (from createDomainRegistry) in md.config, or set MD_REGISTRY_URL',
    );
  }
  if (exported !== undefined) {
    if (typeof exported !== 'function') return exported;
    const made = await exported();
    ctx.cleanups.push(() => made.close());
    return made;
  }
  const registry = await createDomainRegistry({ url: url!, follow: false });
  ctx.cleanups.push(() => registry.close());
  return registry;
}

function selection(site: Site<unknown>, values: { all?: boolean; domains?: string }): string[] {
  const known = site.domains.names().filter((n) => n !== site.rootDomain);
  if (values.domains !== undefined) {
    const list = values.domains
      .split(',')
      .map((d) => d.trim())
      .filter(Boolean);
    for (const d of list) site.domains.require(d);
    return list;
  }
  // --all and no selection both mean every domain but the root (name it in --domains to include it).
  return known;
}

async function domains(ctx: Context): Promise<number> {
  const [sub, ...rest] = ctx.argv;
  const { values, positionals } = parseCommand(rest, {
    name: { type: 'string' },
    host: { type: 'string', multiple: true },
    feature: { type: 'string', multiple: true },
    attr: { type: 'string', multiple: true },
    status: { type: 'string' },
    provision: { type: 'boolean' },
    confirm: { type: 'string' },
    'keep-data': { type: 'boolean' },
  });
  if (sub === 'list') {
    const url = ctx.out.env.MD_REGISTRY_URL;
    const site = url === undefined ? await ctx.site() : undefined;
    const list =
      url !== undefined || ctx.config?.module.registry !== undefined
        ? (await (await registryOf(ctx)).list()).map((d) => ({
            name: d.definition.name,
            displayName: d.displayName,
            status: d.status,
            hosts: d.hosts.map((h) => (h.verified ? h.host : `${h.host} (unverified)`)),
          }))
        : [...site!.domains]
            .filter((d) => d.name !== site!.rootDomain)
            .map((d) => ({
              name: d.name,
              displayName: d.branding.name ?? d.name,
              status: d.status,
              hosts: [...d.hosts],
            }));
    print(ctx, { domains: list }, () =>
      list.length === 0
        ? 'no domains'
        : list.map((d) => `${d.name.padEnd(24)} ${d.status.padEnd(10)} ${d.hosts.join(', ')}`).join('\n'),
    );
    return 0;
  }
  const code = positionals[0];
  if (sub === undefined || code === undefined)
    throw usage('md domains list|add|update|suspend|resume|remove <domain>');
  const registry = await registryOf(ctx);
  const attributes = Object.fromEntries(
    (values.attr ?? []).map((pair) => {
      const i = pair.indexOf('=');
      if (i <= 0) throw usage(`--attr takes key=value (got "${pair}")`);
      return [pair.slice(0, i), coerce(pair.slice(i + 1))];
    }),
  );
  switch (sub) {
    case 'add': {
      const definition: DomainDefinition = { name: code, attributes };
      if (values.name !== undefined) definition.branding = { name: values.name };
      if (values.host !== undefined) definition.hosts = values.host;
      if (values.feature !== undefined) definition.features = values.feature;
      if (values.status !== undefined) definition.status = values.status as DomainDefinition['status'];
      const added = await registry.addDomain(definition);
      let provisionMs: number | undefined;
      if (values.provision === true) {
        const site = await ctx.site();
        await site.domains.discover();
        const t0 = performance.now();
        await site.provision(code);
        provisionMs = Math.round(performance.now() - t0);
      }
      print(
        ctx,
        { domain: domainSummary(added), provisionMs },
        () => `added ${code}${provisionMs === undefined ? '' : ` (provisioned in ${provisionMs} ms)`}`,
      );
      return 0;
    }
    case 'update': {
      const current = await registry.get(code);
      if (current === undefined) throw MdError.domainNotFound(code);
      const patch: Partial<DomainDefinition> = {};
      if (values.attr !== undefined) patch.attributes = { ...current.definition.attributes, ...attributes };
      if (values.name !== undefined) patch.branding = { ...current.definition.branding, name: values.name };
      if (values.host !== undefined) patch.hosts = values.host;
      if (values.feature !== undefined) patch.features = values.feature;
      if (values.status !== undefined) patch.status = values.status as DomainDefinition['status'];
      const updated = await registry.updateDomain(code, patch);
      print(ctx, { domain: domainSummary(updated) }, () => `updated ${code}`);
      return 0;
    }
    case 'suspend':
    case 'resume': {
      const updated = sub === 'suspend' ? await registry.suspend(code) : await registry.resume(code);
      print(ctx, { domain: domainSummary(updated) }, () => `${code} is ${updated.status}`);
      return 0;
    }
    case 'remove': {
      if (values.confirm !== code) throw MdError.confirmationRequired('Removing', code);
      if (values['keep-data'] !== true) {
        const site = await ctx.site();
        if (site.isolation !== undefined && site.domains.has(code))
          await site.deprovision(code, { confirm: code });
      }
      await registry.removeDomain(code);
      print(ctx, { removed: code }, () => `removed ${code}`);
      return 0;
    }
    default:
      throw usage(`unknown "md domains ${sub}"`);
  }
}

function coerce(value: string): unknown {
  if (value === 'true' || value === 'false') return value === 'true';
  if (value !== '' && !Number.isNaN(Number(value))) return Number(value);
  return value;
}

async function provision(ctx: Context): Promise<number> {
  const { values, positionals } = parseCommand(ctx.argv, {
    seed: { type: 'boolean' },
  });
  if (positionals.length === 0) throw usage('md provision <domain>...');
  const site = await ctx.site();
  const results: Array<{ domain: string; ms: number }> = [];
  for (const domain of positionals) {
    const t0 = performance.now();
    await site.provision(domain, { seed: values.seed === true });
    results.push({ domain, ms: Math.round(performance.now() - t0) });
  }
  print(ctx, { provisioned: results }, () =>
    results.map((r) => `provisioned ${r.domain} in ${r.ms} ms`).join('\n'),
  );
  return 0;
}

async function migrate(ctx: Context): Promise<number> {
  const { values } = parseCommand(ctx.argv, {
    ...SELECTION,
    concurrency: { type: 'string' },
    canary: { type: 'string' },
    drift: { type: 'boolean' },
    'lock-url': { type: 'string' },
  });
  const concurrency = positiveInt(values.concurrency, 'concurrency', 4);
  const canary = positiveInt(values.canary, 'canary', 0);
  if (values.all === true && values.domains !== undefined) throw usage('give --all or --domains, not both');
  const site = await ctx.site();
  const targets = selection(site, values);
  const lockUrl = values['lock-url'] ?? ctx.config?.module.lockUrl ?? ctx.out.env.MD_LOCK_URL;
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
  if (!Number.isInteger(n) || n < 0 || (name === 'concurrency' && n === 0))
    throw usage(`--${name} takes a positive whole number`);
  return n;
}

async function seed(ctx: Context): Promise<number> {
  const { values } = parseCommand(ctx.argv, SELECTION);
  const site = await ctx.site();
  const seeder = ctx.config?.module.seed;
  if (typeof seeder !== 'function') {
    throw MdError.invalidOptions('md seed needs md.config to export `seed({ site, domain })`');
  }
  const targets = selection(site, values);
  const seeded: string[] = [];
  for (const domain of targets) {
    await site.run(domain, () => seeder({ site, domain }));
    seeded.push(domain);
  }
  print(ctx, { seeded }, () => `seeded ${seeded.length} domain(s)`);
  return 0;
}

async function run(ctx: Context): Promise<number> {
  const dash = ctx.argv.indexOf('--');
  const before = dash < 0 ? ctx.argv : ctx.argv.slice(0, dash);
  const after = dash < 0 ? [] : ctx.argv.slice(dash + 1);
  const domain = before.find((a) => !a.startsWith('--') && a !== optionValue(before, '--config'));
  const script = after[0];
  if (domain === undefined || script === undefined) throw usage('md run <domain> -- <script> [args...]');
  const site = await ctx.site();
  site.domains.require(domain);
  const result = await site.run(domain, async () => {
    const module = (await import(pathToFileURL(resolve(ctx.out.cwd, script)).href)) as {
      default?: (context: { site: Site<unknown>; domain: string; args: string[] }) => unknown;
    };
    return typeof module.default === 'function'
      ? await module.default({ site, domain, args: after.slice(1) })
      : undefined;
  });
  if (ctx.json) print(ctx, { domain, result }, () => '');
  else if (result !== undefined)
    ctx.out.stdout.write(`${typeof result === 'string' ? result : JSON.stringify(result)}\n`);
  return 0;
}

async function bench(args: string[], out: CliIo): Promise<number> {
  return new Promise((resolveCode) => {
    const child = spawn('pnpm', ['bench', ...args], {
      cwd: out.cwd,
      stdio: 'inherit',
      env: { ...process.env, ...out.env },
    });
    child.on('error', () => {
      out.stderr.write('md: could not start "pnpm bench": is pnpm installed?\n');
      resolveCode(2);
    });
    child.on('exit', (code) => resolveCode(code ?? 1));
  });
}
