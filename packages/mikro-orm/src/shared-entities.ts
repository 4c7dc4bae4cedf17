import type { EntityMetadata, EntityName } from '@mikro-orm/core';

const SHARED = Symbol.for('md.sharedEntity');

/** Anything MikroORM accepts as an entity: a class or an `EntitySchema` (what `defineEntity` returns). */
// biome-ignore lint/suspicious/noExplicitAny: entity types are invariant in MikroORM; any entity must fit.
export type AnyEntity = EntityName<any>;

/**
 * Marks an entity as shared: it lives in the root domain's store and every
 * domain sees the same rows (plans, countries, feature catalogues — seed
 * 000's "shared tables"). Every entity not marked is domain-scoped. Returns
 * the entity, so it wraps a definition in place.
 *
 * @example
 * export const Plan = markShared(defineEntity({ name: 'Plan', properties: (p) => ({
 *   id: p.integer().primary(), name: p.string(),
 * }) }));
 */
export function markShared<TEntity extends AnyEntity>(entity: TEntity): TEntity {
  Object.defineProperty(entity, SHARED, { value: true, enumerable: false });
  return entity;
}

/**
 * True when `entity` was marked with {@link markShared}.
 *
 * @example
 * isSharedEntity(Plan); // true
 */
export function isSharedEntity(entity: AnyEntity): boolean {
  return typeof entity === 'object' || typeof entity === 'function'
    ? (entity as unknown as Record<symbol, unknown>)[SHARED] === true
    : false;
}

/** The class name MikroORM knows an entity by. */
export function entityClassName(entity: AnyEntity): string {
  if (typeof entity === 'string') return entity;
  const meta = (entity as { meta?: EntityMetadata }).meta;
  if (meta?.className !== undefined) return meta.className;
  return (entity as { name: string }).name;
}

/**
 * Splits a strategy's entities into shared and domain-scoped class names
 * (an entity is shared when marked with {@link markShared} or listed in
 * `shared`).
 *
 * @example
 * const { shared, scoped } = classifyEntities([Plan, Item]);
 * shared.has('Plan'); // true
 */
export function classifyEntities(
  entities: readonly AnyEntity[],
  shared: readonly AnyEntity[] = [],
): { shared: ReadonlySet<string>; scoped: ReadonlySet<string> } {
  const sharedNames = new Set(shared.map(entityClassName));
  for (const entity of entities) if (isSharedEntity(entity)) sharedNames.add(entityClassName(entity));
  const scoped = new Set<string>();
  for (const entity of entities) {
    const name = entityClassName(entity);
    if (!sharedNames.has(name)) scoped.add(name);
  }
  return { shared: sharedNames, scoped };
}
