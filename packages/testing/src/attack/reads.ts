import { wrap } from '@mikro-orm/core';
import type { ConformanceItem } from '../strategy/entities.js';
import type { AttackContext, DataAttack } from './types.js';

type Qb = {
  select(fields: unknown): Qb;
  where(cond: unknown): Qb;
  andWhere(cond: unknown): Qb;
  orWhere(cond: unknown): Qb;
  withSchema(schema: string): Qb;
  join(field: string, alias: string): Qb;
  leftJoinAndSelect(field: string, alias: string): Qb;
  getResultList(): Promise<unknown[]>;
  getResult(): Promise<unknown[]>;
  getCount(): Promise<number>;
  getResultAndCount(): Promise<[unknown[], number]>;
  getKnexQuery?(): unknown;
  execute(method?: string): Promise<unknown>;
};
const qb = (ctx: AttackContext, entity: unknown, alias?: string): Qb =>
  (ctx.em as unknown as { createQueryBuilder(e: unknown, a?: string): Qb }).createQueryBuilder(entity, alias);
type DriverLike = {
  find(entity: unknown, where: unknown, options?: unknown): Promise<unknown[]>;
  findOne(entity: unknown, where: unknown, options?: unknown): Promise<unknown>;
  count(entity: unknown, where: unknown, options?: unknown): Promise<number>;
  createQueryBuilder(entity: unknown, ...rest: unknown[]): Qb;
};
const driver = (ctx: AttackContext) => ctx.em.getDriver() as unknown as DriverLike;
const victimItem = (ctx: AttackContext) => ctx.victim.items[0];
/** The victim's item id merged into the attacker's entity manager as if it were its own. */
const mergedVictim = (ctx: AttackContext) =>
  ctx.em.merge(ctx.e.Item, {
    id: victimItem(ctx),
    name: 'x',
    tag: 'x',
    qty: 0,
  } as never) as unknown as ConformanceItem;
const like = (ctx: AttackContext) => `%${ctx.target}-secret%`;
/** A count of rows matching the victim's marker: any row counted is a row of the victim. */
export const counted = (ctx: AttackContext, n: number): string[] =>
  n > 0 ? [`${ctx.target}-secret: ${n} rows`] : [];

