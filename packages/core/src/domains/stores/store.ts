import { MdError } from '../../errors/md-error.js';
import type { DomainDefinition } from '../definition.js';

/**
 * Where domain definitions live. `load()` returns every definition;
 * `site.domains.discover()` applies them. A store that can tell about
 * changes offers `watch`.
 */
export interface DomainStore {
  /** Names the store in errors, e.g. `json-file:/etc/md/domains.json`. */
  readonly name: string;
  load(): Promise<DomainDefinition[]>;
  /** Calls `onChange` when the stored domains change; returns an unsubscribe function. */
  watch?(onChange: () => void): () => void;
  close?(): Promise<void>;
}

/** @internal Accepts `[...]` or `{ domains: [...] }` and checks each entry has a string `name`. */
export function parseDefinitions(source: string, data: unknown): DomainDefinition[] {
  const list = Array.isArray(data) ? data : (data as { domains?: unknown } | null)?.domains;
  if (!Array.isArray(list)) {
    throw MdError.storeInvalid(source, 'expected a JSON array of domains or an object { "domains": [...] }');
  }
  list.forEach((entry, i) => {
    if (
      entry === null ||
      typeof entry !== 'object' ||
      typeof (entry as { name?: unknown }).name !== 'string'
    ) {
      throw MdError.storeInvalid(source, `entry ${i} has no string "name"`);
    }
  });
  return list as DomainDefinition[];
}

/** @internal Parses a store's JSON text, then its definitions; bad JSON is `STORE_INVALID`. */
export function parseDefinitionsJson(source: string, text: string): DomainDefinition[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw MdError.storeInvalid(source, `it is not valid JSON (${(error as Error).message})`, error);
  }
  return parseDefinitions(source, data);
}
