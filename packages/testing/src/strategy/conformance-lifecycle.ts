import { randomUUID } from 'node:crypto';
import { MdError, type Site } from '@md/core';
import type { EntityManager } from '@mikro-orm/core';
import { expect, it } from 'vitest';
import { type ConformanceStrategy, SEED_NAME, type StrategyConformanceOptions } from './conformance-types.js';
import type { ConformanceEntities, ConformanceItem } from './entities.js';
import { rawTable } from './raw-table.js';

/** What the lifecycle cases read of the running conformance suite (getters: the suite sets them in beforeAll). */
export interface ConformanceState {
  readonly site: Site<EntityManager>;
  readonly entities: ConformanceEntities;
  readonly strategy: ConformanceStrategy;
  readonly many: string[];
  readonly domainCount: number;
  readonly failSeedOnce: Set<string>;
  readonly options: StrategyConformanceOptions;
  build(
    poolSize?: number,
    names?: string[],
  ): Promise<{ entities: ConformanceEntities; strategy: ConformanceStrategy; site: Site<EntityManager> }>;
  seedItems(domain: string, tag: string, count?: number): Promise<string[]>;
  inDomain<T>(domain: string, fn: (em: EntityManager) => Promise<T>): Promise<T>;
}

/**
 * The conformance cases about shared and root data, writes without a domain
 * or to another domain, concurrency, pools and the lifecycle of a domain
 * (provision, a failed provision, eviction, deprovision), registered
 * inside the suite's describe by {@link describeStrategyConformance}.
 */
