import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MdError, type Site } from '@md/core';
import type { DomainRegistry } from '@md/registry';

/** What an `md.config` module can export. */
export interface MdConfigModule {
  /** The site, or a (possibly async) function returning it. */
  default: Site<unknown> | (() => Site<unknown> | Promise<Site<unknown>>);
  /** The domain registry `md domains add|update|…` writes to (or set `MD_REGISTRY_URL`). */
  registry?: DomainRegistry | (() => DomainRegistry | Promise<DomainRegistry>);
  /** `md seed`: runs inside `site.run(domain)` for each selected domain. */
  seed?: (context: { site: Site<unknown>; domain: string }) => unknown;
  /** Postgres URL for the per-domain advisory locks of `md migrate` (or set `MD_LOCK_URL`). */
  lockUrl?: string;
}

/** The loaded configuration. */
export interface LoadedConfig {
  file: string;
  site: Site<unknown>;
  module: MdConfigModule;
}

const CANDIDATES = ['md.config.js', 'md.config.mjs', 'md.config.ts', 'md.config.mts'];

/**
 * Finds and imports the site configuration: `path` when given, else the
 * first of `md.config.js`, `.mjs`, `.ts`, `.mts` in `cwd` (a `.ts` file is
 * loaded through tsx, so the built `md` reads it as is; entities should then use
 * `EntitySchema`/`defineEntity`, since tsx emits no decorator metadata).
 * Its default export is a site or a function returning one.
 *
 * @example
 * const { site } = await loadConfig(process.cwd());
 */
export async function loadConfig(cwd: string, path?: string): Promise<LoadedConfig> {
  const file =
    path !== undefined
      ? resolve(cwd, path)
      : CANDIDATES.map((c) => resolve(cwd, c)).find((f) => existsSync(f));
  if (file === undefined || !existsSync(file)) {
    throw MdError.invalidOptions(
      path !== undefined
        ? `config file ${file} does not exist`
        : `no md.config.js (or .mjs, .ts) in ${cwd}: create one whose default export is your site, or pass --config <file>`,
    );
  }
  let module: MdConfigModule;
  try {
    module = (await importConfig(file)) as MdConfigModule;
  } catch (cause) {
    throw MdError.invalidOptions(`${file} failed to load: ${(cause as Error).message}`, cause);
  }
  const exported = module.default;
  const site = typeof exported === 'function' ? await exported() : exported;
  if (site === null || typeof site !== 'object' || typeof (site as Site<unknown>).run !== 'function') {
    throw MdError.invalidOptions(
      `${file} must export default a site (from createSite) or a function returning one`,
    );
  }
  return { file, site, module };
}

/**
 * Imports the config; a TypeScript one the runtime cannot load itself (plain
 * node running the built `md`) goes through tsx's loader instead.
 */
async function importConfig(file: string): Promise<unknown> {
  const url = pathToFileURL(file).href;
  try {
    return await import(url);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    const { tsImport } = await import('tsx/esm/api');
    return tsImport(url, import.meta.url);
  }
}
