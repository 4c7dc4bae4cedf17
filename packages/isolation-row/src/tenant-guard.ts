// biome-ignore-all lint/suspicious/noExplicitAny: the overrides must match MikroORM's overloaded generic signatures exactly.
import { MdError } from '@md/core';
import { beforeQueryBuilderFinalize } from '@md/mikro-orm';
import type { EntityMetadata, EventArgs, EventSubscriber, FlushEventArgs } from '@mikro-orm/core';
import { SqlEntityManager } from '@mikro-orm/sql';

/** The filter every domain-scoped read, update and delete goes through. */
export const TENANT_FILTER = 'md_tenant';

/** Where the guard finds the tenant property of an entity (undefined for shared entities). */
export interface TenantInfo {
  /** Property name of the tenant column on domain-scoped entities. */
  property: string;
  /** Column name. */
  column: string;
  /** Class names of domain-scoped entities. */
  scoped: ReadonlySet<string>;
}

const infos = new WeakMap<object, TenantInfo>();

/** @internal Binds tenant info to the metadata every store of one strategy shares. */
export function bindTenantInfo(metadata: object, info: TenantInfo): void {
  infos.set(metadata, info);
}

function infoOf(em: SqlEntityManager): TenantInfo {
  const info = infos.get(em.getMetadata());
  if (info === undefined) throw MdError.isolationNotConfigured('rowLevel entity manager');
  return info;
}

/** The domain an entity manager is scoped to; throws `NO_CURRENT_DOMAIN` when it has none. */
export function domainOf(em: SqlEntityManager, what: string): string {
  const params = em.getFilterParams<{ domain?: string }>(TENANT_FILTER) as { domain?: string } | undefined;
  if (params?.domain === undefined) throw MdError.noCurrentDomain(what);
  return params.domain;
}

function classNameOf(em: SqlEntityManager, entity: unknown): string | undefined {
  if (typeof entity === 'string') return entity;
  if (entity !== null && typeof entity === 'object') {
    const meta = (entity as { meta?: EntityMetadata }).meta;
    if (meta?.className !== undefined) return meta.className;
    const ctor = (entity as { constructor?: { name?: string } }).constructor;
    if (
      ctor?.name !== undefined &&
      ctor.name !== 'Object' &&
      em.getMetadata().getByClassName(ctor.name, false) !== undefined
    )
      return ctor.name;
  }
  if (typeof entity === 'function') return (entity as { name: string }).name;
  return undefined;
}

/** Sets the tenant on `data` (insert) or checks it is the current domain; throws `TENANT_MISMATCH` otherwise. */
function stamp(em: SqlEntityManager, className: string, data: Record<string, unknown>, setIt: boolean): void {
  const info = infoOf(em);
  if (!info.scoped.has(className)) return;
  const domain = domainOf(em, `Writing ${className}`);
  for (const key of [info.property, info.column]) {
    const value = data[key];
    if (value !== undefined && value !== domain) throw MdError.tenantMismatch(className, domain, value);
  }
  if (setIt) data[info.property] = domain;
}

/**
 * The entity manager of the row-level strategy: every native write path
 * (`insert`, `insertMany`, `nativeUpdate`, `upsert`, `upsertMany`) stamps or
 * checks the tenant, upserts refuse a key another domain owns, and query
 * builders on domain-scoped entities always carry the domain's condition
 * (added when the query is built, so a later `where()` cannot drop it).
 */
export class RowEntityManager extends SqlEntityManager {
  override async insert(entityNameOrEntity: any, data?: any, options?: any): Promise<any> {
    const name = classNameOf(this, entityNameOrEntity);
    if (name !== undefined && data !== undefined && data !== null && typeof data === 'object')
      stamp(this, name, data, true);
    else if (name !== undefined && data === undefined) stamp(this, name, entityNameOrEntity, true);
    return super.insert(entityNameOrEntity, data, options);
  }

