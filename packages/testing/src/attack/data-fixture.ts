import { randomUUID } from 'node:crypto';
import { createSite, type IsolationCapabilities, MdError, type Site } from '@md/core';
import type { EntityManager } from '@mikro-orm/core';
import type {
  ConformanceStrategy,
  StrategyConformanceOptions,
} from '../strategy/describe-strategy-conformance.js';
import { type ConformanceEntities, createConformanceEntities } from '../strategy/entities.js';
import { rawTable } from '../strategy/raw-table.js';

/** The ids of one domain's rows in the fixture. Every name carries `<domain>-secret`. */
export interface DomainRows {
  readonly owner: string;
  readonly items: readonly [string, string];
  readonly tags: readonly [string, string];
}

/** A running site with two domains (and the root domain), each holding an owner, two items, two tags and their links. */
export interface DataFixture {
  readonly site: Site<EntityManager>;
  readonly strategy: ConformanceStrategy & { schemaOf?(domain: string): string };
  readonly entities: ConformanceEntities;
  readonly caps: IsolationCapabilities;
  readonly database: 'sqlite' | 'postgres';
  readonly rows: Readonly<Record<string, DomainRows>>;
  /** Everything a domain holds, read through its own entity manager, as one string. */
  fingerprint(domain: string): Promise<string>;
  close(): Promise<void>;
}

/** The marker every row of `domain` carries in its names. */
export const secretOf = (domain: string): string => `${domain}-secret`;

/**
 * Builds the strategy with the suite's entities, a site with `domains`,
 * provisions them and gives each the same shape of data.
 *
 * @example
 * const fx = await createDataFixture(options, ['alpha', 'beta']);
 * await fx.site.run('alpha', () => fx.site.em.find(fx.entities.Item, {}));
 */
export async function createDataFixture(
  options: StrategyConformanceOptions,
  domains: readonly string[],
  poolSize?: number,
): Promise<DataFixture> {
  const entities = createConformanceEntities();
  const strategy = await options.createStrategy({
    entities,
    all: [entities.Owner, entities.Item, entities.Tag, entities.Plan],
    shared: [entities.Plan],
    seeder: async () => {},
    id: `a${randomUUID().slice(0, 8)}`,
    ...(poolSize === undefined ? {} : { poolSize }),
  });
  const site = await createSite<EntityManager>({
    isolation: strategy,
    domains: domains.map((name) => ({ name })),
  });
  const rows: Record<string, DomainRows> = {};
  for (const domain of [...domains, site.rootDomain]) {
    if (domain !== site.rootDomain) await site.provision(domain);
    rows[domain] = await site.run(domain, async () => {
      const em = site.em;
      const secret = secretOf(domain);
      const owner = em.create(entities.Owner, { id: randomUUID(), name: `${secret} owner`, tag: 'fixture' });
      const tags = [0, 1].map((i) =>
        em.create(entities.Tag, { id: randomUUID(), label: `${secret} tag ${i}` }),
      );
      const items = [0, 1].map((i) =>
        em.create(entities.Item, {
          id: randomUUID(),
          name: `${secret} item ${i}`,
          tag: 'fixture',
          qty: i,
          owner,
          tags,
        }),
      );
      await em.flush();
      return {
        owner: owner.id,
        items: [items[0]!.id, items[1]!.id] as const,
        tags: [tags[0]!.id, tags[1]!.id] as const,
      };
    });
  }
  const sharedEm = strategy.sharedEm();
  sharedEm.create(entities.Plan, { id: randomUUID(), name: 'gold plan' });
  await sharedEm.flush();
  return {
    site,
    strategy,
    entities,
    caps: strategy.capabilities,
    database: options.database,
    rows,
    fingerprint: (domain) =>
      site.run(domain, async () => {
        const em = site.em.fork();
        const items = await em.find(
          entities.Item,
          {},
          { populate: ['owner', 'tags'], orderBy: { id: 'asc' } },
        );
        const owners = await em.find(entities.Owner, {}, { orderBy: { id: 'asc' } });
        const tags = await em.find(entities.Tag, {}, { orderBy: { id: 'asc' } });
        const links = items.map(
          (i) =>
            `${i.id}:${i.tags
              .getItems()
              .map((t) => t.id)
              .sort()
              .join(',')}`,
        );
        return JSON.stringify({
          items: items.map((i) => [i.id, i.name, i.qty, i.owner?.id]),
          owners: owners.map((o) => [o.id, o.name]),
          tags: tags.map((t) => [t.id, t.label]),
          links,
        });
      }),
    close: () => site.close(),
  };
}

