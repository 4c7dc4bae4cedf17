import { MdError, type Site } from '@md/core';
import { createDomainRegistry, type DomainRegistry } from '@md/registry';
import { type LoadedConfig, loadConfig } from './load-config.js';

/** Where the CLI reads and writes; `process` by default. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  cwd: string;
  env: Record<string, string | undefined>;
}

/** What every command gets: the output, `--json`, the lazily loaded config and its cleanups. */
export interface Context {
  readonly out: CliIo;
  readonly json: boolean;
  readonly cleanups: Array<() => Promise<void>>;
  config: LoadedConfig | undefined;
  site(): Promise<Site<unknown>>;
}

/** A usage error: exit code 2, with the hint every usage error ends with. */
export function usage(message: string): MdError {
  return MdError.invalidOptions(`${message}. Run "md --help" for usage`);
}

/** The value of an option anywhere in `argv` (`--config x` or `--config=x`). */
export function optionValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

/** @internal The context of one run: the config (and so the site) is loaded on first use. */
export function createContext(out: CliIo, argv: readonly string[]): Context {
  const cleanups: Array<() => Promise<void>> = [];
  return {
    out,
    json: argv.includes('--json'),
    cleanups,
    config: undefined,
    async site() {
      if (this.config === undefined) {
        this.config = await loadConfig(out.cwd, optionValue(argv, '--config'));
        const site = this.config.site;
        cleanups.push(() => site.close());
      }
      return this.config.site;
    },
  };
}

/** Prints a command's result: one JSON line with `--json`, else the human text. */
export function print(ctx: Context, data: object, human: () => string): void {
  ctx.out.stdout.write(ctx.json ? `${JSON.stringify({ ok: true, ...data })}\n` : `${human()}\n`);
}

/** The domain registry: `MD_REGISTRY_URL`, else the config's `registry` export. */
export async function registryOf(ctx: Context): Promise<DomainRegistry> {
  const url = ctx.out.env.MD_REGISTRY_URL;
  if (url !== undefined) {
    const registry = await createDomainRegistry({ url, follow: false });
    ctx.cleanups.push(() => registry.close());
    return registry;
  }
  await ctx.site();
  const exported = ctx.config?.module.registry;
  if (exported === undefined) {
    throw MdError.invalidOptions(
      'this command writes to the domain registry: export `registry` (from createDomainRegistry) in md.config, or set MD_REGISTRY_URL',
    );
  }
  if (typeof exported !== 'function') return exported;
  const made = await exported();
  ctx.cleanups.push(() => made.close());
  return made;
}

/** The domains a fleet command acts on: `--domains a,b` (each must exist), else every domain but the root. */
export function selection(site: Site<unknown>, values: { all?: boolean; domains?: string }): string[] {
  if (values.all === true && values.domains !== undefined) throw usage('give --all or --domains, not both');
  if (values.domains !== undefined) {
    const list = values.domains
      .split(',')
      .map((d) => d.trim())
      .filter(Boolean);
    for (const d of list) site.domains.require(d);
    return list;
  }
  // --all and no selection both mean every domain but the root (name it in --domains to include it).
  return site.domains.names().filter((n) => n !== site.rootDomain);
}

/** Collects a repeatable option (`--host a --host b`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
