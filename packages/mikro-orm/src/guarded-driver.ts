// biome-ignore-all lint/suspicious/noExplicitAny: the view's methods stand in for MikroORM's overloaded driver methods.
import { MdError } from '@md/core';
import type { EntityManager, EntityMetadata, MetadataStorage } from '@mikro-orm/core';
import type { AbstractSqlDriver } from '@mikro-orm/sql';
import {
  asForeignData,
  checkEntity,
  checkTenant,
  type DomainBinding,
  type DomainGuardRules,
  domainBinding,
  guardRulesOf,
  requiresTenant,
  stampTenant,
  type TenantRule,
  tenantOf,
  unverifiedReferences,
} from './domain-guard.js';
import {
  beforeQueryBuilderExecute,
  beforeQueryBuilderFinalize,
  driverViewOwner,
  type QueryBuilderState,
  realDriver,
} from './internals.js';

type Row = Record<string, unknown>;
type View = AbstractSqlDriver & { metadata: MetadataStorage };

/** What a statement of the view runs under: the entity manager's domain and the strategy's rules. */
interface Scope {
  readonly em: EntityManager;
  readonly binding: DomainBinding;
  readonly rules: DomainGuardRules;
  readonly meta: EntityMetadata;
}

function scopeOf(view: View, entityName: unknown): Scope | undefined {
  const em = driverViewOwner<EntityManager>(view);
  const binding = domainBinding(em);
  if (em === undefined || binding === undefined) return undefined;
  const rules = guardRulesOf(view.metadata);
  const meta = rules === undefined ? undefined : view.metadata.find(entityName as never);
  return rules === undefined || meta === undefined ? undefined : { em, binding, rules, meta };
}

const real = (view: View): AbstractSqlDriver => realDriver(view);
const rowsOf = (data: unknown): Row[] =>
  data === undefined || data === null ? [] : ((Array.isArray(data) ? data : [data]) as Row[]);

/**
 * Refuses a relation value that names a row of another domain: the rows the
 * entity manager holds are checked in memory, the others with one count per
 * relation (through the view, so the count itself is scoped to the domain).
 * Answers undefined, without a promise, when nothing needs a count.
 */
function verifyReferences(
  view: View,
  scope: Scope,
  tenant: TenantRule,
  rows: Row[],
  ctx: unknown,
): Promise<void> | undefined {
  const uow = scope.em.getUnitOfWork(false);
  const pending = unverifiedReferences(tenant, scope.binding, scope.meta, rows, (target, id) =>
    uow.getById(target.class as never, id as never),
  );
  return pending.size === 0 ? undefined : countReferences(view, scope, pending, ctx);
}

async function countReferences(
  view: View,
  scope: Scope,
  pending: ReturnType<typeof unverifiedReferences>,
  ctx: unknown,
): Promise<void> {
  for (const [relation, ids] of pending) {
    const pk = relation.target.primaryKeys[0]!;
    const found = await view.count(
      relation.target.class,
      { [pk]: { $in: [...ids] } } as never,
      {
        ctx,
      } as never,
    );
    if (found !== ids.size)
      throw MdError.foreignData(
        scope.binding.domain,
        `the ${relation.target.className} that ${scope.meta.className}.${relation.prop.name} points to`,
      );
  }
}

/**
 * The checks every query builder on a guarded table gets, just before it
 * renders (after every `where()` its caller added): the domain's schema,
 * no join into a shared table outside the root store, and with a tenant
 * column — inserts stamped, other writes checked, every select, count,
 * update and delete (an upsert's conflict branch included) limited to the
 * domain's rows. Inserts and updates also check their relations first.
 */
