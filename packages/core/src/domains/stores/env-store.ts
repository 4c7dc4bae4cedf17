import { type DomainStore, parseDefinitionsJson } from './store.js';

export interface EnvStoreOptions {
  /** The variable holding the JSON (default `MD_DOMAINS`). */
  variable?: string;
  /** The environment to read (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/**
 * A store reading domain definitions as JSON from an environment variable
 * (a `TENANT_CONFIGS`-style list), `MD_DOMAINS` by default. An unset variable
 * means no domains.
 *
 * @example
 * // MD_DOMAINS='[{"name":"acme","hosts":["acme.com"]}]'
 * const site = await createSite({ domains: envStore() });
 */
export function envStore({ variable = 'MD_DOMAINS', env = process.env }: EnvStoreOptions = {}): DomainStore {
  const name = `env:${variable}`;
  return {
    name,
    async load() {
      const text = env[variable];
      if (text === undefined || text.trim() === '') return [];
      return parseDefinitionsJson(name, text);
    },
  };
}
