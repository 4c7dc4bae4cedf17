import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MdError, type Site } from '@md/core';
import type { Command } from 'commander';
import { type Context, print, selection, usage } from '../context.js';

/** Registers `md provision`, `md seed` and `md run` on the program. */
export function fleetCommands(program: Command, ctx: Context, done: (code: number) => void): void {
  program
    .command('provision')
    .argument('[domains...]')
    .option('--seed')
    .action(async (domains: string[], flags: { seed?: boolean }) => {
      if (domains.length === 0) throw usage('md provision <domain>...');
      const site = await ctx.site();
      const results: Array<{ domain: string; ms: number }> = [];
      for (const domain of domains) {
        const t0 = performance.now();
        await site.provision(domain, { seed: flags.seed === true });
        results.push({ domain, ms: Math.round(performance.now() - t0) });
      }
      print(ctx, { provisioned: results }, () =>
        results.map((r) => `provisioned ${r.domain} in ${r.ms} ms`).join('\n'),
      );
      done(0);
    });

  program
    .command('seed')
    .option('--all')
    .option('--domains <list>')
    .action(async (flags: { all?: boolean; domains?: string }) => {
      const site = await ctx.site();
      const seeder = ctx.config?.module.seed;
      if (typeof seeder !== 'function') {
        throw MdError.invalidOptions('md seed needs md.config to export `seed({ site, domain })`');
      }
      const seeded: string[] = [];
      for (const domain of selection(site, flags)) {
        await site.run(domain, () => seeder({ site, domain }));
        seeded.push(domain);
      }
      print(ctx, { seeded }, () => `seeded ${seeded.length} domain(s)`);
      done(0);
    });

  program
    .command('run')
    .argument('[domain]')
    .argument('[script]')
    .argument('[args...]')
    .action(async (domain?: string, script?: string, args: string[] = []) => {
      if (domain === undefined || script === undefined) throw usage('md run <domain> -- <script> [args...]');
      const site = await ctx.site();
      site.domains.require(domain);
      const result = await site.run(domain, () =>
        runScript(site, domain, resolve(ctx.out.cwd, script), args),
      );
      if (ctx.json) print(ctx, { domain, result }, () => '');
      else if (result !== undefined) {
        ctx.out.stdout.write(`${typeof result === 'string' ? result : JSON.stringify(result)}\n`);
      }
      done(0);
    });
}

/** Imports a script and calls its default export with the site, the domain and the arguments. */
async function runScript(
  site: Site<unknown>,
  domain: string,
  file: string,
  args: string[],
): Promise<unknown> {
  const module = (await import(pathToFileURL(file).href)) as {
    default?: (context: { site: Site<unknown>; domain: string; args: string[] }) => unknown;
  };
  return typeof module.default === 'function' ? await module.default({ site, domain, args }) : undefined;
}
