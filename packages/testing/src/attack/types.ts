import type { IsolationCapabilities, MdErrorCode, Site } from '@md/core';
import type { EntityManager } from '@mikro-orm/core';
import type { ConformanceStrategy } from '../strategy/describe-strategy-conformance.js';
import type { ConformanceEntities } from '../strategy/entities.js';
import type { DomainRows } from './data-fixture.js';
import type { DataLimit } from './limits.js';

/** What a hostile unit of work gets: the attacker's entity manager (inside its `site.run`) and what it knows. */
export interface AttackContext {
  /** The attacker's `site.em`. */
  readonly em: EntityManager;
  readonly site: Site<EntityManager>;
  readonly strategy: ConformanceStrategy & { schemaOf?(domain: string): string };
  readonly e: ConformanceEntities;
  readonly caps: IsolationCapabilities;
  readonly database: 'sqlite' | 'postgres';
  /** The attacker's own rows. */
  readonly own: DomainRows;
  /** The victim's ids: what an attacker who guessed or was told them would try. */
  readonly victim: DomainRows;
  readonly attacker: string;
  readonly target: string;
  /** The victim's schema under schema isolation; otherwise a schema name raw SQL could try. */
  readonly victimSchema: string;
  /** Raw SQL on the attacker's connection. */
  raw(sql: string, params?: unknown[]): Promise<unknown[]>;
  /** A table as the attacker's raw SQL names it. */
  table(className: string): string;
}

/** One hostile unit of work of the suite. */
export interface DataAttack {
  /** What it tries, as a test name. */
  readonly name: string;
  /** Strategies × databases it applies to (default: all). */
  readonly applies?: (ctx: AttackContext) => boolean;
  /**
   * The documented limit it runs into: where the limit applies the suite
   * asserts the attack does reach the victim; everywhere else, that it is
   * contained like any other.
   */
  readonly limit?: DataLimit;
  /** The typed refusal md must answer with (when it must refuse rather than merely contain). */
  readonly refuses?: (ctx: AttackContext) => MdErrorCode | undefined;
  /** Runs inside `site.run(attacker)`; returns what it saw. */
  run(ctx: AttackContext): Promise<unknown>;
}

/** The class name of Item.tags' pivot table entity (MikroORM generates it). */
export function pivotOf(ctx: AttackContext): string {
  const metadata = ctx.em.getMetadata();
  const prop = metadata.find(ctx.e.Item)!.properties.tags!;
  return metadata.find(prop.pivotEntity)!.className;
}

/** The pivot table's columns for Item.tags: the item side and the tag side. */
export function pivotColumns(ctx: AttackContext): { item: string; tag: string } {
  const prop = ctx.em.getMetadata().find(ctx.e.Item)!.properties.tags!;
  return { item: prop.joinColumns[0]!, tag: prop.inverseJoinColumns[0]! };
}
