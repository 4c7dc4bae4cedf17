// The one place md reaches past MikroORM's documented API. Each function
// names what it relies on; `test/internals.test.ts` checks every assumption
// against the installed MikroORM, so an upgrade that changes one fails there,
// loudly, instead of silently weakening isolation.
import {
  type Configuration,
  type EntityManager,
  helper,
  type MetadataStorage,
  type MikroORM,
} from '@mikro-orm/core';

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

// The query-builder hooks (the same kind of reliance, checked by the same test) live in their own file.
export {
  beforeQueryBuilderExecute,
  beforeQueryBuilderFinalize,
  type QueryBuilderState,
} from './query-builder-hooks.js';

const REAL_DRIVER = Symbol('md.realDriver');
const VIEW_OWNER = Symbol('md.viewOwner');
const prototypes = new WeakMap<object, WeakMap<object, object>>();

/**
 * The driver as one entity manager sees it: an object that inherits every
 * method of the store's driver, with `methods` on top (one shared prototype
 * per driver and method table), and the entity manager reachable from
 * inside them as {@link driverViewOwner}`(this)`. Every statement the entity
 * manager issues then passes `methods` first — its own calls, the unit of
 * work's change sets, the pivot-table persister, the entity loader and every
 * query builder (which keeps the view as its driver).
 *
 * Relies on: `EntityManager` reading its driver from its `driver` field and
 * `getDriver()` only (UnitOfWork, ChangeSetPersister, EntityLoader and
 * EntityFactory capture `getDriver()` when the entity manager is built; the
 * QueryBuilder takes the driver it is created by), `AbstractSqlDriver`
 * keeping no ES private fields (so an object inheriting from it works as
 * the driver), and the driver's own methods calling each other through `this`.
 */
export function createDriverView<TDriver extends object>(
  em: object,
  driver: TDriver,
  methods: Partial<Record<string, unknown>>,
): TDriver {
  const real = realDriver(driver);
  let byDriver = prototypes.get(methods);
  if (byDriver === undefined) {
    byDriver = new WeakMap();
    prototypes.set(methods, byDriver);
  }
  let proto = byDriver.get(real);
  if (proto === undefined) {
    proto = Object.assign(Object.create(real) as object, methods, { [REAL_DRIVER]: real });
    byDriver.set(real, proto);
  }
  return Object.assign(Object.create(proto), { [VIEW_OWNER]: em }) as TDriver;
}

/** The store's own driver behind a view (the driver itself when it is not one). */
export function realDriver<TDriver extends object>(driver: TDriver): TDriver {
  return ((driver as Record<symbol, unknown>)[REAL_DRIVER] as TDriver | undefined) ?? driver;
}

/** The entity manager a driver view belongs to (inside a view method: `driverViewOwner(this)`). */
export function driverViewOwner<TEm>(view: object): TEm | undefined {
  return (view as Record<symbol, unknown>)[VIEW_OWNER] as TEm | undefined;
}

/** Points an entity manager's `driver` field at its view (the field is `readonly` in MikroORM's types). */
export function useDriverView(em: object, view: object): void {
  (em as { driver: object }).driver = view;
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

/**
 * Gives every pivot table MikroORM generated for a many-to-many relation
 * between domain-scoped entities the tenant property of its owner entity (a
 * copy of the discovered property: same column, type and default), so the
 * links carry their domain like every other row. Returns the class names of
 * the pivot entities it changed. Call it before any store is opened.
 *
 * Relies on: generated pivot entities being in the metadata with
 * `pivotTable: true` and one many-to-one property per side, each naming its
 * entity (`targetMeta`), and `EntityMetadata#addProperty` taking a
 * discovered property as is.
 */
export function addPivotTenantProperty(
  metadata: MetadataStorage,
  property: string,
  scoped: ReadonlySet<string>,
): string[] {
  const changed: string[] = [];
  for (const meta of metadata.getAll().values()) {
    if (meta.pivotTable !== true || meta.properties[property] !== undefined) continue;
    const sides = meta.relations.map((prop) => prop.targetMeta).filter((m) => m !== undefined);
    const owner = sides.find((side) => scoped.has(side.className));
    const template = owner?.properties[property];
    if (owner === undefined || template === undefined) continue;
    meta.addProperty({ ...template, index: false, unique: false, primary: false });
    changed.push(meta.className);
  }
  return changed;
}

/**
 * The entity manager that manages `entity` (loaded it, created it or
 * persisted it first).
 *
 * Relies on: `helper(entity).__em`, which `em.persist()` sets only when it
 * is unset (`em.merge()` moves the entity to the merging entity manager).
 */
export function entityManagerOf(entity: object): object | undefined {
  return helper(entity).__em as object | undefined;
}
