import { randomUUID } from 'node:crypto';
import type { AttackContext, DataAttack } from './types.js';

type Qb = {
  select(fields: unknown): Qb;
  update(data: unknown): Qb;
  delete(cond?: unknown): Qb;
  insert(data: unknown): Qb;
  where(cond: unknown): Qb;
  withSchema(schema: string): Qb;
  getResultList(): Promise<unknown[]>;
  execute(method?: string): Promise<unknown>;
};
const qb = (ctx: AttackContext, entity: unknown): Qb =>
  (ctx.em as unknown as { createQueryBuilder(e: unknown): Qb }).createQueryBuilder(entity);
type DriverLike = Record<string, (...args: unknown[]) => Promise<unknown>>;
const driver = (ctx: AttackContext) => ctx.em.getDriver() as unknown as DriverLike;
const schemaIsolated = (ctx: AttackContext) => ctx.caps.schemaPerDomain === true;
/** Schema isolation refuses another schema by name; elsewhere no such schema holds a domain's rows. */
const foreignSchema = (ctx: AttackContext) => (schemaIsolated(ctx) ? 'TENANT_MISMATCH' : undefined);
const rootOnly = (ctx: AttackContext) => ctx.caps.rowLevel !== true;

/**
 * Hostile scopes: naming another domain's schema, reaching shared entities
 * through a domain's entity manager where they live in the root store only,
 * and the root domain's own rows through `strategy.sharedEm()`.
 */
