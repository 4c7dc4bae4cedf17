import { MdError } from '@md/core';
import {
  type AnyEntity,
  domainBinding,
  entityClassName,
  type MigrationOptions,
  migrateStore,
  type StoreOrm,
} from '@md/mikro-orm';
import { type EntityMetadata, EntitySchema, type MetadataStorage, type Options } from '@mikro-orm/core';
import { CURRENT_DOMAIN } from './postgres-rls.js';

/** The filter every domain-scoped read goes through (relations and populate included). */
export const TENANT_FILTER = 'md_tenant';
/** One row per provisioned domain. */
export const MARKER_TABLE = 'md_provisioned_domain';

/**
 * Adds the tenant property (column `tenant_id`) to every domain-scoped
 * `EntitySchema`, once: entities stay strategy-agnostic. On PostgreSQL a raw
 * INSERT gets the verified domain of the session as its default.
 */
export function addTenantProperty(
  entities: readonly AnyEntity[],
  scoped: ReadonlySet<string>,
  property: string,
  postgres: boolean,
): void {
  for (const entity of entities) {
    if (!scoped.has(entityClassName(entity)) || !(entity instanceof EntitySchema)) continue;
    if (entity.meta.properties[property as never] !== undefined) continue;
    entity.addProperty(property as never, 'string', {
      fieldName: 'tenant_id',
      length: 64,
      index: true,
      ...(postgres ? { defaultRaw: CURRENT_DOMAIN } : {}),
    } as never);
  }
}

/**
 * The tenant filter, fail closed: the domain is the entity manager's own
 * (filter parameters cannot move it), and an entity manager bound to no
 * domain throws `NO_CURRENT_DOMAIN` instead of reading unscoped.
 */
export function tenantFilter(property: string, scopedEntities: readonly object[]): Options['filters'] {
  return {
    [TENANT_FILTER]: {
      name: TENANT_FILTER,
      default: true,
      args: false,
      entity: [...scopedEntities] as never,
      cond: (_args: unknown, _type: string, em: object, _options: unknown, entityName?: string) => {
        const domain = domainBinding(em)?.domain;
        if (domain === undefined)
          throw MdError.noCurrentDomain(`A query on ${entityName ?? 'a domain-scoped entity'}`);
        return { [property]: domain };
      },
    },
  } as Options['filters'];
}

/** True once the shared tables were created on this database (the provisioning record exists). */
export async function hasTables(admin: StoreOrm): Promise<boolean> {
  try {
    await admin.em.getConnection().execute(`select 1 from ${MARKER_TABLE} limit 1`);
    return true;
  } catch {
    return false;
  }
}

/** The shared tables and the provisioning record (the first start on a database). */
export async function installTables(
  admin: StoreOrm,
  rootDomain: string,
  options: MigrationOptions,
  postgres: boolean,
): Promise<void> {
  await admin.driver.connect();
  await migrateStore(admin.em.fork(), rootDomain, options);
  await admin.em
    .getConnection()
    .execute(
      `create table if not exists ${MARKER_TABLE} (domain varchar(64) primary key, provisioned_at ${postgres ? 'timestamptz' : 'datetime'} not null default current_timestamp)`,
    );
}

/** The scoped tables in an order rows can be deleted in: those referring to more scoped tables (pivots) first. */
export function childrenFirst(metadata: MetadataStorage, scoped: ReadonlySet<string>): EntityMetadata[] {
  const metas = [...scoped].map((name) => metadata.getByClassName(name));
  const refs = (m: EntityMetadata) =>
    m.relations.filter((r) => r.kind === 'm:1' && scoped.has(r.type)).length;
  return metas.sort((a, b) => refs(b) - refs(a));
}
