import { randomUUID } from 'node:crypto';
import { MdError } from '@md/core';
import type { EntityManager } from '@mikro-orm/core';
import { expect } from 'vitest';
import type { DataFixture } from '../../attack/data-fixture.js';
import type { ConformanceItem } from '../entities.js';
import { rawTable } from '../raw-table.js';

/** One regression test: named after the behaviour it keeps, run where it applies. */
export interface Regression {
  readonly name: string;
  readonly applies?: (fx: DataFixture) => boolean;
  run(fx: DataFixture): Promise<void>;
}

const singleConnection = (fx: DataFixture) => fx.caps.rowLevel === true && fx.database === 'sqlite';
const rowLevel = (fx: DataFixture) => fx.caps.rowLevel === true;
const codeOf = async (work: Promise<unknown>) =>
  work.then(
    () => 'resolved',
    (error: unknown) => (MdError.is(error) ? error.code : String(error)),
  );
const inDomain = <T>(fx: DataFixture, domain: string, fn: (em: EntityManager) => Promise<T>) =>
  fx.site.run(domain, () => fn(fx.site.em));
const item = (fx: DataFixture, domain: string, index = 0) =>
  inDomain(fx, domain, (em) =>
    em.findOneOrFail(fx.entities.Item, { id: fx.rows[domain]!.items[index as 0 | 1] }),
  );

