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

/** What md reads of a QueryBuilder while it is finalised (`qb.state`, public but `@internal`). */
export interface QueryBuilderState {
  readonly type?: unknown;
  /** Insert / update data, keyed by column once `insert()` / `update()` processed it. */
  readonly data?: unknown;
  readonly finalized: boolean;
  /** The schema `withSchema()` set, if any. */
  readonly schema?: string;
  /** The processed where condition, keyed by property. */
  readonly cond: Record<string, unknown>;
  /** `onConflict()` clauses of an insert (an upsert). */
  readonly onConflict?: readonly unknown[];
  /** Joined relations, by alias: each names the relation property it follows. */
  readonly joins: Record<string, { prop?: { targetMeta?: { className: string } } }>;
}

const FINALIZE = Symbol('md.finalizeHook');
const EXECUTE = Symbol('md.executeCheck');

/** What a guarded query builder keeps of its hooks (in symbol slots, read by shared methods). */
interface FinalizeSlot {
  readonly hook: (qb: object, state: QueryBuilderState) => void;
  readonly finalize: () => unknown;
  readonly clone: (...args: unknown[]) => unknown;
  done: boolean;
}
interface ExecuteSlot {
  readonly check: () => Promise<void> | undefined;
  readonly execute: (...args: unknown[]) => Promise<unknown>;
  started: boolean;
  checked: Promise<void> | undefined;
}
type Guarded = {
  [FINALIZE]: FinalizeSlot;
  [EXECUTE]: ExecuteSlot;
  readonly state: QueryBuilderState;
};

/**
 * Calls `hook(state)` once, just before the query builder turns into SQL —
 * after every `where()` the caller added — so a condition added there cannot
 * be dropped by a later `where()`.
 *
 * The query builder's `finalize` and `clone` become two functions shared by
 * every guarded query builder, which find the hook in a symbol slot. A
 * closure per query builder stored as its method (the first version of this
 * function) kept each query builder's entity manager, unit of work and
 * entities alive through V8's young-generation collections: md's row-level
 * requests promoted 5.3 MB per scavenge where plain MikroORM promoted 1.3 MB,
 * and each scavenge took twice as long (benchmarks/routing, `--trace-gc-nvp`).
 *
 * Relies on: `QueryBuilder#finalize()` (TypeScript-private) running before
 * every SQL rendering (`getFormattedQuery`, `execute`, `getResult`…), and
 * `qb.state` holding `type`, `data` and `finalized`.
 */
export function beforeQueryBuilderFinalize<TQb extends object>(
  qb: TQb,
  hook: (qb: TQb, state: QueryBuilderState) => void,
): TQb {
  const target = qb as TQb & Guarded & { finalize(): unknown; clone(...args: unknown[]): unknown };
  target[FINALIZE] = {
    hook: hook as FinalizeSlot['hook'],
    finalize: target.finalize,
    clone: target.clone,
    done: false,
  };
  target.finalize = finalizeOnce;
  // `getCount()` and `getResultAndCount()` run a clone, built without the driver's createQueryBuilder.
  target.clone = cloneWithHook;
  return qb;
}

function finalizeOnce(this: Guarded): unknown {
  const slot = this[FINALIZE];
  if (!slot.done && !this.state.finalized) {
    slot.done = true;
    slot.hook(this, this.state);
  }
  return slot.finalize.call(this);
}

function cloneWithHook(this: Guarded, ...args: unknown[]): unknown {
  const slot = this[FINALIZE];
  const copy = slot.clone.apply(this, args) as Guarded;
  return copy.state.finalized ? copy : beforeQueryBuilderFinalize<object>(copy, slot.hook);
}

/**
 * Runs `check` (once) before the query builder's statement is sent: for
 * checks that must read the database first (does a related row belong to
 * the domain?), which `finalize` — synchronous — cannot do. A check with
 * nothing to read answers undefined, and the statement goes without a
 * promise of md's in between. Like {@link beforeQueryBuilderFinalize},
 * through a shared method and a slot.
 *
 * Relies on: `QueryBuilder#execute()` being the one method every
 * insert and update query builder is run through (`nativeInsert`,
 * `nativeUpdate` and `qb.execute()` alike).
 */
export function beforeQueryBuilderExecute<TQb extends object>(
  qb: TQb,
  check: () => Promise<void> | undefined,
): TQb {
  const target = qb as TQb & Guarded & { execute(...args: unknown[]): Promise<unknown> };
  target[EXECUTE] = { check, execute: target.execute, started: false, checked: undefined };
  target.execute = executeChecked;
  return qb;
}

function executeChecked(this: Guarded, ...args: unknown[]): Promise<unknown> {
  const slot = this[EXECUTE];
  if (!slot.started) {
    let checked: Promise<void> | undefined;
    try {
      checked = slot.check();
    } catch (error) {
      // As from an async function, and checked again if the statement is run again.
      return Promise.reject(error);
    }
    slot.started = true;
    slot.checked = checked;
  }
  if (slot.checked === undefined) return slot.execute.apply(this, args);
  return slot.checked.then(() => slot.execute.apply(this, args));
}

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
