import { readFile } from 'node:fs/promises';
import { MdError } from '../../errors/md-error.js';
import type { DomainStore } from './store.js';
import { parseDefinitions } from './store.js';

/**
 * A store reading a JSON file: an array of domain definitions or
 * `{ "domains": [...] }`. The file is read on every `discover()`.
 *
 * @example
 * const site = await createSite({ domains: jsonFileStore('./domains.json') });
 */
export function jsonFileStore(path: string): DomainStore {
  const name = `json-file:${path}`;
  return {
    name,
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        throw MdError.storeUnavailable(name, error);
      }
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (error) {
        throw MdError.storeInvalid(name, `it is not valid JSON (${(error as Error).message})`, error);
      }
      return parseDefinitions(name, data);
    },
  };
}
