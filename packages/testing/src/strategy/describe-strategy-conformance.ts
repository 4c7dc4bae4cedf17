import { randomUUID } from 'node:crypto';
import { createSite, type DomainProxy, type IsolationStrategy, MdError, type Site } from '@md/core';
import type { EntityManager } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConformanceEntities, type ConformanceItem, createConformanceEntities } from './entities.js';
import { rawTable } from './raw-table.js';

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

const SEED_NAME = 'seeded';

interface QueryBuilderLike {
  select(fields: string | string[]): QueryBuilderLike;
  where(cond: object): QueryBuilderLike;
  getResultList(): Promise<ConformanceItem[]>;
}

function qb(em: EntityManager, entity: unknown): QueryBuilderLike {
  return (em as unknown as { createQueryBuilder(e: unknown): QueryBuilderLike }).createQueryBuilder(entity);
}

/**
 * The isolation strategy conformance suite, written once and run against
 * every strategy × database: find, findOne, count, QueryBuilder, raw SQL,
 * populate, nativeUpdate, nativeDelete and upsert never see or touch
 * another domain's rows; data access without a domain fails closed; a
 * domain's rows never change domain; 500 interleaved units of work over 50
 * domains never cross; a single pooled connection alternating two domains
 * carries nothing over; provisioning is idempotent and all-or-nothing;
 * evicting a pool loses nothing. Each check is its own named test.
 *
 * @example
 * describeStrategyConformance({
 *   name: 'database-per-domain',
 *   database: 'sqlite',
 *   createStrategy: ({ all, shared, seeder, id }) =>
 *     databasePerDomain({ driver: SqliteDriver, folder: join(tmp, id), entities: all, shared, seeder }),
 * });
 */
