import { type Collection, EntitySchema } from '@mikro-orm/core';

export interface ConformanceOwner {
  id: string;
  name: string;
  tag: string;
}

export interface ConformanceTag {
  id: string;
  label: string;
}

export interface ConformanceItem {
  id: string;
  name: string;
  tag: string;
  qty: number;
  owner?: ConformanceOwner | null;
  /** A many-to-many relation: MikroORM generates its pivot table (`md_item_tags`). */
  tags: Collection<ConformanceTag>;
}

export interface ConformancePlan {
  id: string;
  name: string;
}

/** The entities the strategy suites run on: three domain-scoped (with a generated pivot table), one shared. */
export interface ConformanceEntities {
  Owner: EntitySchema<ConformanceOwner>;
  Item: EntitySchema<ConformanceItem>;
  Tag: EntitySchema<ConformanceTag>;
  /** Shared: lives in the root domain's store, visible from every domain. */
  Plan: EntitySchema<ConformancePlan>;
}

/**
 * Fresh entity definitions for one strategy under test (strategies may
 * adapt definitions, e.g. add a tenant column, so suites never share them).
 *
 * @example
 * const { Owner, Item, Plan } = createConformanceEntities();
 */
export function createConformanceEntities(): ConformanceEntities {
  const Owner = new EntitySchema<ConformanceOwner>({
    name: 'Owner',
    tableName: 'md_owner',
    properties: {
      id: { type: 'string', primary: true, length: 36 },
      name: { type: 'string' },
      tag: { type: 'string', index: true },
    },
  });
  const Tag = new EntitySchema<ConformanceTag>({
    name: 'Tag',
    tableName: 'md_tag',
    properties: {
      id: { type: 'string', primary: true, length: 36 },
      label: { type: 'string' },
    },
  });
  const Item = new EntitySchema<ConformanceItem>({
    name: 'Item',
    tableName: 'md_item',
    properties: {
      id: { type: 'string', primary: true, length: 36 },
      name: { type: 'string' },
      tag: { type: 'string', index: true },
      qty: { type: 'integer', default: 0 },
      owner: { kind: 'm:1', entity: () => Owner, nullable: true },
      tags: { kind: 'm:n', entity: () => Tag, owner: true, pivotTable: 'md_item_tags' },
    },
  });
  const Plan = new EntitySchema<ConformancePlan>({
    name: 'Plan',
    tableName: 'md_plan',
    properties: {
      id: { type: 'string', primary: true, length: 36 },
      name: { type: 'string' },
    },
  });
  return { Owner, Item, Tag, Plan };
}
