import { MdError } from '@md/core';
import {
  EntityIdentifier,
  type EntityMetadata,
  type EntityProperty,
  helper,
  isRaw,
  type MetadataStorage,
  Reference,
  Utils,
} from '@mikro-orm/core';

/** The tenant column of row-level isolation, and the tables that carry it. */
export interface TenantRule {
  /** Property name on every domain-scoped entity (e.g. `tenantId`). */
  readonly property: string;
  /** Column name (e.g. `tenant_id`). */
  readonly column: string;
  /** Class names of the entities that carry it, generated pivot entities included. */
  readonly scoped: ReadonlySet<string>;
}

/**
 * What a strategy asks the shared guard to enforce on every statement a
 * domain's entity manager issues, whatever API issued it: a find or a
 * count, the unit of work's inserts, updates and deletes, the pivot-table
 * persister, a query builder, a native or upsert call, the driver itself.
 */
export interface DomainGuardRules {
  /** The strategy's name, for error messages (`'schema-per-domain'`). */
  readonly strategy: string;
  /** Class names of the shared entities. */
  readonly shared: ReadonlySet<string>;
  /**
   * Shared entities live only in the root domain's store (database and
   * schema isolation): a domain's entity manager refuses them with
   * `SHARED_ENTITY_OUTSIDE_ROOT` instead of reading an empty copy.
   */
  readonly sharedInRootOnly: boolean;
  /** Schema isolation: entities of every domain's schema (`schema: '*'`) run in the entity manager's schema only. */
  readonly schemaPerDomain: boolean;
  /** Row isolation: the tenant column every statement on a scoped table is stamped with or scoped by. */
  readonly tenant?: TenantRule;
}

/** The domain an entity manager belongs to: set when the strategy opens it, kept by every fork. */
export interface DomainBinding {
  readonly domain: string;
  readonly root: boolean;
  /** Schema isolation: the domain's schema. */
  readonly schema?: string;
  /** `strategy.sharedEm()`: shared entities only (the root domain's own rows stay its own). */
  readonly sharedOnly?: boolean;
}

const rulesByMetadata = new WeakMap<object, DomainGuardRules>();

/** How the binding is read and written: a private field of `MdEntityManager`, reached through its accessors. */
interface BindingAccess {
  get(em: object): DomainBinding | undefined;
  set(em: object, binding: DomainBinding): void;
}
let access: BindingAccess | undefined;

/**
 * @internal Called once, by `MdEntityManager`'s static block: the binding
 * lives in the entity manager's own private field (no side table to look up
 * or to sweep, and no property anyone else can read, write or forge), and
 * only this module reaches it.
 */
export function provideBindingAccess(given: BindingAccess): void {
  if (access !== undefined) throw new Error('@md/mikro-orm: the binding access is provided once');
  access = given;
}

/** The shared entities plus the pivot tables MikroORM generated between them. */
export function withSharedPivots(
  shared: ReadonlySet<string>,
  metadata: MetadataStorage,
): ReadonlySet<string> {
  const all = new Set(shared);
  for (const meta of metadata.getAll().values())
    if (
      meta.pivotTable === true &&
      meta.relations.every((r) => r.targetMeta !== undefined && shared.has(r.targetMeta.className))
    )
      all.add(meta.className);
  return all;
}

/** Sets the rules every store of a strategy enforces (stores share the template's metadata). */
export function setGuardRules(metadata: object, rules: DomainGuardRules): void {
  rulesByMetadata.set(metadata, rules);
}

/** The rules bound to a metadata storage, if any. */
export function guardRulesOf(metadata: object): DomainGuardRules | undefined {
  return rulesByMetadata.get(metadata);
}

/** Binds an entity manager (an `MdEntityManager`: anything else throws) to its domain; forks keep the binding. */
export function bindDomain(em: object, binding: DomainBinding): void {
  if (access === undefined)
    throw new TypeError('@md/mikro-orm: only an MdEntityManager is bound to a domain');
  access.set(em, binding);
}

/**
 * The domain an entity manager was opened for (undefined for a store's own
 * root entity manager, which strategies use internally).
 *
 * @example
 * domainBinding(site.em)?.domain; // 'acme'
 */
export function domainBinding(em: object | undefined): DomainBinding | undefined {
  return em === undefined || access === undefined ? undefined : access.get(em);
}

/**
 * The shared-entity and schema checks for one statement on `meta`: throws
 * `SHARED_ENTITY_OUTSIDE_ROOT` or `TENANT_MISMATCH`, else returns the
 * schema the statement must run in (an unset schema becomes the domain's).
 */
export function checkEntity(
  rules: DomainGuardRules,
  binding: DomainBinding,
  meta: EntityMetadata,
  schema: string | undefined,
): string | undefined {
  if (binding.sharedOnly === true && !rules.shared.has(meta.className))
    throw MdError.foreignData(
      binding.domain,
      `${meta.className} through strategy.sharedEm(), which reads and writes shared entities only`,
    );
  if (rules.sharedInRootOnly && !binding.root && rules.shared.has(meta.className))
    throw MdError.sharedEntityOutsideRoot(meta.className, binding.domain, rules.strategy);
  if (!rules.schemaPerDomain || meta.schema !== '*') return schema;
  if (schema === undefined || schema === '*') return binding.schema;
  if (schema !== binding.schema) throw MdError.foreignData(binding.domain, `schema "${schema}"`);
  return schema;
}