function guardQueryBuilder(view: View, scope: Scope, qb: any): any {
  const { rules, binding, meta } = scope;
  const tenant = tenantOf(rules, meta);
  const schemaScoped = rules.schemaPerDomain && meta.schema === '*';
  // No shared entity, no join into one to refuse (database-per-domain without shared entities: no hook at all).
  const sharedOutside = rules.sharedInRootOnly && !binding.root && rules.shared.size > 0;
  if (tenant === undefined && !schemaScoped && !sharedOutside) return qb;
  beforeQueryBuilderFinalize(qb, (builder: any, state: QueryBuilderState) => {
    if (schemaScoped) {
      const schema = checkEntity(rules, binding, meta, state.schema);
      if (schema !== state.schema) builder.withSchema(schema);
    }
    if (sharedOutside)
      for (const join of Object.values(state.joins)) {
        const target = join.prop?.targetMeta?.className;
        if (target !== undefined && rules.shared.has(target))
          throw MdError.sharedEntityOutsideRoot(target, binding.domain, rules.strategy);
      }
    if (tenant === undefined) return;
    const type = String(state.type ?? 'select').toLowerCase();
    if (type === 'truncate') throw MdError.foreignData(binding.domain, `every row of ${meta.className}`);
    if (type === 'insert' || type === 'upsert') {
      for (const row of rowsOf(state.data)) stampTenant(tenant, binding, meta, row, 'column');
      // An upsert's update branch touches only a row of the domain (a conflict with another's is skipped).
      if (state.onConflict !== undefined) builder.andWhere({ [tenant.property]: binding.domain });
      return;
    }
    for (const row of rowsOf(state.data)) checkTenant(tenant, binding, meta, row);
    if (!requiresTenant(state.cond, tenant, binding.domain, builder.alias))
      builder.andWhere({ [tenant.property]: binding.domain });
  });
  if (tenant !== undefined)
    beforeQueryBuilderExecute(qb, () => {
      const state = qb.state as QueryBuilderState;
      return state.data === undefined
        ? undefined
        : verifyReferences(view, scope, tenant, rowsOf(state.data), qb.context);
    });
  return qb;
}

/**
 * The methods of the driver view every md entity manager sees (see
 * `createDriverView`). Statements of an entity manager bound to a domain
 * pass the strategy's rules; a store's own root entity manager, which
 * strategies use internally, passes through unchanged.
 */