/** One app instance: the strategy (fresh entity definitions) on the storage `id` names, and a site with `domains`. */
export async function openInstance(
  options: StrategyConformanceOptions,
  id: string,
  domains: readonly string[],
  poolSize?: number,
  seeder: (em: EntityManager, domain: { name: string }) => Promise<void> = async () => {},
) {
  const entities = createConformanceEntities();
  const strategy: DataFixture['strategy'] = await options.createStrategy({
    entities,
    all: [entities.Owner, entities.Item, entities.Tag, entities.Plan],
    shared: [entities.Plan],
    seeder,
    id,
    ...(poolSize === undefined ? {} : { poolSize }),
  });
  const site = await createSite<EntityManager>({
    isolation: strategy,
    domains: domains.map((name) => ({ name })),
  });
  return { site, strategy, entities };
}

/** Every string reachable from `value` (entities, collections, arrays, rows, error messages), for a leak check. */
export function stringsOf(value: unknown, depth = 0, seen = new WeakSet<object>()): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object' || depth > 6 || seen.has(value)) return [];
  seen.add(value);
  if (value instanceof Error) return [value.message, ...stringsOf(value.cause, depth + 1, seen)];
  const items = (value as { getItems?: (check?: boolean) => unknown[]; isInitialized?: () => boolean })
    .getItems;
  if (typeof items === 'function') {
    const collection = value as { isInitialized(): boolean; getItems(check?: boolean): unknown[] };
    return collection.isInitialized()
      ? collection.getItems(false).flatMap((v) => stringsOf(v, depth + 1, seen))
      : [];
  }
  const values = Array.isArray(value) ? value : Object.entries(value).filter(([k]) => !k.startsWith('__'));
  return values.flatMap((v) =>
    stringsOf(Array.isArray(value) ? v : (v as [string, unknown])[1], depth + 1, seen),
  );
}

/** True when `value` holds any row of `domain` (its marker). */
export function reveals(value: unknown, domain: string): boolean {
  const secret = secretOf(domain);
  return stringsOf(value).some((s) => s.includes(secret));
}

/** What a hostile unit of work came to: a value, or the error it was refused with. */
export type Outcome = { readonly value: unknown } | { readonly error: unknown };

export async function attempt(fn: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { value: await fn() };
  } catch (error) {
    return { error };
  }
}

const REFUSALS = [
  /permission denied/i,
  /row-level security/i,
  /violates foreign key/i,
  /foreign key constraint/i,
  /does not exist/i,
  /no such (table|column)/i,
  /has no column named/i,
  /column .* of relation .* does not exist/i,
  /duplicate key value|unique constraint/i,
  /must be owner/i,
  /not found/i,
  /trying to query by not existing property/i,
  /not discovered/i,
  /cannot (set|change|be executed)/i,
  /only superuser|must be superuser|superuser/i,
  /is not a member/i,
  /entity .* is not managed|not managed/i,
];

/**
 * A refusal md or the database gives without handing over data: a typed
 * `MdError` of data isolation, MikroORM's not-found and validation errors,
 * or the database refusing (permission, row-level security, foreign key,
 * no such table or schema).
 */
export function isRefusal(error: unknown): boolean {
  if (MdError.is(error))
    return [
      'TENANT_MISMATCH',
      'SHARED_ENTITY_OUTSIDE_ROOT',
      'NO_CURRENT_DOMAIN',
      'NESTED_TRANSACTION',
      'STORE_UNAVAILABLE',
    ].includes(error.code);
  const text = stringsOf(error).join('\n');
  return REFUSALS.some((pattern) => pattern.test(text));
}

/** The table name raw SQL of `em` must use (qualified by its schema under schema isolation). */
export const tableOf = (em: EntityManager, className: string): string => rawTable(em, className);
