import type { DomainDefinition } from '../definition.js';
import type { DomainStore } from './store.js';

/**
 * A store holding definitions in memory (tests, fixed lists).
 *
 * @example
 * const site = await createSite({ domains: memoryStore([{ name: 'acme' }]) });
 */
export function memoryStore(
  definitions: DomainDefinition[] = [],
): DomainStore & { set(defs: DomainDefinition[]): void } {
  let current = structuredClone(definitions);
  const listeners = new Set<() => void>();
  return {
    name: 'memory',
    load: async () => structuredClone(current),
    set(defs) {
      current = structuredClone(defs);
      for (const listener of listeners) listener();
    },
    watch(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
  };
}