/** The units-of-work regressions (issue 13, items 1, 5, 6, 7, 10 and 19). */
export const UNIT_OF_WORK_REGRESSIONS: readonly Regression[] = [
  {
    name: 'a nested site.run of another domain inside a transaction uses that domain’s store and never joins the transaction',
    applies: (fx) => !singleConnection(fx),
    run: async (fx) => {
      const tag = randomUUID();
      const rolledBack = fx.site.run('alpha', () =>
        fx.site.em.transactional(async (trx) => {
          trx.create(fx.entities.Item, { id: randomUUID(), name: 'alpha in transaction', tag, qty: 1 });
          await trx.flush();
          const seen = await fx.site.run('beta', async () => {
            const em = fx.site.em;
            em.create(fx.entities.Item, { id: randomUUID(), name: 'beta nested', tag, qty: 2 });
            await em.flush();
            return (await em.find(fx.entities.Item, { tag })).map((i) => i.name);
          });
          // beta's entity manager saw beta's own write only, never alpha's uncommitted row.
          expect(seen).toEqual(['beta nested']);
          throw new Error('roll alpha back');
        }),
      );
      await expect(rolledBack).rejects.toThrow('roll alpha back');
      // alpha's rollback undid alpha's row and nothing of beta's: beta never joined alpha's transaction.
      expect(await inDomain(fx, 'alpha', (em) => em.count(fx.entities.Item, { tag }))).toBe(0);
      expect(await inDomain(fx, 'beta', (em) => em.count(fx.entities.Item, { tag }))).toBe(1);
    },
  },
  {
    name: 'a nested site.run inside a transaction on a one-connection SQLite store fails with NESTED_TRANSACTION instead of waiting forever',
    applies: singleConnection,
    run: async (fx) => {
      const tag = randomUUID();
      const outer = fx.site.run('alpha', () =>
        fx.site.em.transactional(async (trx) => {
          trx.create(fx.entities.Item, { id: randomUUID(), name: 'alpha in transaction', tag, qty: 1 });
          await trx.flush();
          const nested = await codeOf(fx.site.run('beta', () => fx.site.em.find(fx.entities.Item, { tag })));
          expect(nested).toBe('NESTED_TRANSACTION');
          // The outer entity manager used inside its own transaction would wait the same way.
          expect(
            await codeOf(fx.site.run('alpha', () => fx.site.em.fork().count(fx.entities.Item, { tag }))),
          ).toBe('NESTED_TRANSACTION');
        }),
      );
      await outer;
      expect(await inDomain(fx, 'alpha', (em) => em.count(fx.entities.Item, { tag }))).toBe(1);
      expect(await inDomain(fx, 'beta', (em) => em.count(fx.entities.Item, { tag }))).toBe(0);
    },
  },
  {
    name: 'a change through getReference to another domain’s id and flush leaves that domain’s row as it was',
    run: async (fx) => {
      const before = await item(fx, 'beta');
      await inDomain(fx, 'alpha', async (em) => {
        em.getReference(fx.entities.Item, before.id).name = 'changed from alpha';
        await em.flush();
      });
      expect((await item(fx, 'beta')).name).toBe(before.name);
    },
  },
  {
    name: 'a remove through getReference to another domain’s id and flush deletes nothing of that domain',
    run: async (fx) => {
      const id = fx.rows.beta!.items[1];
      await inDomain(fx, 'alpha', async (em) => {
        em.remove(em.getReference(fx.entities.Item, id));
        await em.flush();
      });
      expect(await inDomain(fx, 'beta', (em) => em.count(fx.entities.Item, { id }))).toBe(1);
    },
  },
  {
    name: 'an entity loaded in one domain’s run and flushed in another’s is refused with TENANT_MISMATCH and changes neither',
    run: async (fx) => {
      const loaded = await item(fx, 'alpha');
      const name = loaded.name;
      const persisted = inDomain(fx, 'beta', async (em) => {
        em.persist(loaded);
        loaded.name = 'changed in beta';
        await em.flush();
      });
      expect(await codeOf(persisted)).toBe('TENANT_MISMATCH');
      loaded.name = name;
      expect((await item(fx, 'alpha')).name).toBe(name);
      expect(await inDomain(fx, 'beta', (em) => em.count(fx.entities.Item, { id: loaded.id }))).toBe(0);
    },
  },
  {
    name: 'an entity of one domain merged into another’s entity manager and flushed changes nothing of the first',
    run: async (fx) => {
      const loaded = await item(fx, 'alpha', 1);
      const name = loaded.name;
      const merged = inDomain(fx, 'beta', async (em) => {
        const copy = em.merge(loaded);
        copy.name = 'changed in beta';
        await em.flush();
      });
      const code = await codeOf(merged);
      expect(code === 'resolved' || code === 'TENANT_MISMATCH').toBe(true);
      expect(
        (await inDomain(fx, 'alpha', (em) => em.findOneOrFail(fx.entities.Item, { id: loaded.id }))).name,
      ).toBe(name);
    },
  },
  {
    name: 'find, fork and nativeUpdate naming another domain’s schema are refused with TENANT_MISMATCH',
    applies: (fx) => fx.caps.schemaPerDomain === true,
    run: async (fx) => {
      const schema = fx.strategy.schemaOf!('beta');
      const { Item } = fx.entities;
      expect(await codeOf(inDomain(fx, 'alpha', (em) => em.find(Item, {}, { schema })))).toBe(
        'TENANT_MISMATCH',
      );
      expect(await codeOf(inDomain(fx, 'alpha', async (em) => em.fork({ schema })))).toBe('TENANT_MISMATCH');
      const update = inDomain(fx, 'alpha', (em) => em.nativeUpdate(Item, {}, { qty: 9 }, { schema }));
      expect(await codeOf(update)).toBe('TENANT_MISMATCH');
      const error = await inDomain(fx, 'alpha', (em) => em.count(Item, {}, { schema })).catch(
        (e: unknown) => e,
      );
      expect((error as MdError).status).toBe(403);
      expect(
        await inDomain(fx, 'alpha', (em) => em.count(Item, {}, { schema: fx.strategy.schemaOf!('alpha') })),
      ).toBe(2);
    },
  },
  {
    name: 'a relation to another domain’s row (owner, or a tag of a many-to-many) is refused with TENANT_MISMATCH and not stored',
    applies: rowLevel,
    run: async (fx) => {
      const { Item, Owner, Tag } = fx.entities;
      const owner = inDomain(fx, 'alpha', async (em) => {
        const own = await em.findOneOrFail(Item, { id: fx.rows.alpha!.items[1] });
        own.owner = em.getReference(Owner, fx.rows.beta!.owner);
        await em.flush();
      });
      expect(await codeOf(owner)).toBe('TENANT_MISMATCH');
      const tag = inDomain(fx, 'alpha', async (em) => {
        const own = await em.findOneOrFail(Item, { id: fx.rows.alpha!.items[1] }, { populate: ['tags'] });
        own.tags.add(em.getReference(Tag, fx.rows.beta!.tags[0]));
        await em.flush();
      });
      expect(await codeOf(tag)).toBe('TENANT_MISMATCH');
      const stored = await inDomain(fx, 'alpha', (em) =>
        em.findOneOrFail(Item, { id: fx.rows.alpha!.items[1] }, { populate: ['tags', 'owner'] }),
      );
      expect(stored.owner?.id).toBe(fx.rows.alpha!.owner);
      expect(
        stored.tags
          .getItems()
          .map((t) => t.id)
          .sort(),
      ).toEqual([...fx.rows.alpha!.tags].sort());
    },
  },
  {
    name: 'a QueryBuilder insert is stamped with the current domain’s tenant',
    applies: rowLevel,
    run: async (fx) => {
      const id = randomUUID();
      await inDomain(fx, 'alpha', (em) =>
        (
          em as unknown as {
            createQueryBuilder(e: unknown): { insert(d: unknown): { execute(): Promise<unknown> } };
          }
        )
          .createQueryBuilder(fx.entities.Item)
          .insert({ id, name: 'qb insert', tag: 'qb', qty: 1 })
          .execute(),
      );
      const row = await inDomain(fx, 'alpha', (em) => em.findOneOrFail(fx.entities.Item, { id }));
      expect((row as ConformanceItem & { tenantId: string }).tenantId).toBe('alpha');
      expect(await inDomain(fx, 'beta', (em) => em.count(fx.entities.Item, { id }))).toBe(0);
    },
  },
  {
    name: 'an upsert on another domain’s key is refused with TENANT_MISMATCH (403), not a database error',
    applies: rowLevel,
    run: async (fx) => {
      const id = fx.rows.beta!.items[0];
      const error = await inDomain(fx, 'alpha', (em) =>
        em.upsert(fx.entities.Item, { id, name: 'x', tag: 'x', qty: 0 }),
      ).catch((e: unknown) => e);
      expect([MdError.is(error) && error.code, (error as MdError).status]).toEqual(['TENANT_MISMATCH', 403]);
      expect((await item(fx, 'beta')).name).toBe('beta-secret item 0');
    },
  },
  {
    name: 'Collection.matching() on a many-to-many relation reads the domain’s own pivot table',
    run: async (fx) => {
      const tags = await inDomain(fx, 'alpha', async (em) => {
        const own = await em.findOneOrFail(fx.entities.Item, { id: fx.rows.alpha!.items[0] });
        return (await own.tags.matching({ where: {}, orderBy: { label: 'asc' } })).map((t) => t.label);
      });
      expect(tags).toEqual(['alpha-secret tag 0', 'alpha-secret tag 1']);
    },
  },
  {
    name: 'every table the strategy creates for a scoped entity, the generated pivot table included, carries the tenant',
    applies: rowLevel,
    run: async (fx) => {
      const em = fx.site.run('alpha', () => fx.site.em);
      const pivot = rawTable(
        em,
        em.getMetadata().find(em.getMetadata().find(fx.entities.Item)!.properties.tags!.pivotEntity)!
          .className,
      );
      const rows = (await fx.site.run('alpha', () =>
        em.getConnection().execute(`select tenant_id from ${pivot} where tenant_id = ?`, ['alpha']),
      )) as unknown[];
      expect(rows.length).toBe(4);
    },
  },
  {
    name: 'site.em on a shared entity routes to nothing empty: the root store’s rows, or SHARED_ENTITY_OUTSIDE_ROOT naming strategy.sharedEm()',
    run: async (fx) => {
      const found = inDomain(fx, 'alpha', (em) => em.find(fx.entities.Plan, {}));
      if (fx.caps.rowLevel === true) {
        expect((await found).map((p) => p.name)).toEqual(['gold plan']);
        return;
      }
      const error = await found.catch((e: unknown) => e);
      expect(MdError.is(error, 'SHARED_ENTITY_OUTSIDE_ROOT')).toBe(true);
      expect((error as Error).message).toContain('strategy.sharedEm()');
      expect((await fx.strategy.sharedEm().find(fx.entities.Plan, {})).map((p) => p.name)).toEqual([
        'gold plan',
      ]);
    },
  },
];
