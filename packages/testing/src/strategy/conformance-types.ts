import type { DomainProxy, IsolationStrategy } from '@md/core';
import type { EntityManager } from '@mikro-orm/core';
import type { ConformanceEntities } from './entities.js';

/** The strategy shape the suite drives: core's contract with MikroORM entity managers, plus probes. */
export interface ConformanceStrategy extends IsolationStrategy<EntityManager> {
  sharedEm(): EntityManager;
  isProvisioned(domain: string): Promise<boolean>;
  stats(): { open: number; maxOpen: number };
}

/** What the suite hands `createStrategy`: the entities, a seeder, and the knobs a test needs. */
export interface StrategyFactoryContext {
  entities: ConformanceEntities;
  /** Every entity, in an order MikroORM accepts. */
  all: EntitySchemaList;
  /** Shared entities (already listed in `all`). */
  shared: EntitySchemaList;
  /** Seeds one item per domain; fails after writing when the domain is in `failSeedOnce`. */
  seeder: (em: EntityManager, domain: DomainProxy) => Promise<void>;
  /** A unique id for this strategy instance (folder, database or schema prefix). */
  id: string;
  /** Connections (row, schema) or open domain pools (database) the strategy may use; undefined = its default. */
  poolSize?: number;
}

type EntitySchemaList = ConformanceEntities[keyof ConformanceEntities][];

/** Options of {@link describeStrategyConformance}. */
export interface StrategyConformanceOptions {
  /** Shown in the test names, e.g. `'row-level'`. */
  name: string;
  database: 'sqlite' | 'postgres';
  createStrategy(context: StrategyFactoryContext): ConformanceStrategy | Promise<ConformanceStrategy>;
  /** Domains for the concurrency test (default 50). */
  domains?: number;
}

/** The name the suite's seeder gives the one item it creates per domain. */
export const SEED_NAME = 'seeded';