export const SCOPE_ATTACKS: readonly DataAttack[] = [
  {
    name: 'find in the victim’s schema',
    refuses: foreignSchema,
    run: (ctx) => ctx.em.find(ctx.e.Item, {}, { schema: ctx.victimSchema }),
  },
  {
    name: 'findOne in the victim’s schema',
    refuses: foreignSchema,
    run: (ctx) => ctx.em.findOne(ctx.e.Item, { id: ctx.victim.items[0] }, { schema: ctx.victimSchema }),
  },
  {
    name: 'count in the victim’s schema',
    refuses: foreignSchema,
    run: async (ctx) => {
      const n = await ctx.em.count(ctx.e.Item, {}, { schema: ctx.victimSchema });
      return n > 0 ? [`${ctx.target}-secret: ${n} rows`] : [];
    },
  },
  {
    name: 'populate in the victim’s schema',
    refuses: foreignSchema,
    run: (ctx) => ctx.em.find(ctx.e.Item, {}, { schema: ctx.victimSchema, populate: ['tags', 'owner'] }),
  },
  {
    name: 'fork into the victim’s schema',
    refuses: foreignSchema,
    run: (ctx) => ctx.em.fork({ schema: ctx.victimSchema }).find(ctx.e.Item, {}),
  },
  {
    name: 'QueryBuilder withSchema the victim’s',
    refuses: foreignSchema,
    run: (ctx) => qb(ctx, ctx.e.Item).select('*').withSchema(ctx.victimSchema).getResultList(),
  },
  {
    name: 'QueryBuilder update withSchema the victim’s',
    refuses: foreignSchema,
    run: (ctx) => qb(ctx, ctx.e.Item).update({ name: 'pwned' }).withSchema(ctx.victimSchema).execute(),
  },
  {
    name: 'QueryBuilder delete withSchema the victim’s',
    refuses: foreignSchema,
    run: (ctx) => qb(ctx, ctx.e.Item).delete().withSchema(ctx.victimSchema).execute(),
  },
  {
    name: 'QueryBuilder insert withSchema the victim’s',
    refuses: foreignSchema,
    run: (ctx) =>
      qb(ctx, ctx.e.Item)
        .insert({ id: randomUUID(), name: 'pwned', tag: 'attack', qty: 0 })
        .withSchema(ctx.victimSchema)
        .execute(),
  },
  {
    name: 'nativeUpdate in the victim’s schema',
    refuses: foreignSchema,
    run: (ctx) =>
      ctx.em.nativeUpdate(
        ctx.e.Item,
        { id: ctx.victim.items[0] },
        { name: 'pwned' },
        { schema: ctx.victimSchema },
      ),
  },
  {
    name: 'nativeDelete in the victim’s schema',
    refuses: foreignSchema,
    run: (ctx) => ctx.em.nativeDelete(ctx.e.Item, {}, { schema: ctx.victimSchema }),
  },
  {
    name: 'insert into the victim’s schema',
    refuses: foreignSchema,
    run: (ctx) =>
      ctx.em.insert(
        ctx.e.Item,
        { id: randomUUID(), name: 'pwned', tag: 'attack', qty: 0 },
        { schema: ctx.victimSchema },
      ),
  },
  {
    name: 'upsert in the victim’s schema',
    refuses: foreignSchema,
    run: (ctx) =>
      ctx.em.upsert(
        ctx.e.Item,
        { id: ctx.victim.items[0], name: 'pwned', tag: 'fixture', qty: 0 },
        { schema: ctx.victimSchema },
      ),
  },
  {
    name: 'create an entity in the victim’s schema, flush',
    refuses: foreignSchema,
    run: async (ctx) => {
      ctx.em.create(
        ctx.e.Item,
        { id: randomUUID(), name: 'pwned', tag: 'attack', qty: 0 },
        { schema: ctx.victimSchema },
      );
      await ctx.em.flush();
    },
  },
  {
    name: 'getReference in the victim’s schema, change it, flush',
    refuses: foreignSchema,
    run: async (ctx) => {
      (
        ctx.em.getReference(ctx.e.Item, ctx.victim.items[0], { schema: ctx.victimSchema }) as { name: string }
      ).name = 'pwned';
      await ctx.em.flush();
    },
  },
  {
    name: 'getReference in the victim’s schema, remove it, flush',
    refuses: foreignSchema,
    run: async (ctx) => {
      ctx.em.remove(
        ctx.em.getReference(ctx.e.Item, ctx.victim.items[0], { schema: ctx.victimSchema }) as object,
      );
      await ctx.em.flush();
    },
  },
  {
    name: 'an own entity moved to the victim’s schema (wrap().setSchema), flush',
    refuses: foreignSchema,
    run: async (ctx) => {
      const { wrap } = await import('@mikro-orm/core');
      const own = await ctx.em.findOneOrFail(ctx.e.Item, { id: ctx.own.items[1] });
      wrap(own, true).setSchema(ctx.victimSchema);
      own.name = 'pwned';
      await ctx.em.flush();
    },
  },
  {
    name: 'the driver’s find in the victim’s schema',
    refuses: foreignSchema,
    run: (ctx) => driver(ctx).find!(ctx.e.Item, {}, { schema: ctx.victimSchema }),
  },
  {
    name: 'the driver’s nativeInsertMany in the victim’s schema',
    refuses: foreignSchema,
    run: (ctx) =>
      driver(ctx).nativeInsertMany!(
        ctx.e.Item,
        [{ id: randomUUID(), name: 'pwned', tag: 'attack', qty: 0 }],
        {
          schema: ctx.victimSchema,
        },
      ),
  },
  {
    name: 'the driver’s nativeUpdateMany in the victim’s schema',
    refuses: foreignSchema,
    run: (ctx) =>
      driver(ctx).nativeUpdateMany!(ctx.e.Item, [{ id: ctx.victim.items[0] }], [{ qty: 1 }], {
        schema: ctx.victimSchema,
      }),
  },
  {
    name: 'site.em on a shared entity: find',
    refuses: (ctx) => (rootOnly(ctx) ? 'SHARED_ENTITY_OUTSIDE_ROOT' : undefined),
    run: (ctx) => ctx.em.find(ctx.e.Plan, {}),
  },
  {
    name: 'site.em on a shared entity: create and flush',
    refuses: (ctx) => (rootOnly(ctx) ? 'SHARED_ENTITY_OUTSIDE_ROOT' : undefined),
    run: async (ctx) => {
      ctx.em.create(ctx.e.Plan, { id: randomUUID(), name: 'planted plan' });
      await ctx.em.flush();
    },
  },
  {
    name: 'site.em on a shared entity: QueryBuilder',
    refuses: (ctx) => (rootOnly(ctx) ? 'SHARED_ENTITY_OUTSIDE_ROOT' : undefined),
    run: (ctx) => qb(ctx, ctx.e.Plan).select('*').getResultList(),
  },
  {
    name: 'strategy.sharedEm() on the root domain’s own rows: find',
    refuses: () => 'TENANT_MISMATCH',
    run: (ctx) => ctx.strategy.sharedEm().find(ctx.e.Item, {}),
  },
  {
    name: 'strategy.sharedEm() on the root domain’s own rows: nativeDelete',
    refuses: () => 'TENANT_MISMATCH',
    run: (ctx) => ctx.strategy.sharedEm().nativeDelete(ctx.e.Item, {}),
  },
];
