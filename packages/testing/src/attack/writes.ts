import { randomUUID } from 'node:crypto';
import type { AttackContext, DataAttack } from './types.js';

type Qb = {
  select(fields: unknown): Qb;
  update(data: unknown): Qb;
  delete(cond?: unknown): Qb;
  insert(data: unknown): Qb;
  truncate(): Qb;
  where(cond: unknown): Qb;
  withSchema(schema: string): Qb;
  onConflict(fields: string): Qb;
  merge(data?: unknown): Qb;
  execute(method?: string): Promise<unknown>;
};
const qb = (ctx: AttackContext, entity: unknown): Qb =>
  (ctx.em as unknown as { createQueryBuilder(e: unknown): Qb }).createQueryBuilder(entity);
type DriverLike = Record<string, (...args: unknown[]) => Promise<unknown>>;
const driver = (ctx: AttackContext) => ctx.em.getDriver() as unknown as DriverLike;
const v0 = (ctx: AttackContext) => ctx.victim.items[0];
const rowLevel = (ctx: AttackContext) => ctx.caps.rowLevel === true;
const tenantMismatch = (ctx: AttackContext) => (rowLevel(ctx) ? 'TENANT_MISMATCH' : undefined);
const newItem = (extra: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  name: 'pwned',
  tag: 'attack',
  qty: 7,
  ...extra,
});

