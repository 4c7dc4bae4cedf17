import { MdError } from '@md/core';
import { findPathProblem } from './path-safety.js';

/** A compiled list of paths: exact entries and `/prefix/*` entries. */
export interface PathList {
  matches(path: string): boolean;
}

/**
 * Compiles a `paths` option once. An entry ending in `/*` matches that prefix
 * (and the prefix itself without the slash); any other entry matches exactly.
 * A request path with dot segments, `//` or encoded slashes never matches, so
 * `/internal/../public` cannot borrow the trust given to `/internal/*`.
 */
export function compilePathList(paths: readonly string[], option: string): PathList {
  if (!Array.isArray(paths)) throw MdError.invalidOptions(`${option} must be a list of paths`);
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const entry of paths) {
    if (typeof entry !== 'string' || entry.charCodeAt(0) !== 47 || findPathProblem(entry, 0) !== undefined) {
      throw MdError.invalidOptions(
        `${option} entry ${JSON.stringify(entry)} must be a plain path starting with "/" (e.g. "/internal/sync" or "/internal/*")`,
      );
    }
    if (entry.endsWith('/*')) prefixes.push(entry.slice(0, -1));
    else exact.add(entry);
  }
  return {
    matches(path) {
      if (typeof path !== 'string' || path.charCodeAt(0) !== 47) return false;
      if (findPathProblem(path, 0) !== undefined) return false;
      if (exact.has(path)) return true;
      for (const prefix of prefixes) {
        if (path.startsWith(prefix)) return true;
        if (path.length === prefix.length - 1 && prefix.startsWith(path)) return true;
      }
      return false;
    },
  };
}