export function lifecycleCases(s: ConformanceState): void {
  it('shared s.entities live in the root store and are visible from every domain', async () => {
    const id = randomUUID();
    const root = s.strategy.sharedEm();
    root.create(s.entities.Plan, { id, name: 'gold' });
    await root.flush();
    const seen = await Promise.all(
      ['alpha', 'beta'].map((d) =>
        s.site.run(d, () => s.strategy.sharedEm().findOne(s.entities.Plan, { id })),
      ),
    );
    expect(seen.map((p) => p?.name)).toEqual(['gold', 'gold']);
  });

  it('the root domain has data of its own', async () => {
    const tag = randomUUID();
    await s.seedItems(s.site.rootDomain, tag, 1);
    expect(await s.inDomain(s.site.rootDomain, (em) => em.count(s.entities.Item, { tag }))).toBe(1);
    expect(await s.inDomain('alpha', (em) => em.count(s.entities.Item, { tag }))).toBe(0);
  });

  it('data access without a current domain throws', async () => {
    expect(() => s.site.em).toThrow(expect.objectContaining({ code: 'NO_CURRENT_DOMAIN' }));
    let caught: unknown;
    try {
      s.site.em.create(s.entities.Item, { id: randomUUID(), name: 'x', tag: 'none', qty: 0 });
    } catch (error) {
      caught = error;
    }
    expect(MdError.is(caught, 'NO_CURRENT_DOMAIN')).toBe(true);
  });

  it("a row's domain cannot be changed", async () => {
    const tag = randomUUID();
    const [alphaId] = await s.seedItems('alpha', tag, 1);
    if (s.strategy.capabilities.rowLevel === true) {
      const flushed = s.inDomain('alpha', async (em) => {
        const item = await em.findOneOrFail(s.entities.Item, { id: alphaId! });
        (item as ConformanceItem & { tenantId?: string }).tenantId = 'beta';
        await em.flush();
      });
      await expect(flushed).rejects.toMatchObject({ code: 'TENANT_MISMATCH' });
      const native = s.inDomain('alpha', (em) =>
        em.nativeUpdate(s.entities.Item, { id: alphaId! }, { tenantId: 'beta' } as never),
      );
      await expect(native).rejects.toMatchObject({ code: 'TENANT_MISMATCH' });
      const inserted = s.inDomain('alpha', async (em) => {
        em.create(s.entities.Item, {
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
      const loaded = await s.inDomain('alpha', (em) => em.findOneOrFail(s.entities.Item, { id: alphaId! }));
      await s.inDomain('beta', async (em) => {
        em.create(s.entities.Item, { id: loaded.id, name: 'copied', tag, qty: 5 });
        await em.flush();
      });
      const alpha = await s.inDomain('alpha', (em) => em.findOneOrFail(s.entities.Item, { id: alphaId! }));
      expect([alpha.name, alpha.qty]).toEqual(['alpha-0', 0]);
    }
    const alpha = await s.inDomain('alpha', (em) => em.count(s.entities.Item, { tag }));
    expect(alpha).toBe(1);
  });

  it(`500 interleaved concurrent units of work over ${s.domainCount} domains never cross`, async () => {
    const tag = randomUUID();
    const units = Array.from({ length: 500 }, (_, i) => s.many[i % s.many.length]!);
    await Promise.all(
      units.map((domain, i) =>
        s.site.run(domain, async () => {
          const em = s.site.em;
          em.create(s.entities.Item, { id: randomUUID(), name: domain, tag, qty: i });
          await new Promise((r) => setTimeout(r, i % 7));
          await em.flush();
          const seen = await em.find(s.entities.Item, { tag });
          for (const item of seen) expect(item.name).toBe(domain);
          expect(s.site.currentDomain).toBe(domain);
        }),
      ),
    );
    const perDomain = 500 / s.many.length;
    const counts = await Promise.all(
      s.many.map((d) => s.inDomain(d, (em) => em.count(s.entities.Item, { tag }))),
    );
    expect(counts).toEqual(s.many.map(() => perDomain));
  });

  it("a pool of size 1 alternating two domains never carries one domain's setting into the other's query", async () => {
    const small = await s.build(1, ['alpha', 'beta']);
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
    await s.site.provision('twice', { seed: true });
    await s.site.provision('twice', { seed: true });
    expect(await s.strategy.isProvisioned('twice')).toBe(true);
    const seeded = await s.inDomain('twice', (em) => em.count(s.entities.Item, { name: SEED_NAME }));
    expect(seeded).toBe(1);
  });

  it('a provisioning that fails midway leaves nothing behind', async () => {
    s.failSeedOnce.add('fail-one');
    const failed = s.site.provision('fail-one', { seed: true });
    await expect(failed).rejects.toMatchObject({ code: 'PROVISION_FAILED' });
    if (s.strategy.capabilities.rowLevel !== true)
      expect(await s.strategy.isProvisioned('fail-one')).toBe(false);
    await s.site.provision('fail-one', { seed: true });
    const seeded = await s.inDomain('fail-one', (em) => em.count(s.entities.Item, { name: SEED_NAME }));
    expect(seeded).toBe(1);
  });

  it("evicting a domain's pool while others serve loses nothing", async () => {
    const tag = randomUUID();
    await s.seedItems('alpha', tag, 2);
    const serving = Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const domain = i % 2 === 0 ? 'beta' : s.many[i % s.many.length]!;
        return s.site.run(domain, async () => {
          const em = s.site.em;
          em.create(s.entities.Item, { id: randomUUID(), name: domain, tag, qty: i });
          await em.flush();
        });
      }),
    );
    await s.strategy.release?.('alpha');
    await s.strategy.release?.('beta');
    await serving;
    expect(await s.inDomain('alpha', (em) => em.count(s.entities.Item, { tag }))).toBe(2);
    expect(await s.inDomain('beta', (em) => em.count(s.entities.Item, { tag }))).toBe(30);
  });

  it('deprovision needs the confirmation and removes the domain', async () => {
    await expect(s.site.deprovision('gone', { confirm: 'nope' })).rejects.toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
    });
    const tag = randomUUID();
    await s.seedItems('gone', tag, 1);
    await s.site.deprovision('gone', { confirm: 'gone' });
    if (s.strategy.capabilities.rowLevel !== true) expect(await s.strategy.isProvisioned('gone')).toBe(false);
    else {
      await s.site.provision('gone');
      expect(await s.inDomain('gone', (em) => em.count(s.entities.Item, {}))).toBe(0);
    }
  });
}
