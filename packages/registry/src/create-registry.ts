import { MdError } from '@md/core';
import { DomainRegistry } from './domain-registry.js';
import { openSqlClient } from './internal/sql-client.js';
import type { DomainRegistryOptions } from './types.js';

/**
 * Opens (and creates when missing) a domain registry on SQLite or
 * PostgreSQL. See {@link DomainRegistry}.
 *
 * @example
 * const registry = await createDomainRegistry({ url: 'sqlite:./data/registry.sqlite' });
 * await registry.addDomain({ name: 'acme', hosts: ['acme.com'], attributes: { plan: 'pro' } });
 * await registry.suspend('acme');
 */
export async function createDomainRegistry(options: DomainRegistryOptions): Promise<DomainRegistry> {
  if (typeof options?.url !== 'string' || options.url === '') {
    throw MdError.invalidOptions('createDomainRegistry needs { url }: "postgres://…" or "sqlite:<file>"');
  }
  const { url } = options;
  const postgres = /^postgres(ql)?:\/\//.test(url);
  const source = postgres ? `registry:${redact(url)}` : `registry:${url}`;
  const client = openSqlClient(
    postgres ? { postgres: url } : { sqlite: url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url },
    options.poolSize ?? 4,
  );
  const registry = new DomainRegistry(client, options, source);
  try {
    await registry.init();
  } catch (error) {
    await registry.close().catch(() => undefined);
    throw error;
  }
  return registry;
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres';
  }
}
