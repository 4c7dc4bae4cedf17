// md's hooks into MikroORM's QueryBuilder: part of what md relies on past
// MikroORM's documented API (see internals.ts, which re-exports them);
// `test/internals.test.ts` checks every assumption against the installed MikroORM.

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
