import type { DomainDefinition } from './definition.js';

/** A domain's preferences; a key it does not set falls back to the root domain's value. */
export interface DomainPreferences {
  /** The domain's value, else the root domain's, else `undefined`. */
  get<T = unknown>(key: string): T | undefined;
  /** Only the domain's own value, without fallback. */
  getOwn<T = unknown>(key: string): T | undefined;
  /** All preferences as this domain sees them (root values overlaid with its own). */
  all(): Record<string, unknown>;
}

/**
 * The preferences of one domain over its current definition and the root
 * domain's (read on every call, so an update of either shows at once).
 */
export function createPreferences(
  own: () => Readonly<DomainDefinition>,
  root: (() => Readonly<DomainDefinition> | undefined) | undefined,
): DomainPreferences {
  const getOwn = <T>(key: string): T | undefined => {
    const values = own().preferences;
    return values !== undefined && Object.hasOwn(values, key) ? (values[key] as T | undefined) : undefined;
  };
  return {
    get: <T>(key: string): T | undefined => {
      const value = own().preferences?.[key];
      if (value !== undefined || root === undefined) return value as T | undefined;
      const fallback = root()?.preferences;
      return fallback !== undefined && Object.hasOwn(fallback, key) ? (fallback[key] as T) : undefined;
    },
    getOwn,
    all: () => ({ ...root?.()?.preferences, ...own().preferences }),
  };
}