/** Hostile reads: every way the ORM API offers to look at another domain's rows. */
export const READ_ATTACKS: readonly DataAttack[] = [
  { name: 'find by the victim’s id', run: (ctx) => ctx.em.find(ctx.e.Item, { id: victimItem(ctx) }) },
  { name: 'findOne by the victim’s id', run: (ctx) => ctx.em.findOne(ctx.e.Item, { id: victimItem(ctx) }) },
  {
    name: 'findOneOrFail by the victim’s id',
    run: (ctx) => ctx.em.findOneOrFail(ctx.e.Item, { id: victimItem(ctx) }),
  },
  {
    name: 'find by the victim’s name',
    run: (ctx) => ctx.em.find(ctx.e.Item, { name: { $like: like(ctx) } }),
  },
  { name: 'find everything', run: (ctx) => ctx.em.find(ctx.e.Item, {}) },
  {
    name: 'count everything',
    run: async (ctx) => counted(ctx, await ctx.em.count(ctx.e.Item, { name: { $like: like(ctx) } })),
  },
  { name: 'findAndCount', run: (ctx) => ctx.em.findAndCount(ctx.e.Item, { name: { $like: like(ctx) } }) },
  {
    name: 'findAll',
    run: (ctx) => ctx.em.findAll(ctx.e.Item, { where: { id: { $in: [...ctx.victim.items] } } }),
  },
  { name: 'find with { filters: false }', run: (ctx) => ctx.em.find(ctx.e.Item, {}, { filters: false }) },
  {
    name: 'find with the tenant filter off by name',
    run: (ctx) => ctx.em.find(ctx.e.Item, {}, { filters: { md_tenant: false } }),
  },
  {
    name: 'count with { filters: false }',
    run: async (ctx) =>
      counted(ctx, await ctx.em.count(ctx.e.Item, { name: { $like: like(ctx) } }, { filters: false })),
  },
  {
    name: 'find after setFilterParams to the victim',
    run: (ctx) => {
      ctx.em.setFilterParams('md_tenant', { domain: ctx.target });
      return ctx.em.find(ctx.e.Item, {});
    },
  },
  {
    name: 'find with the tenant filter given the victim as argument',
    run: (ctx) => ctx.em.find(ctx.e.Item, {}, { filters: { md_tenant: { domain: ctx.target } } }),
  },
  {
    name: 'find after redefining the tenant filter on the entity manager',
    run: (ctx) => {
      ctx.em.addFilter({ name: 'md_tenant', cond: {}, default: true });
      return ctx.em.find(ctx.e.Item, {});
    },
  },
  {
    name: 'find where the tenant is the victim',
    run: (ctx) => ctx.em.find(ctx.e.Item, { tenantId: ctx.target } as never),
  },
  {
    name: 'find with $or around the victim’s id',
    run: (ctx) => ctx.em.find(ctx.e.Item, { $or: [{ id: victimItem(ctx) }, { id: ctx.own.items[0] }] }),
  },
  {
    name: 'find where the owner is the victim’s owner',
    run: (ctx) => ctx.em.find(ctx.e.Item, { owner: ctx.victim.owner }),
  },
  {
    name: 'find joined to the owner by the victim’s owner name',
    run: (ctx) => ctx.em.find(ctx.e.Item, { owner: { name: { $like: like(ctx) } } }, { populate: ['owner'] }),
  },
  {
    name: 'find where a tag is the victim’s tag',
    run: (ctx) => ctx.em.find(ctx.e.Item, { tags: ctx.victim.tags[0] }),
  },
  {
    name: 'populate tags with the joined strategy',
    run: (ctx) => ctx.em.find(ctx.e.Item, {}, { populate: ['tags', 'owner'], strategy: 'joined' }),
  },
  {
    name: 'populate tags with the select-in strategy and filters off',
    run: (ctx) => ctx.em.find(ctx.e.Item, {}, { populate: ['tags'], strategy: 'select-in', filters: false }),
  },
  {
    name: 'findOne of the victim’s owner',
    run: (ctx) => ctx.em.findOne(ctx.e.Owner, { id: ctx.victim.owner }),
  },
  {
    name: 'find the victim’s tags',
    run: (ctx) => ctx.em.find(ctx.e.Tag, { id: { $in: [...ctx.victim.tags] } }),
  },
  {
    name: 'getReference to the victim’s item, then init()',
    run: (ctx) => wrap(ctx.em.getReference(ctx.e.Item, victimItem(ctx))).init(),
  },
  {
    name: 'getReference to the victim’s item, then populate its tags',
    run: async (ctx) => {
      const ref = ctx.em.getReference(ctx.e.Item, victimItem(ctx));
      await ctx.em.populate(ref, ['tags']);
      return ref;
    },
  },
  {
    name: 'merge the victim’s id as an item, then init its tags collection',
    run: async (ctx) => {
      const merged = mergedVictim(ctx);
      await merged.tags.init();
      return merged.tags.getItems();
    },
  },
  {
    name: 'merge the victim’s id as an item, then loadCount its tags',
    run: async (ctx) => {
      const merged = mergedVictim(ctx);
      return counted(ctx, await merged.tags.loadCount());
    },
  },
  {
    name: 'matching() on the own item’s tags',
    run: async (ctx) => {
      const own = await ctx.em.findOneOrFail(ctx.e.Item, { id: ctx.own.items[0] });
      return own.tags.matching({ where: {} });
    },
  },
  {
    name: 'refresh a reference to the victim’s item',
    run: (ctx) => ctx.em.refresh(ctx.em.getReference(ctx.e.Item, victimItem(ctx))),
  },
  {
    name: 'findByCursor over everything',
    run: async (ctx) => (await ctx.em.findByCursor(ctx.e.Item, { first: 10, orderBy: { id: 'asc' } })).items,
  },
  { name: 'a repository’s findAll', run: (ctx) => ctx.em.getRepository(ctx.e.Item).findAll() },
  { name: 'a fork’s find', run: (ctx) => ctx.em.fork().find(ctx.e.Item, {}) },
  {
    name: 'a fork keeping the identity map',
    run: (ctx) => ctx.em.fork({ clear: false }).find(ctx.e.Item, {}),
  },
  {
    name: 'find inside em.transactional',
    run: (ctx) => ctx.em.transactional((trx) => trx.find(ctx.e.Item, { id: victimItem(ctx) })),
  },
  {
    name: 'QueryBuilder select by the victim’s id',
    run: (ctx) =>
      qb(ctx, ctx.e.Item)
        .select('*')
        .where({ id: victimItem(ctx) })
        .getResultList(),
  },
  {
    name: 'QueryBuilder select without a where',
    run: (ctx) => qb(ctx, ctx.e.Item).select('*').getResultList(),
  },
  {
    name: 'QueryBuilder where the tenant is the victim',
    run: (ctx) => qb(ctx, ctx.e.Item).select('*').where({ tenantId: ctx.target }).getResultList(),
  },
  {
    name: 'QueryBuilder orWhere the victim’s id',
    run: (ctx) =>
      qb(ctx, ctx.e.Item)
        .select('*')
        .where({ id: ctx.own.items[0] })
        .orWhere({ id: victimItem(ctx) })
        .getResultList(),
  },
  {
    name: 'QueryBuilder getCount',
    run: async (ctx) =>
      counted(
        ctx,
        await qb(ctx, ctx.e.Item)
          .where({ name: { $like: like(ctx) } })
          .getCount(),
      ),
  },
  {
    name: 'QueryBuilder getResultAndCount',
    run: (ctx) => qb(ctx, ctx.e.Item).select('*').getResultAndCount(),
  },
  {
    name: 'QueryBuilder join to the victim’s owner',
    run: (ctx) =>
      qb(ctx, ctx.e.Item, 'i')
        .select('*')
        .join('i.owner', 'o')
        .where({ 'o.name': { $like: like(ctx) } })
        .getResultList(),
  },
  {
    name: 'QueryBuilder left join and select the tags',
    run: (ctx) => qb(ctx, ctx.e.Item, 'i').select('*').leftJoinAndSelect('i.tags', 't').getResultList(),
  },
  {
    name: 'QueryBuilder with a sub-query on the owners',
    run: (ctx) => {
      const owners = qb(ctx, ctx.e.Owner, 'o').select('o.id');
      return qb(ctx, ctx.e.Item, 'i')
        .select('*')
        .where({ owner: { $in: owners } })
        .getResultList();
    },
  },
  { name: 'the driver’s find', run: (ctx) => driver(ctx).find(ctx.e.Item, {}) },
  {
    name: 'the driver’s findOne by the victim’s id',
    run: (ctx) => driver(ctx).findOne(ctx.e.Item, { id: victimItem(ctx) }),
  },
  {
    name: 'the driver’s count',
    run: async (ctx) => counted(ctx, await driver(ctx).count(ctx.e.Item, { name: { $like: like(ctx) } })),
  },
  {
    name: 'the driver’s query builder',
    run: (ctx) =>
      driver(ctx)
        .createQueryBuilder(ctx.e.Item, undefined, 'read', true, undefined, 'q', ctx.em)
        .select('*')
        .execute('all'),
  },
  {
    name: 'find of the pivot entity',
    run: (ctx) => {
      const meta = ctx.em.getMetadata().find(ctx.e.Item)!.properties.tags!;
      return ctx.em.find(meta.pivotEntity as never, {});
    },
  },
];
