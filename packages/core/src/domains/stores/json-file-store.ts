import { readFile } from 'node:fs/promises';
import { MdError } from '../../errors/md-error.js';
import { type DomainStore, parseDefinitionsJson } from './store.js';

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
      return parseDefinitionsJson(name, text);
    },
  };
}