/** The tenant rule when `meta` is one of its tables. */
export function tenantOf(rules: DomainGuardRules, meta: EntityMetadata): TenantRule | undefined {
  return rules.tenant?.scoped.has(meta.className) === true ? rules.tenant : undefined;
}

/** Refuses a row whose tenant (under its property or column name) is another domain's. */
export function checkTenant(
  tenant: TenantRule,
  binding: DomainBinding,
  meta: EntityMetadata,
  row: Record<string, unknown>,
): void {
  for (const key of [tenant.property, tenant.column]) {
    const value = row[key];
    if (value !== undefined && value !== binding.domain)
      throw MdError.tenantMismatch(meta.className, binding.domain, value);
  }
}

/**
 * Stamps the domain on a row to insert, under `key` (`property` for data
 * keyed by property, `column` once a query builder has processed it),
 * after refusing a tenant of another domain.
 */
export function stampTenant(
  tenant: TenantRule,
  binding: DomainBinding,
  meta: EntityMetadata,
  row: Record<string, unknown>,
  key: 'property' | 'column',
): void {
  checkTenant(tenant, binding, meta, row);
  delete row[key === 'property' ? tenant.column : tenant.property];
  row[tenant[key]] = binding.domain;
}

/** A to-one relation from a scoped table to a scoped entity, with the keys its value may be found under. */
export interface ScopedRelation {
  readonly prop: EntityProperty;
  readonly target: EntityMetadata;
  readonly keys: readonly string[];
}

const relationsByMeta = new WeakMap<EntityMetadata, ScopedRelation[]>();

/** The relations of `meta` whose value must name a row of the same domain. */
export function scopedRelations(tenant: TenantRule, meta: EntityMetadata): readonly ScopedRelation[] {
  let relations = relationsByMeta.get(meta);
  if (relations === undefined) {
    relations = [];
    for (const prop of meta.relations) {
      const toOne = prop.kind === 'm:1' || (prop.kind === '1:1' && prop.owner === true);
      const target = prop.targetMeta;
      if (!toOne || target === undefined || !tenant.scoped.has(target.className)) continue;
      if (target.primaryKeys.length !== 1) continue;
      relations.push({ prop, target, keys: [prop.name, ...(prop.fieldNames ?? [])] });
    }
    relationsByMeta.set(meta, relations);
  }
  return relations;
}

/** The primary key a relation value names (an id, an entity, a reference), or undefined for none. */
function referencedKey(domain: string, relation: ScopedRelation, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (isRaw(value))
    throw MdError.foreignData(domain, `a raw SQL value for ${relation.prop.name} (it cannot be checked)`);
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.length === 1 ? referencedKey(domain, relation, value[0]) : value;
  const entity = Reference.isReference(value) ? (value as Reference<object>).unwrap() : value;
  if (entity instanceof EntityIdentifier) return entity.getValue();
  if (Utils.isEntity(entity)) return helper(entity).getPrimaryKey();
  return value;
}

/**
 * The keys each scoped relation of `rows` names, left out those the entity
 * manager already holds as a row of its own domain (loaded or inserted by it).
 */
export function unverifiedReferences(
  tenant: TenantRule,
  binding: DomainBinding,
  meta: EntityMetadata,
  rows: readonly Record<string, unknown>[],
  known: (target: EntityMetadata, id: unknown) => unknown,
): Map<ScopedRelation, Set<unknown>> {
  const pending = new Map<ScopedRelation, Set<unknown>>();
  for (const relation of scopedRelations(tenant, meta)) {
    for (const row of rows) {
      const key = relation.keys.find((k) => row[k] !== undefined);
      if (key === undefined) continue;
      const id = referencedKey(binding.domain, relation, row[key]);
      if (id === undefined) continue;
      const entity = known(relation.target, id) as Record<string, unknown> | undefined;
      if (entity?.[tenant.property] === binding.domain) continue;
      const ids = pending.get(relation) ?? new Set<unknown>();
      pending.set(relation, ids);
      ids.add(id);
    }
  }
  return pending;
}

/**
 * True when a processed where condition already requires the domain's
 * tenant at its top level (the tenant filter put it there): selects and
 * counts key it `<alias>.<property>`, updates and deletes `<property>`.
 */
export function requiresTenant(
  cond: Record<string, unknown>,
  tenant: TenantRule,
  domain: string,
  alias: string,
): boolean {
  const aliased = `${alias}.${tenant.property}`;
  const requires = (c: unknown) => {
    const r = c as Record<string, unknown> | undefined;
    return r?.[tenant.property] === domain || r?.[aliased] === domain;
  };
  const all = cond.$and;
  return requires(cond) || (Array.isArray(all) && all.some(requires));
}

/** A database refusal that means "another domain's row" (row-level security), as `TENANT_MISMATCH`. */
export function asForeignData(error: unknown, binding: DomainBinding, meta: EntityMetadata): unknown {
  const message = (error as Error)?.message ?? '';
  return /row-level security/i.test(message)
    ? MdError.foreignData(
        binding.domain,
        `a row of ${meta.className} (the database's row-level security refused it)`,
      )
    : error;
}
