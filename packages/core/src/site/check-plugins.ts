import { MdError } from '../errors/md-error.js';

/**
 * Checks one list of named plugins (resolvers, policies or site plugins):
 * each is an object with a non-empty `name` and the function its kind
 * needs, and no two share a name. Throws `INVALID_OPTIONS` or `DUPLICATE_PLUGIN`.
 */
export function checkPlugins(kind: string, plugins: unknown, method: string): void {
  if (plugins === undefined) return;
  if (!Array.isArray(plugins)) throw MdError.invalidOptions(`${kind}s must be a list`);
  const names = new Set<string>();
  for (const plugin of plugins as Array<Record<string, unknown> | null>) {
    if (
      plugin === null ||
      typeof plugin !== 'object' ||
      typeof plugin.name !== 'string' ||
      plugin.name === ''
    ) {
      throw MdError.invalidOptions(`every ${kind} must be an object with a non-empty "name"`);
    }
    if (typeof plugin[method] !== 'function') {
      throw MdError.invalidOptions(`${kind} "${plugin.name}" has no ${method}() function`);
    }
    if (names.has(plugin.name)) throw MdError.duplicatePlugin(kind, plugin.name);
    names.add(plugin.name);
  }
}
