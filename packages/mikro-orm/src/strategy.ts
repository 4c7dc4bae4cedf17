import type { DomainProxy, IsolationStrategy } from '@md/core';
import type { Options } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import type { MigrationOptions } from './migrations.js';
import type { SqlDriverClass } from './orm-template.js';
import type { AnyEntity } from './shared-entities.js';

/**
 * Seeds a freshly provisioned domain. Runs inside one transaction of the
 * domain's entity manager (and inside `site.run(domain)`), once per domain:
 * provisioning an already provisioned domain does not seed again.
 */
export type DomainSeeder = (em: SqlEntityManager, domain: DomainProxy) => Promise<void>;

/** What every MikroORM strategy takes: entities, how to migrate, how to seed. */
export interface MikroOrmStrategyOptions extends MigrationOptions {
  /** MikroORM driver: `SqliteDriver` (`@mikro-orm/sql`; md opens its files on `node:sqlite`) or `PostgreSqlDriver` (`@mikro-orm/postgresql`). */
  driver: SqlDriverClass;
  /** Every entity (`defineEntity`/`EntitySchema` recommended; decorated classes when compiled by tsc). */
  entities: readonly AnyEntity[];
  /** Entities shared by every domain (also: mark them with `markShared`). */
  shared?: readonly AnyEntity[];
  /** Runs when `site.provision(name, { seed: true })` creates a domain. */
  seeder?: DomainSeeder;
  /** Extra MikroORM options for every store (`debug`, `pool`…). Connection options are the strategy's. */
  orm?: Partial<Options>;
}

/** Counts a strategy exposes for dashboards and tests. */
export interface StrategyStats {
  /** Connection pools open now. */
  open: number;
  /** The most pools ever open at once. */
  maxOpen: number;
}

/**
 * The isolation strategy contract of the MikroORM strategies: core's
 * `IsolationStrategy` with MikroORM's `EntityManager`, plus access to the
 * shared (root) store and a provisioning probe.
 *
 * @example
 * const strategy: MikroOrmStrategy = rowLevel({ driver: SqliteDriver, dbName: ':memory:', entities });
 * const site = await createSite({ isolation: strategy, domains });
 * await site.run('acme', () => site.em.find(Item, {}));
 */
export interface MikroOrmStrategy extends IsolationStrategy<SqlEntityManager> {
  /** A fresh entity manager on the root domain's store, where shared entities live. */
  sharedEm(): SqlEntityManager;
  /** True when the domain's store (database, schema, or provisioning record) exists. */
  isProvisioned(domain: string): Promise<boolean>;
  /** Pool counts. */
  stats(): StrategyStats;
  /**
   * The migrations (names from `migrations`) not yet applied to the domain's
   * store, in the order `migrate` would run them; `[]` without `migrations`.
   * With row-level isolation every domain shares one store, so the answer is
   * the same for every domain. A domain not provisioned yet has every
   * migration pending (nothing is created to find that out).
   *
   * @example
   * const pending = await strategy.pendingMigrations('acme'); // ['m2-add-body']
   */
  pendingMigrations(domain: string): Promise<string[]>;
  /**
   * The drift check: the SQL that would bring the domain's tables in line
   * with the entity metadata (safe mode: additions and changes, never drops),
   * `''` when they match. Introspects only the domain's own store or schema,
   * so it stays cheap with thousands of schemas. Changes nothing (a domain
   * not provisioned yet gets the SQL that would create its tables).
   *
   * @example
   * const sql = await strategy.schemaDiff('acme');
   * if (sql !== '') console.warn(`acme differs from the entities:\n${sql}`);
   */
  schemaDiff(domain: string): Promise<string>;
}
