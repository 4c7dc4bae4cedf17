// The one place md reaches past MikroORM's documented API. Each function
// names what it relies on; `test/internals.test.ts` checks every assumption
// against the installed MikroORM, so an upgrade that changes one fails there,
// loudly, instead of silently weakening isolation.
import type { Configuration, EntityManager, MetadataStorage, MikroORM } from '@mikro-orm/core';

/**
 * Makes a store's configuration hand out the template's comparator,
 * hydrator and naming strategy. They are built from the metadata alone
 * (and compile one function per entity on first use), so every store of a
 * strategy can share them: a store then costs a configuration, a driver and
 * an entity manager, not a second copy of the compiled functions. The
 * result cache is never shared: two domains' identical queries must not
 * meet in it.
 *
 * Relies on: `Configuration#getComparator(metadata)`, `#getHydrator(metadata)`
 * and `#getNamingStrategy()` being the only way the driver, the entity
 * manager and the entity factory obtain these services.
 */
export function shareMetadataServices(
  config: Configuration,
  template: Configuration,
  metadata: MetadataStorage,
): void {
  const comparator = template.getComparator(metadata);
  const hydrator = template.getHydrator(metadata);
  const naming = template.getNamingStrategy();
  Object.assign(config, {
    getComparator: () => comparator,
    getHydrator: () => hydrator,
    getNamingStrategy: () => naming,
  });
}

/** What md reads of a QueryBuilder while it is finalised (`qb.state`, public but `@internal`). */
export interface QueryBuilderState {
  readonly type?: unknown;
  readonly data?: unknown;
  readonly finalized: boolean;
}

/**
 * Calls `hook(state)` once, just before the query builder turns into SQL —
 * after every `where()` the caller added — so a condition added there cannot
 * be dropped by a later `where()`.
 *
 * Relies on: `QueryBuilder#finalize()` (TypeScript-private) running before
 * every SQL rendering (`getFormattedQuery`, `execute`, `getResult`…), and
 * `qb.state` holding `type`, `data` and `finalized`.
 */
export function beforeQueryBuilderFinalize<TQb extends object>(
  qb: TQb,
  hook: (qb: TQb, state: QueryBuilderState) => void,
): TQb {
  const target = qb as TQb & { finalize(): void; readonly state: QueryBuilderState };
  const finalize = target.finalize;
  let done = false;
  target.finalize = function mdFinalize(this: typeof target) {
    if (!done && !this.state.finalized) {
      done = true;
      hook(this, this.state);
    }
    return finalize.call(this);
  };
  return qb;
}

/** The connection methods every query and transaction of a store goes through. */
export interface ConnectionHooks {
  execute: (...args: unknown[]) => Promise<unknown>;
  begin: (...args: unknown[]) => Promise<unknown>;
  commit: (...args: unknown[]) => Promise<unknown>;
  rollback: (...args: unknown[]) => Promise<unknown>;
}

/**
 * Replaces a connection's `execute`, `begin`, `commit` and `rollback` with
 * `wrap(original)`, for accounting that must see every statement and every
 * transaction (the database-per-domain pool budget).
 *
 * Relies on: MikroORM sending every entity-manager and query-builder
 * statement through `connection.execute`, and every transaction through
 * `begin` then `commit` or `rollback` on the same connection object.
 */
export function wrapConnection(
  connection: object,
  wrap: (original: ConnectionHooks) => ConnectionHooks,
): void {
  const target = connection as ConnectionHooks;
  const original: ConnectionHooks = {
    execute: target.execute.bind(target),
    begin: target.begin.bind(target),
    commit: target.commit.bind(target),
    rollback: target.rollback.bind(target),
  };
  Object.assign(target, wrap(original));
}

/**
 * Registers the platform's extensions (the schema generator, which the
 * Migrator needs) on a store's configuration, as `new MikroORM()` does for
 * its own.
 *
 * Relies on: `Platform#init(orm)` reading only `orm.config` and `orm.em`.
 */
export function registerPlatformExtensions(config: Configuration, em: EntityManager): void {
  config.getPlatform().init({ config, em } as unknown as MikroORM);
}