/** Hostile writes: every way the ORM API offers to change or remove another domain's rows, or to plant one there. */
export const WRITE_ATTACKS: readonly DataAttack[] = [
  {
    name: 'getReference to the victim’s item, change it, flush',
    run: async (ctx) => {
      ctx.em.getReference(ctx.e.Item, v0(ctx)).name = 'pwned';
      await ctx.em.flush();
    },
  },
  {
    name: 'getReference to the victim’s item, remove it, flush',
    run: async (ctx) => {
      ctx.em.remove(ctx.em.getReference(ctx.e.Item, v0(ctx)));
      await ctx.em.flush();
    },
  },
  {
    name: 'getReference to the victim’s owner, change it, flush',
    run: async (ctx) => {
      ctx.em.getReference(ctx.e.Owner, ctx.victim.owner).name = 'pwned';
      await ctx.em.flush();
    },
  },
  {
    name: 'getReferences to both victim items, change them in one batch, flush',
    run: async (ctx) => {
      for (const id of ctx.victim.items) ctx.em.getReference(ctx.e.Item, id).qty = 99;
      await ctx.em.flush();
    },
  },
  {
    name: 'merge a plain object with the victim’s id, change it, flush',
    run: async (ctx) => {
      const merged = ctx.em.merge(ctx.e.Item, {
        id: v0(ctx),
        name: 'merged',
        tag: 'fixture',
        qty: 0,
      } as never);
      (merged as { name: string }).name = 'pwned';
      await ctx.em.flush();
    },
  },
  {
    name: 'nativeUpdate by the victim’s id',
    run: (ctx) => ctx.em.nativeUpdate(ctx.e.Item, { id: v0(ctx) }, { name: 'pwned' }),
  },
  {
    name: 'nativeUpdate of every row with { filters: false }',
    run: (ctx) =>
      ctx.em.nativeUpdate(
        ctx.e.Item,
        { name: { $like: `%${ctx.target}-secret%` } },
        { qty: 99 },
        { filters: false },
      ),
  },
  {
    name: 'nativeDelete by the victim’s id',
    run: (ctx) => ctx.em.nativeDelete(ctx.e.Item, { id: v0(ctx) }),
  },
  {
    name: 'nativeDelete of every victim row with { filters: false }',
    run: (ctx) =>
      ctx.em.nativeDelete(ctx.e.Item, { name: { $like: `%${ctx.target}-secret%` } }, { filters: false }),
  },
  {
    name: 'nativeDelete of the victim’s tag',
    run: (ctx) => ctx.em.nativeDelete(ctx.e.Tag, { id: ctx.victim.tags[0] }),
  },
  {
    name: 'upsert on the victim’s id',
    refuses: tenantMismatch,
    run: (ctx) => ctx.em.upsert(ctx.e.Item, { id: v0(ctx), name: 'pwned', tag: 'fixture', qty: 5 }),
  },
  {
    name: 'upsertMany on the victim’s ids',
    refuses: tenantMismatch,
    run: (ctx) =>
      ctx.em.upsertMany(
        ctx.e.Item,
        ctx.victim.items.map((id) => ({ id, name: 'pwned', tag: 'fixture', qty: 5 })),
      ),
  },
  {
    name: 'upsert on the victim’s owner',
    refuses: tenantMismatch,
    run: (ctx) => ctx.em.upsert(ctx.e.Owner, { id: ctx.victim.owner, name: 'pwned', tag: 'fixture' }),
  },
  {
    name: 'insert a row for the victim (tenantId set by hand)',
    refuses: tenantMismatch,
    run: (ctx) => ctx.em.insert(ctx.e.Item, newItem({ tenantId: ctx.target }) as never),
  },
  {
    name: 'insertMany rows for the victim',
    refuses: tenantMismatch,
    run: (ctx) =>
      ctx.em.insertMany(ctx.e.Item, [
        newItem({ tenantId: ctx.target }),
        newItem({ tenantId: ctx.target }),
      ] as never),
  },
  {
    name: 'create an entity for the victim and flush',
    refuses: tenantMismatch,
    run: async (ctx) => {
      ctx.em.create(ctx.e.Item, newItem({ tenantId: ctx.target }) as never);
      await ctx.em.flush();
    },
  },
  {
    name: 'move an own row to the victim (tenantId changed), flush',
    refuses: tenantMismatch,
    run: async (ctx) => {
      const own = await ctx.em.findOneOrFail(ctx.e.Item, { id: ctx.own.items[1] });
      (own as unknown as { tenantId: string }).tenantId = ctx.target;
      await ctx.em.flush();
    },
  },
  {
    name: 'assign the victim as tenant, flush',
    refuses: tenantMismatch,
    run: async (ctx) => {
      const own = await ctx.em.findOneOrFail(ctx.e.Item, { id: ctx.own.items[1] });
      ctx.em.assign(own, { tenantId: ctx.target } as never);
      await ctx.em.flush();
    },
  },
  {
    name: 'nativeUpdate an own row to the victim’s tenant',
    refuses: tenantMismatch,
    run: (ctx) =>
      ctx.em.nativeUpdate(ctx.e.Item, { id: ctx.own.items[1] }, { tenantId: ctx.target } as never),
  },
  {
    name: 'QueryBuilder update by the victim’s id',
    run: (ctx) =>
      qb(ctx, ctx.e.Item)
        .update({ name: 'pwned' })
        .where({ id: v0(ctx) })
        .execute(),
  },
  {
    name: 'QueryBuilder update without a where',
    run: (ctx) => qb(ctx, ctx.e.Item).update({ qty: 42 }).execute(),
  },
  {
    name: 'QueryBuilder update to the victim’s tenant',
    refuses: tenantMismatch,
    run: (ctx) =>
      qb(ctx, ctx.e.Item).update({ tenantId: ctx.target }).where({ id: ctx.own.items[1] }).execute(),
  },
  {
    name: 'QueryBuilder delete by the victim’s id',
    run: (ctx) =>
      qb(ctx, ctx.e.Item)
        .delete({ id: v0(ctx) })
        .execute(),
  },
  {
    name: 'QueryBuilder delete of the victim’s marked rows',
    run: (ctx) =>
      qb(ctx, ctx.e.Item)
        .delete({ name: { $like: `%${ctx.target}-secret%` } })
        .execute(),
  },
  {
    name: 'QueryBuilder insert for the victim',
    refuses: tenantMismatch,
    run: (ctx) =>
      qb(ctx, ctx.e.Item)
        .insert(newItem({ tenantId: ctx.target }))
        .execute(),
  },
  {
    name: 'QueryBuilder upsert (on conflict merge) on the victim’s id',
    run: (ctx) =>
      qb(ctx, ctx.e.Item)
        .insert({ id: v0(ctx), name: 'pwned', tag: 'fixture', qty: 1 })
        .onConflict('id')
        .merge()
        .execute(),
  },
  {
    name: 'QueryBuilder truncate of a shared table',
    applies: rowLevel,
    refuses: tenantMismatch,
    run: (ctx) => qb(ctx, ctx.e.Tag).truncate().execute(),
  },
  {
    name: 'the driver’s nativeUpdate by the victim’s id',
    run: (ctx) => driver(ctx).nativeUpdate!(ctx.e.Item, { id: v0(ctx) }, { name: 'pwned' }),
  },
  {
    name: 'the driver’s nativeDelete by the victim’s id',
    run: (ctx) => driver(ctx).nativeDelete!(ctx.e.Item, { id: v0(ctx) }),
  },
  {
    name: 'the driver’s nativeInsert for the victim',
    refuses: tenantMismatch,
    run: (ctx) => driver(ctx).nativeInsert!(ctx.e.Item, newItem({ tenantId: ctx.target })),
  },
  {
    name: 'the driver’s nativeInsertMany for the victim',
    refuses: tenantMismatch,
    run: (ctx) => driver(ctx).nativeInsertMany!(ctx.e.Item, [newItem({ tenantId: ctx.target })]),
  },
  {
    name: 'the driver’s batched nativeUpdateMany by the victim’s ids',
    run: (ctx) =>
      driver(ctx).nativeUpdateMany!(
        ctx.e.Item,
        ctx.victim.items.map((id) => ({ id })),
        ctx.victim.items.map(() => ({ qty: 66 })),
      ),
  },
  {
    name: 'insert a row with the victim’s id (a key it already uses)',
    limit: 'row-level-keys-are-global',
    run: (ctx) => ctx.em.insert(ctx.e.Item, { id: v0(ctx), name: 'pwned', tag: 'attack', qty: 1 }),
  },
  {
    name: 'persist a new entity under the victim’s id, flush',
    limit: 'row-level-keys-are-global',
    run: async (ctx) => {
      ctx.em.create(ctx.e.Tag, { id: ctx.victim.tags[1], label: 'pwned' });
      await ctx.em.flush();
    },
  },
];
