import { type DomainDefinition, MdError } from '@md/core';
import { domainSummary, offboardDomain, onboardDomain } from '@md/registry';
import type { Command } from 'commander';
import { type Context, collect, print, registryOf, usage } from '../context.js';

interface DefinitionFlags {
  name?: string;
  host?: string[];
  feature?: string[];
  attr?: string[];
  status?: string;
}

/** Registers `md domains list|add|update|suspend|resume|remove` on the program. */
export function domainsCommand(program: Command, ctx: Context, done: (code: number) => void): void {
  const domains = program
    .command('domains')
    .argument('[command]')
    .action((sub?: string) => {
      throw usage(
        sub === undefined
          ? 'md domains list|add|update|suspend|resume|remove <domain>'
          : `unknown "md domains ${sub}"`,
      );
    });
  const withDefinitionFlags = (command: Command) =>
    command
      .option('--name <display>')
      .option('--host <host>', '', collect)
      .option('--feature <feature>', '', collect)
      .option('--attr <key=value>', '', collect)
      .option('--status <status>');

  domains.command('list').action(async () => done(await list(ctx)));

  withDefinitionFlags(domains.command('add').argument('<domain>'))
    .option('--provision')
    .action(async (code: string, flags: DefinitionFlags & { provision?: boolean }) => {
      const definition: DomainDefinition = { name: code, attributes: attributesOf(flags.attr) };
      if (flags.name !== undefined) definition.branding = { name: flags.name };
      if (flags.host !== undefined) definition.hosts = flags.host;
      if (flags.feature !== undefined) definition.features = flags.feature;
      if (flags.status !== undefined) definition.status = flags.status as DomainDefinition['status'];
      const registry = await registryOf(ctx);
      const provision = flags.provision === true;
      // The same use case as the admin API's POST /domains: a failed provisioning is rolled back.
      const result = await onboardDomain(
        { registry, site: provision ? await ctx.site() : undefined },
        definition,
        {
          provision,
        },
      );
      const provisionMs = provision ? Math.round(result.ms) : undefined;
      print(
        ctx,
        { domain: domainSummary(result.domain), provisionMs },
        () => `added ${code}${provisionMs === undefined ? '' : ` (provisioned in ${provisionMs} ms)`}`,
      );
      done(0);
    });

  withDefinitionFlags(domains.command('update').argument('<domain>')).action(
    async (code: string, flags: DefinitionFlags) => {
      const registry = await registryOf(ctx);
      const current = await registry.get(code);
      if (current === undefined) throw MdError.domainNotFound(code);
      const patch: Partial<DomainDefinition> = {};
      if (flags.attr !== undefined)
        patch.attributes = { ...current.definition.attributes, ...attributesOf(flags.attr) };
      if (flags.name !== undefined) patch.branding = { ...current.definition.branding, name: flags.name };
      if (flags.host !== undefined) patch.hosts = flags.host;
      if (flags.feature !== undefined) patch.features = flags.feature;
      if (flags.status !== undefined) patch.status = flags.status as DomainDefinition['status'];
      const updated = await registry.updateDomain(code, patch);
      print(ctx, { domain: domainSummary(updated) }, () => `updated ${code}`);
      done(0);
    },
  );

  for (const sub of ['suspend', 'resume'] as const) {
    domains
      .command(sub)
      .argument('<domain>')
      .action(async (code: string) => {
        const registry = await registryOf(ctx);
        const updated = sub === 'suspend' ? await registry.suspend(code) : await registry.resume(code);
        print(ctx, { domain: domainSummary(updated) }, () => `${code} is ${updated.status}`);
        done(0);
      });
  }

  domains
    .command('remove')
    .argument('<domain>')
    .option('--confirm <domain>')
    .option('--keep-data')
    .action(async (code: string, flags: { confirm?: string; keepData?: boolean }) => {
      if (flags.confirm !== code) throw MdError.confirmationRequired('Removing', code);
      const registry = await registryOf(ctx);
      const keepData = flags.keepData === true;
      // The same use case as the admin API's DELETE /domains/:domain: the same erasure.
      await offboardDomain({ registry, site: keepData ? undefined : await ctx.site() }, code, {
        confirm: flags.confirm,
        keepData,
      });
      print(ctx, { removed: code }, () => `removed ${code}`);
      done(0);
    });
}

async function list(ctx: Context): Promise<number> {
  const url = ctx.out.env.MD_REGISTRY_URL;
  const site = url === undefined ? await ctx.site() : undefined;
  const rows =
    url !== undefined || ctx.config?.module.registry !== undefined
      ? (await (await registryOf(ctx)).list()).map((d) => ({
          name: d.definition.name,
          displayName: d.displayName,
          status: d.status,
          hosts: d.hosts.map((h) => (h.verified ? h.host : `${h.host} (unverified)`)),
        }))
      : [...site!.domains]
          .filter((d) => !d.isRoot)
          .map((d) => ({
            name: d.name,
            displayName: d.branding.name ?? d.name,
            status: d.status,
            hosts: [...d.hosts],
          }));
  print(ctx, { domains: rows }, () =>
    rows.length === 0
      ? 'no domains'
      : rows.map((d) => `${d.name.padEnd(24)} ${d.status.padEnd(10)} ${d.hosts.join(', ')}`).join('\n'),
  );
  return 0;
}

function attributesOf(pairs: string[] | undefined): Record<string, unknown> {
  return Object.fromEntries(
    (pairs ?? []).map((pair) => {
      const i = pair.indexOf('=');
      if (i <= 0) throw usage(`--attr takes key=value (got "${pair}")`);
      return [pair.slice(0, i), coerce(pair.slice(i + 1))];
    }),
  );
}

function coerce(value: string): unknown {
  if (value === 'true' || value === 'false') return value === 'true';
  if (value !== '' && !Number.isNaN(Number(value))) return Number(value);
  return value;
}