export function describeStrategyConformance(options: StrategyConformanceOptions): void {
  const domainCount = options.domains ?? 50;
  const many = Array.from({ length: domainCount }, (_, i) => `d-${String(i).padStart(2, '0')}`);

  describe(`${options.name} on ${options.database}: strategy conformance`, () => {
    const failSeedOnce = new Set<string>();
    let entities: ConformanceEntities;
    let strategy: ConformanceStrategy;
    let site: Site<EntityManager>;

    async function build(poolSize?: number, names: string[] = []) {
      const e = createConformanceEntities();
      const context: StrategyFactoryContext = {
        entities: e,
        all: [e.Owner, e.Item, e.Tag, e.Plan],
        shared: [e.Plan],
        id: `c${randomUUID().slice(0, 8)}`,
        async seeder(em, domain) {
          const { Item } = e;
          em.create(Item, { id: randomUUID(), name: SEED_NAME, tag: 'seed', qty: 1 });
          await em.flush();
          if (failSeedOnce.delete(domain.name)) throw new Error(`seeding ${domain.name} failed on purpose`);
        },
        ...(poolSize === undefined ? {} : { poolSize }),
      };
      const s = await options.createStrategy(context);
      const built = await createSite<EntityManager>({
        isolation: s,
        domains: names.map((name) => ({ name })),
      });
      return { entities: e, strategy: s, site: built };
    }

    beforeAll(async () => {
      ({ entities, strategy, site } = await build(undefined, [
        'alpha',
        'beta',
        'fail-one',
        'twice',
        'gone',
        ...many,
      ]));
      for (const name of ['alpha', 'beta', 'twice', 'gone', ...many])
        await site.provision(name, { seed: true });
    }, 240_000);

    afterAll(async () => {
      await site?.close();
    });

    /** Creates `count` items (and an owner) tagged `tag` in `domain`; returns their ids. */
    async function seedItems(domain: string, tag: string, count = 2): Promise<string[]> {
      return site.run(domain, async () => {
        const em = site.em;
        const owner = em.create(entities.Owner, { id: randomUUID(), name: `owner-${domain}`, tag });
        const ids: string[] = [];
        for (let i = 0; i < count; i++) {
          const id = randomUUID();
          ids.push(id);
          em.create(entities.Item, { id, name: `${domain}-${i}`, tag, qty: i, owner });
        }
        await em.flush();
        return ids;
      });
    }

    function inDomain<T>(domain: string, fn: (em: EntityManager) => Promise<T>): Promise<T> {
      return site.run(domain, () => fn(site.em));
    }

    it('find: each domain sees only its own rows', async () => {
      const tag = randomUUID();
      await seedItems('alpha', tag, 3);
      await seedItems('beta', tag, 2);
      const a = await inDomain('alpha', (em) => em.find(entities.Item, { tag }));
      const b = await inDomain('beta', (em) => em.find(entities.Item, { tag }));
      expect(a.map((i) => i.name).sort()).toEqual(['alpha-0', 'alpha-1', 'alpha-2']);
      expect(b.map((i) => i.name).sort()).toEqual(['beta-0', 'beta-1']);
    });

    it("findOne: another domain's row is not found by its id", async () => {
      const tag = randomUUID();
      const [alphaId] = await seedItems('alpha', tag, 1);
      expect(await inDomain('beta', (em) => em.findOne(entities.Item, { id: alphaId! }))).toBeNull();
      const own = await inDomain('alpha', (em) => em.findOne(entities.Item, { id: alphaId! }));
      expect(own?.name).toBe('alpha-0');
    });

    it('count: counts only the current domain', async () => {
      const tag = randomUUID();
      await seedItems('alpha', tag, 4);
      await seedItems('beta', tag, 1);
      expect(await inDomain('alpha', (em) => em.count(entities.Item, { tag }))).toBe(4);
      expect(await inDomain('beta', (em) => em.count(entities.Item, { tag }))).toBe(1);
    });

    it('QueryBuilder: selects only the current domain, even after where()', async () => {
      const tag = randomUUID();
      await seedItems('alpha', tag, 2);
      await seedItems('beta', tag, 3);
      const rows = await inDomain('beta', (em) =>
        qb(em, entities.Item).select('*').where({ tag }).getResultList(),
      );
      expect(rows.map((r) => r.name).sort()).toEqual(['beta-0', 'beta-1', 'beta-2']);
    });

    it('raw SQL via em.getConnection().execute', async () => {
      const tag = randomUUID();
      await seedItems('alpha', tag, 2);
      await seedItems('beta', tag, 1);
      const raw = (em: EntityManager, sql: string, params: unknown[] = []) =>
        em.getConnection().execute(sql.replace('$item', rawTable(em, 'Item')), params);
      const rows = await inDomain('alpha', (em) => raw(em, 'select name from $item where tag = ?', [tag]));
      const names = (rows as Array<{ name: string }>).map((r) => r.name).sort();
      const caps = strategy.capabilities;
      if (caps.rowLevel === true && caps.databaseEnforced !== true) {
        // Row level without a database wall (SQLite): raw SQL bypasses the ORM filter. This is
        // the documented limit of the strategy, asserted so the docs cannot drift from it.
        expect(names).toEqual(['alpha-0', 'alpha-1', 'beta-0']);
        return;
      }
      expect(names).toEqual(['alpha-0', 'alpha-1']);
      // A raw write without a WHERE on the domain touches only the current domain's rows.
      await inDomain('alpha', (em) => raw(em, "update $item set name = 'raw' where tag = ?", [tag]));
      const beta = await inDomain('beta', (em) => em.find(entities.Item, { tag }));
      expect(beta.map((i) => i.name)).toEqual(['beta-0']);
    });

    it('populate of a relation stays in the domain', async () => {
      const tag = randomUUID();
      await seedItems('alpha', tag, 2);
      await seedItems('beta', tag, 2);
      const owners = await inDomain('beta', async (em) => {
        const items = await em.find(entities.Item, { tag }, { populate: ['owner'] });
        return items.map((i) => i.owner?.name);
      });
      expect(owners).toEqual(['owner-beta', 'owner-beta']);
      const byOwner = await inDomain('alpha', async (em) => {
        const items = await em.find(entities.Item, { tag, owner: { name: 'owner-beta' } });
        return items.length;
      });
      expect(byOwner).toBe(0);
    });

    it('nativeUpdate touches only the current domain', async () => {
      const tag = randomUUID();
      const [alphaId] = await seedItems('alpha', tag, 1);
      await seedItems('beta', tag, 2);
      const changed = await inDomain('beta', (em) => em.nativeUpdate(entities.Item, { tag }, { qty: 99 }));
      expect(changed).toBe(2);
      const byId = await inDomain('beta', (em) =>
        em.nativeUpdate(entities.Item, { id: alphaId! }, { qty: 7 }),
      );
      expect(byId).toBe(0);
      const alpha = await inDomain('alpha', (em) => em.findOneOrFail(entities.Item, { id: alphaId! }));
      expect(alpha.qty).toBe(0);
    });

    it('nativeDelete touches only the current domain', async () => {
      const tag = randomUUID();
      await seedItems('alpha', tag, 2);
      await seedItems('beta', tag, 2);
      const deleted = await inDomain('alpha', (em) => em.nativeDelete(entities.Item, { tag }));
      expect(deleted).toBe(2);
      expect(await inDomain('beta', (em) => em.count(entities.Item, { tag }))).toBe(2);
    });

    it('em.upsert across two domains never touches the other one', async () => {
      const tag = randomUUID();
      const id = randomUUID();
      await inDomain('alpha', (em) => em.upsert(entities.Item, { id, name: 'alpha-up', tag, qty: 1 }));
      await inDomain('alpha', (em) => em.upsert(entities.Item, { id, name: 'alpha-up2', tag, qty: 2 }));
      // The same key from another domain either lands in that domain's own store or is refused.
      await inDomain('beta', (em) => em.upsert(entities.Item, { id, name: 'beta-up', tag, qty: 3 })).catch(
        (error: unknown) => {
          expect(
            MdError.is(error, 'TENANT_MISMATCH') || /row-level security|violates/i.test(String(error)),
          ).toBe(true);
        },
      );
      const alpha = await inDomain('alpha', (em) => em.find(entities.Item, { tag }));
      expect(alpha.map((i) => [i.name, i.qty])).toEqual([['alpha-up2', 2]]);
      const beta = await inDomain('beta', (em) => em.find(entities.Item, { tag }));
      expect(beta.every((i) => i.name === 'beta-up')).toBe(true);
    });

    it('shared entities live in the root store and are visible from every domain', async () => {
      const id = randomUUID();
      const root = strategy.sharedEm();
      root.create(entities.Plan, { id, name: 'gold' });
      await root.flush();
      const seen = await Promise.all(
        ['alpha', 'beta'].map((d) => site.run(d, () => strategy.sharedEm().findOne(entities.Plan, { id }))),
      );
      expect(seen.map((p) => p?.name)).toEqual(['gold', 'gold']);
    });

    it('the root domain has data of its own', async () => {
      const tag = randomUUID();
      await seedItems(site.rootDomain, tag, 1);
      expect(await inDomain(site.rootDomain, (em) => em.count(entities.Item, { tag }))).toBe(1);
      expect(await inDomain('alpha', (em) => em.count(entities.Item, { tag }))).toBe(0);
    });

    it('data access without a current domain throws', async () => {
      expect(() => site.em).toThrow(expect.objectContaining({ code: 'NO_CURRENT_DOMAIN' }));
      let caught: unknown;
      try {
        site.em.create(entities.Item, { id: randomUUID(), name: 'x', tag: 'none', qty: 0 });
      } catch (error) {
        caught = error;
      }
      expect(MdError.is(caught, 'NO_CURRENT_DOMAIN')).toBe(true);
    });

    it("a row's domain cannot be changed", async () => {
      const tag = randomUUID();
      const [alphaId] = await seedItems('alpha', tag, 1);
      if (strategy.capabilities.rowLevel === true) {
        const flushed = inDomain('alpha', async (em) => {
          const item = await em.findOneOrFail(entities.Item, { id: alphaId! });
          (item as ConformanceItem & { tenantId?: string }).tenantId = 'beta';
          await em.flush();
        });
        await expect(flushed).rejects.toMatchObject({ code: 'TENANT_MISMATCH' });
        const native = inDomain('alpha', (em) =>
          em.nativeUpdate(entities.Item, { id: alphaId! }, { tenantId: 'beta' } as never),
        );
        await expect(native).rejects.toMatchObject({ code: 'TENANT_MISMATCH' });
        const inserted = inDomain('alpha', async (em) => {
          em.create(entities.Item, {
            id: randomUUID(),
            name: 'x',
            tag,
            qty: 0,
            tenantId: 'beta',
          } as unknown as ConformanceItem);
          await em.flush();
        });
        await expect(inserted).rejects.toMatchObject({ code: 'TENANT_MISMATCH' });
      } else {
        // Database and schema isolation keep no domain column: a row's domain is where it is
        // stored. The equivalent guarantee: an entity loaded in one domain and written through
        // another domain's entity manager lands in that other store and leaves the original intact.
        const loaded = await inDomain('alpha', (em) => em.findOneOrFail(entities.Item, { id: alphaId! }));
        await inDomain('beta', async (em) => {
          em.create(entities.Item, { id: loaded.id, name: 'copied', tag, qty: 5 });
          await em.flush();
        });
        const alpha = await inDomain('alpha', (em) => em.findOneOrFail(entities.Item, { id: alphaId! }));
        expect([alpha.name, alpha.qty]).toEqual(['alpha-0', 0]);
      }
      const alpha = await inDomain('alpha', (em) => em.count(entities.Item, { tag }));
      expect(alpha).toBe(1);
    });

    it(`500 interleaved concurrent units of work over ${domainCount} domains never cross`, async () => {
      const tag = randomUUID();
      const units = Array.from({ length: 500 }, (_, i) => many[i % many.length]!);
      await Promise.all(
        units.map((domain, i) =>
          site.run(domain, async () => {
            const em = site.em;
            em.create(entities.Item, { id: randomUUID(), name: domain, tag, qty: i });
            await new Promise((r) => setTimeout(r, i % 7));
            await em.flush();
            const seen = await em.find(entities.Item, { tag });
            for (const item of seen) expect(item.name).toBe(domain);
            expect(site.currentDomain).toBe(domain);
          }),
        ),
      );
      const perDomain = 500 / many.length;
      const counts = await Promise.all(
        many.map((d) => inDomain(d, (em) => em.count(entities.Item, { tag }))),
      );
      expect(counts).toEqual(many.map(() => perDomain));
    });

    it("a pool of size 1 alternating two domains never carries one domain's setting into the other's query", async () => {
      const small = await build(1, ['alpha', 'beta']);
      try {
        await small.site.provision('alpha');
        await small.site.provision('beta');
        const tag = randomUUID();
        for (const d of ['alpha', 'beta']) {
          await small.site.run(d, async () => {
            small.site.em.create(small.entities.Item, { id: randomUUID(), name: d, tag, qty: 0 });
            await small.site.em.flush();
          });
        }
        const results = await Promise.all(
          Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'alpha' : 'beta')).map((d) =>
            small.site.run(d, async () => {
              const em = small.site.em;
              const items = await em.find(small.entities.Item, { tag });
              const raw = (await em
                .getConnection()
                .execute(`select name from ${rawTable(em, 'Item')} where tag = ?`, [tag])) as Array<{
                name: string;
              }>;
              return { d, names: items.map((x) => x.name), raw: raw.map((r) => r.name) };
            }),
          ),
        );
        const enforced =
          small.strategy.capabilities.rowLevel !== true || small.strategy.capabilities.databaseEnforced;
        for (const r of results) {
          expect(r.names).toEqual([r.d]);
          if (enforced) expect(r.raw).toEqual([r.d]);
        }
      } finally {
        await small.site.close();
      }
    });

    it('provisioning twice is harmless', async () => {
      await site.provision('twice', { seed: true });
      await site.provision('twice', { seed: true });
      expect(await strategy.isProvisioned('twice')).toBe(true);
      const seeded = await inDomain('twice', (em) => em.count(entities.Item, { name: SEED_NAME }));
      expect(seeded).toBe(1);
    });

    it('a provisioning that fails midway leaves nothing behind', async () => {
      failSeedOnce.add('fail-one');
      const failed = site.provision('fail-one', { seed: true });
      await expect(failed).rejects.toMatchObject({ code: 'PROVISION_FAILED' });
      if (strategy.capabilities.rowLevel !== true)
        expect(await strategy.isProvisioned('fail-one')).toBe(false);
      await site.provision('fail-one', { seed: true });
      const seeded = await inDomain('fail-one', (em) => em.count(entities.Item, { name: SEED_NAME }));
      expect(seeded).toBe(1);
    });

    it("evicting a domain's pool while others serve loses nothing", async () => {
      const tag = randomUUID();
      await seedItems('alpha', tag, 2);
      const serving = Promise.all(
        Array.from({ length: 60 }, (_, i) => {
          const domain = i % 2 === 0 ? 'beta' : many[i % many.length]!;
          return site.run(domain, async () => {
            const em = site.em;
            em.create(entities.Item, { id: randomUUID(), name: domain, tag, qty: i });
            await em.flush();
          });
        }),
      );
      await strategy.release?.('alpha');
      await strategy.release?.('beta');
      await serving;
      expect(await inDomain('alpha', (em) => em.count(entities.Item, { tag }))).toBe(2);
      expect(await inDomain('beta', (em) => em.count(entities.Item, { tag }))).toBe(30);
    });

    it('deprovision needs the confirmation and removes the domain', async () => {
      await expect(site.deprovision('gone', { confirm: 'nope' })).rejects.toMatchObject({
        code: 'CONFIRMATION_REQUIRED',
      });
      const tag = randomUUID();
      await seedItems('gone', tag, 1);
      await site.deprovision('gone', { confirm: 'gone' });
      if (strategy.capabilities.rowLevel !== true) expect(await strategy.isProvisioned('gone')).toBe(false);
      else {
        await site.provision('gone');
        expect(await inDomain('gone', (em) => em.count(entities.Item, {}))).toBe(0);
      }
    });
  });
}
