import { randomUUID } from 'node:crypto';
import type { ConformanceItem } from '../strategy/entities.js';
import type { AttackContext, DataAttack } from './types.js';
import { pivotColumns, pivotOf } from './types.js';

type Qb = {
  update(data: unknown): Qb;
  insert(data: unknown): Qb;
  where(cond: unknown): Qb;
  execute(method?: string): Promise<unknown>;
};
const qb = (ctx: AttackContext, entity: unknown): Qb =>
  (ctx.em as unknown as { createQueryBuilder(e: unknown): Qb }).createQueryBuilder(entity);
type DriverLike = Record<string, (...args: unknown[]) => Promise<unknown>>;
const driver = (ctx: AttackContext) => ctx.em.getDriver() as unknown as DriverLike;
/** Row-level must refuse a link into another domain; elsewhere the victim's id names nothing in the attacker's own store. */
const tenantMismatch = (ctx: AttackContext) => (ctx.caps.rowLevel === true ? 'TENANT_MISMATCH' : undefined);
const ownItem = (ctx: AttackContext) =>
  ctx.em.findOneOrFail(ctx.e.Item, { id: ctx.own.items[0] }, { populate: ['tags'] });

/**
 * Hostile links: a row of the attacker pointing at a row of the victim is an
 * oracle for which ids exist elsewhere (and, stored, a path into the other
 * domain): every one must be refused (row-level) or name nothing (own store).
 */
export const RELATION_ATTACKS: readonly DataAttack[] = [
  {
    name: 'set an own item’s owner to a reference of the victim’s owner, flush',
    refuses: tenantMismatch,
    run: async (ctx) => {
      const item = await ownItem(ctx);
      item.owner = ctx.em.getReference(ctx.e.Owner, ctx.victim.owner);
      await ctx.em.flush();
    },
  },
  {
    name: 'create an item whose owner is the victim’s owner id, flush',
    refuses: tenantMismatch,
    run: async (ctx) => {
      ctx.em.create(ctx.e.Item, {
        id: randomUUID(),
        name: 'link',
        tag: 'attack',
        qty: 0,
        owner: ctx.victim.owner,
      } as never);
      await ctx.em.flush();
    },
  },
  {
    name: 'add the victim’s tag to an own item’s collection, flush',
    refuses: tenantMismatch,
    run: async (ctx) => {
      const item = await ownItem(ctx);
      item.tags.add(ctx.em.getReference(ctx.e.Tag, ctx.victim.tags[0]));
      await ctx.em.flush();
    },
  },
  {
    name: 'set an own item’s tags to the victim’s tags, flush',
    refuses: tenantMismatch,
    run: async (ctx) => {
      const item = await ownItem(ctx);
      item.tags.set(ctx.victim.tags.map((id) => ctx.em.getReference(ctx.e.Tag, id)));
      await ctx.em.flush();
    },
  },
  {
    name: 'add the victim’s tag to a new item’s collection, flush',
    refuses: tenantMismatch,
    run: async (ctx) => {
      const item = ctx.em.create(ctx.e.Item, { id: randomUUID(), name: 'link', tag: 'attack', qty: 0 });
      item.tags.add(ctx.em.getReference(ctx.e.Tag, ctx.victim.tags[1]));
      await ctx.em.flush();
    },
  },
  {
    name: 'add an own tag to the victim item’s collection (merged by id), flush',
    run: async (ctx) => {
      const victim = ctx.em.merge(ctx.e.Item, {
        id: ctx.victim.items[0],
        name: 'x',
        tag: 'x',
        qty: 0,
      } as never) as unknown as ConformanceItem;
      victim.tags.add(ctx.em.getReference(ctx.e.Tag, ctx.own.tags[0]));
      await ctx.em.flush();
    },
  },
  {
    name: 'insert with the victim’s owner id',
    refuses: tenantMismatch,
    run: (ctx) =>
      ctx.em.insert(ctx.e.Item, {
        id: randomUUID(),
        name: 'link',
        tag: 'attack',
        qty: 0,
        owner: ctx.victim.owner,
      } as never),
  },
  {
    name: 'nativeUpdate an own item to the victim’s owner',
    refuses: tenantMismatch,
    run: (ctx) =>
      ctx.em.nativeUpdate(ctx.e.Item, { id: ctx.own.items[1] }, { owner: ctx.victim.owner } as never),
  },
  {
    name: 'upsert an own item pointing at the victim’s owner',
    refuses: tenantMismatch,
    run: (ctx) =>
      ctx.em.upsert(ctx.e.Item, {
        id: ctx.own.items[1],
        name: 'link',
        tag: 'fixture',
        qty: 1,
        owner: ctx.victim.owner,
      } as never),
  },
  {
    name: 'QueryBuilder insert pointing at the victim’s owner',
    refuses: tenantMismatch,
    run: (ctx) =>
      qb(ctx, ctx.e.Item)
        .insert({ id: randomUUID(), name: 'link', tag: 'attack', qty: 0, owner: ctx.victim.owner })
        .execute(),
  },
  {
    name: 'QueryBuilder update of an own item to the victim’s owner',
    refuses: tenantMismatch,
    run: (ctx) =>
      qb(ctx, ctx.e.Item).update({ owner: ctx.victim.owner }).where({ id: ctx.own.items[1] }).execute(),
  },
  {
    name: 'the driver’s nativeInsertMany of a pivot row to the victim’s tag',
    refuses: tenantMismatch,
    run: (ctx) => {
      const { item, tag } = pivotColumns(ctx);
      return driver(ctx).nativeInsertMany!(pivotOf(ctx), [
        { [item]: ctx.own.items[1], [tag]: ctx.victim.tags[0] },
      ]);
    },
  },
  {
    name: 'the driver’s nativeUpdate of an own item to the victim’s owner',
    refuses: tenantMismatch,
    run: (ctx) =>
      driver(ctx).nativeUpdate!(ctx.e.Item, { id: ctx.own.items[1] }, { owner: ctx.victim.owner }),
  },
  {
    name: 'an own item pointing at a raw SQL expression for its owner',
    refuses: tenantMismatch,
    run: async (ctx) => {
      const { raw } = await import('@mikro-orm/core');
      return ctx.em.nativeUpdate(ctx.e.Item, { id: ctx.own.items[1] }, {
        owner: raw(`(select id from ${ctx.table('Owner')} limit 1)`),
      } as never);
    },
  },
];
