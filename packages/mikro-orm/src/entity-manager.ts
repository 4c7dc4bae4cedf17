import { MdError } from '@md/core';
import {
  type EntityManager,
  type EventArgs,
  type EventSubscriber,
  type ForkOptions,
  helper,
} from '@mikro-orm/core';
import { type AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/sql';
import {
  bindDomain,
  checkTenant,
  type DomainBinding,
  domainBinding,
  guardRulesOf,
  provideBindingAccess,
  stampTenant,
  tenantOf,
} from './domain-guard.js';
import { GUARDED_DRIVER } from './guarded-driver.js';
import { createDriverView, driverViewOwner, entityManagerOf, useDriverView } from './internals.js';

/**
 * The entity manager of every md store. A store's root entity manager is
 * unbound (strategies use it internally); the one a strategy opens for a
 * domain is bound to it ({@link openDomainEm}), and so is every fork of it.
 * Every statement it issues — its own methods, the unit of work, pivot
 * tables, the entity loader, query builders, `getDriver()` — passes the
 * strategy's rules through its view of the driver (see `GUARDED_DRIVER`).
 * A fork never resolves another entity manager's transaction: a domain's
 * entity manager opened inside another's `em.transactional` uses its own
 * store and connection.
 *
 * @example
 * const em = openDomainEm(store, { domain: 'acme', root: false });
 * await em.find(Item, {}); // acme's rows, whatever the caller passes
 */
export class MdEntityManager extends SqlEntityManager {
  // The domain it was opened for (bindDomain/domainBinding): on the instance itself, where a WeakMap
  // set per fork cost ~3.5 µs of each row-level request in a CPU profile, and private to this class.
  #binding: DomainBinding | undefined = undefined;

  static {
    provideBindingAccess({
      get: (em) => (#binding in em ? (em as MdEntityManager).#binding : undefined),
      set: (em, binding) => {
        if (!(#binding in em))
          throw new TypeError('@md/mikro-orm: only an MdEntityManager is bound to a domain');
        (em as MdEntityManager).#binding = binding;
      },
    });
  }

  constructor(...args: ConstructorParameters<typeof SqlEntityManager>) {
    super(...args);
    // A subclass may answer its own view: the field is what MikroORM reads.
    useDriverView(this, this.getDriver());
  }

  // Called by the base constructor too (the unit of work captures it), before this class's own body runs.
  // The view lives in the `driver` field itself, which names its owner: no side table to look up on
  // every call (a WeakMap get was ~3 µs of each row-level request in a CPU profile).
  override getDriver(): AbstractSqlDriver {
    const current = this.driver as AbstractSqlDriver;
    if (driverViewOwner(current) === this) return current;
    const view = createDriverView(this, current, GUARDED_DRIVER);
    useDriverView(this, view);
    return view;
  }

  override fork(options: ForkOptions = {}): this {
    const binding = domainBinding(this);
    if (binding?.schema !== undefined && options.schema !== undefined && options.schema !== binding.schema)
      throw MdError.foreignData(binding.domain, `schema "${options.schema}"`);
    // Never the transaction context of whatever unit of work is running around the caller.
    const fork = super.fork({ ...options, disableContextResolution: true }) as this;
    if (binding !== undefined) bindDomain(fork, binding);
    return fork;
  }
}

/**
 * A fresh entity manager of `store` bound to one domain: an empty identity
 * map, no request context, no transaction of its caller, and (schema
 * isolation) the domain's schema.
 *
 * @example
 * em(domain) { return openDomainEm(this.#store, { domain: domain.name, root: domain.isRoot }); }
 */
export function openDomainEm(store: { em: SqlEntityManager }, binding: DomainBinding): SqlEntityManager {
  const em = store.em.fork({
    clear: true,
    useContext: false,
    disableContextResolution: true,
    ...(binding.schema === undefined ? {} : { schema: binding.schema }),
  });
  bindDomain(em, binding);
  return em;
}

/**
 * What the unit of work checks before it writes an entity: the tenant is
 * stamped on every new entity of a scoped table (so the entity itself holds
 * it), and an update or delete of an entity another domain loaded — or that
 * lives in another domain's schema — is refused.
 */
export class DomainGuardSubscriber implements EventSubscriber {
  beforeCreate(args: EventArgs<object>): void {
    const scope = scopeOf(args);
    if (scope === undefined) return;
    const tenant = tenantOf(scope.rules, args.meta);
    if (tenant !== undefined)
      stampTenant(tenant, scope.binding, args.meta, args.entity as Record<string, unknown>, 'property');
  }

  beforeUpdate(args: EventArgs<object>): void {
    this.#refuseForeign(args);
    const scope = scopeOf(args);
    const tenant = scope === undefined ? undefined : tenantOf(scope.rules, args.meta);
    const payload = args.changeSet?.payload as Record<string, unknown> | undefined;
    if (scope !== undefined && tenant !== undefined && payload !== undefined)
      checkTenant(tenant, scope.binding, args.meta, payload);
  }

  beforeDelete(args: EventArgs<object>): void {
    this.#refuseForeign(args);
  }

  /** An entity loaded in another domain (its tenant, its entity manager or its schema says so). */
  #refuseForeign(args: EventArgs<object>): void {
    const scope = scopeOf(args);
    if (scope === undefined) return;
    const { binding, rules } = scope;
    const what = `${args.meta.className} ${JSON.stringify(helper(args.entity).getSerializedPrimaryKey())}`;
    const loadedBy = domainBinding(entityManagerOf(args.entity));
    if (loadedBy !== undefined && loadedBy.domain !== binding.domain)
      throw MdError.foreignData(binding.domain, `${what} (loaded in another domain)`);
    const tenant = tenantOf(rules, args.meta);
    const original = args.changeSet?.originalEntity as Record<string, unknown> | undefined;
    if (
      tenant !== undefined &&
      original?.[tenant.property] !== undefined &&
      original[tenant.property] !== binding.domain
    )
      throw MdError.foreignData(binding.domain, `${what} (a row of another domain)`);
    const schema = args.changeSet?.schema;
    if (
      rules.schemaPerDomain &&
      args.meta.schema === '*' &&
      schema !== undefined &&
      schema !== '*' &&
      schema !== binding.schema
    )
      throw MdError.foreignData(binding.domain, `${what} (in schema "${schema}")`);
  }
}

function scopeOf(args: EventArgs<object>) {
  const binding = domainBinding(args.em);
  const rules = guardRulesOf((args.em as EntityManager).getMetadata());
  return binding === undefined || rules === undefined ? undefined : { binding, rules };
}
