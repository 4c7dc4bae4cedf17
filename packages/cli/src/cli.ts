import { MdError } from '@md/core';
import { Command, CommanderError } from 'commander';
import { benchCommand } from './commands/bench.js';
import { domainsCommand } from './commands/domains.js';
import { fleetCommands } from './commands/fleet.js';
import { migrateCommand } from './commands/migrate.js';
import { type CliIo, createContext, usage } from './context.js';

export type { CliIo } from './context.js';

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
  md bench [--domains N] [--seconds S] [--concurrency C]   (your site: cold and warm units of work)

Exit codes: 0 success, 1 a domain failed, 2 bad usage or configuration.
`;

/**
 * The `md` command as a function: parses `argv` (without `node md`) with
 * commander, runs the command and resolves with the exit code — 0 on
 * success, 1 when a domain failed, 2 on bad usage or configuration. Every
 * command takes `--json` for machine-readable output and `--config <file>`.
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
  const ctx = createContext(out, argv);
  try {
    if (argv.length === 0) {
      out.stdout.write(USAGE);
      return 2;
    }
    let code = 0;
    const done = (result: number) => {
      code = result;
    };
    const program = new Command('md')
      .exitOverride()
      .configureOutput({
        writeOut: (text) => out.stdout.write(text),
        writeErr: () => undefined,
        outputError: () => {},
      })
      .configureHelp({ formatHelp: () => USAGE })
      .option('--json')
      .option('--config <file>');
    domainsCommand(program, ctx, done);
    fleetCommands(program, ctx, done);
    migrateCommand(program, ctx, done);
    benchCommand(program, ctx, done);
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    return fail(ctx.json, out, fromCommander(error));
  } finally {
    for (const cleanup of ctx.cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

/** Help is a success; commander's own usage errors become md's (exit code 2). */
function fromCommander(error: unknown): unknown {
  if (!(error instanceof CommanderError)) return error;
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help') return undefined;
  if (error.code === 'commander.unknownCommand') {
    return usage(`unknown command "${/'([^']+)'/.exec(error.message)?.[1] ?? ''}"`);
  }
  return usage(error.message.replace(/^error: /, ''));
}

function fail(json: boolean, out: CliIo, error: unknown): number {
  if (error === undefined) return 0;
  const code = MdError.is(error) ? error.code : 'INTERNAL_ERROR';
  const message = (error as Error)?.message ?? String(error);
  if (json) out.stdout.write(`${JSON.stringify({ ok: false, error: { code, message } })}\n`);
  else out.stderr.write(`md: ${message}\n`);
  return code === 'INVALID_OPTIONS' ? 2 : 1;
}