export const GUARDED_DRIVER: Record<string, unknown> = {
  // The driver wraps whatever a statement throws into a DriverException: a refusal of the guards stays as it is.
  convertException(this: View, exception: unknown) {
    return MdError.is(exception) ? exception : (real(this).convertException as any).call(this, exception);
  },

  createQueryBuilder(this: View, entityName: unknown, ...rest: unknown[]) {
    const qb = (real(this).createQueryBuilder as any).call(this, entityName, ...rest);
    const scope = scopeOf(this, entityName);
    if (scope === undefined) return qb;
    checkEntity(scope.rules, scope.binding, scope.meta, undefined);
    return guardQueryBuilder(this, scope, qb);
  },

  // Collection.matching() loads a many-to-many relation without the entity manager's schema.
  loadFromPivotTable(this: View, prop: { pivotEntity: unknown }, ...rest: any[]) {
    const scope = scopeOf(this, prop.pivotEntity);
    const index = 4; // (owners, where, orderBy, ctx, options, pivotJoin)
    if (scope !== undefined) {
      const options = rest[index] ?? {};
      const schema = checkEntity(scope.rules, scope.binding, scope.meta, options.schema);
      if (schema !== options.schema) rest[index] = { ...options, schema };
    }
    return (real(this).loadFromPivotTable as any).call(this, prop, ...rest);
  },

  async nativeInsert(this: View, entityName: unknown, data: Row, options: any = {}) {
    const scope = scopeOf(this, entityName);
    try {
      return await (real(this).nativeInsert as any).call(this, entityName, data, options);
    } catch (error) {
      throw scope === undefined ? error : asForeignData(error, scope.binding, scope.meta);
    }
  },

  // Built as raw SQL, not through a query builder: the rules are applied to the rows here.
  async nativeInsertMany(
    this: View,
    entityName: unknown,
    data: Row[],
    options: any = {},
    transform?: unknown,
  ) {
    const scope = scopeOf(this, entityName);
    if (scope === undefined)
      return (real(this).nativeInsertMany as any).call(this, entityName, data, options, transform);
    const schema = checkEntity(scope.rules, scope.binding, scope.meta, options.schema);
    const opts = schema === options.schema ? options : { ...options, schema };
    const tenant = tenantOf(scope.rules, scope.meta);
    if (tenant !== undefined) {
      for (const row of data) stampTenant(tenant, scope.binding, scope.meta, row, 'property');
      const verified = verifyReferences(this, scope, tenant, data, opts.ctx);
      if (verified !== undefined) await verified;
    }
    try {
      return await (real(this).nativeInsertMany as any).call(this, entityName, data, opts, transform);
    } catch (error) {
      throw asForeignData(error, scope.binding, scope.meta);
    }
  },

  async nativeUpdate(this: View, entityName: unknown, where: unknown, data: Row, options: any = {}) {
    const scope = scopeOf(this, entityName);
    if (scope === undefined)
      return (real(this).nativeUpdate as any).call(this, entityName, where, data, options);
    let res: { affectedRows: number };
    try {
      res = await (real(this).nativeUpdate as any).call(this, entityName, where, data, options);
    } catch (error) {
      throw asForeignData(error, scope.binding, scope.meta);
    }
    refuseSkippedUpsert(scope, options, res.affectedRows, 1);
    return res;
  },

  async nativeUpdateMany(
    this: View,
    entityName: unknown,
    where: unknown[],
    data: Row[],
    options: any = {},
    transform?: unknown,
  ) {
    const scope = scopeOf(this, entityName);
    const update = real(this).nativeUpdateMany as any;
    if (scope === undefined) return update.call(this, entityName, where, data, options, transform);
    if (options.upsert === true) {
      let res: { affectedRows: number };
      try {
        res = await update.call(this, entityName, where, data, options, transform);
      } catch (error) {
        throw asForeignData(error, scope.binding, scope.meta);
      }
      refuseSkippedUpsert(scope, options, res.affectedRows, data.length);
      return res;
    }
    const schema = checkEntity(scope.rules, scope.binding, scope.meta, options.schema);
    const opts = schema === options.schema ? options : { ...options, schema };
    if (tenantOf(scope.rules, scope.meta) === undefined)
      return update.call(this, entityName, where, data, opts, transform);
    // One batched UPDATE is raw SQL keyed by primary key only: run one scoped UPDATE per row instead.
    const results = [];
    for (let i = 0; i < data.length; i++)
      results.push(await this.nativeUpdate(entityName as never, where[i] as never, data[i] as never, opts));
    const rows = results.map((r) => r.row).filter((row) => row !== undefined && Object.keys(row).length > 0);
    return { affectedRows: results.reduce((n, r) => n + r.affectedRows, 0), insertId: 0, rows };
  },

  async nativeDelete(this: View, entityName: unknown, where: unknown, options: any = {}) {
    const scope = scopeOf(this, entityName);
    try {
      return await (real(this).nativeDelete as any).call(this, entityName, where, options);
    } catch (error) {
      throw scope === undefined ? error : asForeignData(error, scope.binding, scope.meta);
    }
  },
};

/** An upsert that merges but changed fewer rows than it sent hit a key of another domain, which it skipped. */
function refuseSkippedUpsert(scope: Scope, options: any, affected: number, sent: number): void {
  const merges = options.upsert === true && (options.onConflictAction ?? 'merge') === 'merge';
  if (merges && tenantOf(scope.rules, scope.meta) !== undefined && affected < sent)
    throw MdError.foreignData(
      scope.binding.domain,
      `a key of ${scope.meta.className} that another domain owns`,
    );
}