  override async insertMany(entityNameOrEntities: any, data?: any, options?: any): Promise<any> {
    const name = classNameOf(
      this,
      Array.isArray(entityNameOrEntities) ? entityNameOrEntities[0] : entityNameOrEntities,
    );
    const rows = (Array.isArray(entityNameOrEntities) ? entityNameOrEntities : data) ?? [];
    if (name !== undefined) for (const row of rows) stamp(this, name, row, true);
    return super.insertMany(entityNameOrEntities, data, options);
  }

  override async nativeUpdate(entityName: any, where: any, data: any, options?: any): Promise<number> {
    const name = classNameOf(this, entityName);
    if (name !== undefined) stamp(this, name, data, false);
    return super.nativeUpdate(entityName, where, data, options);
  }

  override async upsert(entityNameOrEntity: any, data?: any, options?: any): Promise<any> {
    const name = classNameOf(this, entityNameOrEntity);
    const row = data ?? entityNameOrEntity;
    if (name !== undefined && row !== null && typeof row === 'object') {
      stamp(this, name, row, true);
      await this.#refuseForeignKey(name, row);
    }
    return super.upsert(entityNameOrEntity, data, options);
  }

  override async upsertMany(entityNameOrEntity: any, data?: any, options?: any): Promise<any> {
    const name = classNameOf(
      this,
      Array.isArray(entityNameOrEntity) ? entityNameOrEntity[0] : entityNameOrEntity,
    );
    const rows = (Array.isArray(entityNameOrEntity) ? entityNameOrEntity : data) ?? [];
    if (name !== undefined)
      for (const row of rows) {
        stamp(this, name, row, true);
        await this.#refuseForeignKey(name, row);
      }
    return super.upsertMany(entityNameOrEntity, data, options);
  }

  override createQueryBuilder(entityName: any, alias?: any, type?: any, loggerContext?: any): any {
    const qb = super.createQueryBuilder(entityName, alias, type, loggerContext) as any;
    const info = infoOf(this);
    const name = classNameOf(this, entityName);
    if (name === undefined || !info.scoped.has(name)) return qb;
    const domain = domainOf(this, `A query builder on ${name}`);
    return beforeQueryBuilderFinalize(qb, (builder: any, state) => {
      const isInsert = String(state.type).toLowerCase().includes('insert');
      if (state.data !== undefined && state.data !== null) {
        const rows = Array.isArray(state.data) ? state.data : [state.data];
        for (const row of rows) stamp(this, name, row as Record<string, unknown>, isInsert);
      }
      if (!isInsert) builder.andWhere({ [info.property]: domain });
    });
  }

  /** An upsert keyed by the primary key must not take over a row another domain owns. */
  async #refuseForeignKey(name: string, row: Record<string, unknown>): Promise<void> {
    const meta = this.getMetadata().getByClassName(name);
    const info = infoOf(this);
    const pk = meta.primaryKeys[0];
    if (pk === undefined || row[pk] === undefined) return;
    const domain = domainOf(this, `Writing ${name}`);
    const owners = await this.fork().find(meta.class, { [pk]: row[pk] } as never, {
      filters: false,
      fields: [info.property] as never,
    });
    for (const owner of owners) {
      const tenant = (owner as Record<string, unknown>)[info.property];
      if (tenant !== domain) throw MdError.tenantMismatch(name, domain, tenant);
    }
  }
}

/**
 * Stamps the current domain on every entity inserted by a flush, and
 * refuses a flush that would change a row's tenant.
 */
export class TenantSubscriber implements EventSubscriber {
  beforeCreate(args: EventArgs<object>): void {
    const em = args.em as SqlEntityManager;
    const name = args.meta?.className ?? classNameOf(em, args.entity);
    if (name !== undefined) stamp(em, name, args.entity as Record<string, unknown>, true);
  }

  beforeUpdate(args: EventArgs<object>): void {
    const em = args.em as SqlEntityManager;
    const name = args.meta?.className ?? classNameOf(em, args.entity);
    const payload = args.changeSet?.payload as Record<string, unknown> | undefined;
    if (name !== undefined && payload !== undefined) stamp(em, name, payload, false);
  }

  onFlush(_args: FlushEventArgs): void {}
}
