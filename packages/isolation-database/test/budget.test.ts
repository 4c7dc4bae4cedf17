import { createSite } from '@md/core';
import { tempDir } from '@md/testing';
import { createConformanceEntities } from '@md/testing/strategy';
import { SqliteDriver } from '@mikro-orm/sql';
import { describe, expect, it } from 'vitest';
import { databasePerDomain } from '../src/index.js';

describe('database-per-domain budget', () => {
  it('1,000 domains with a budget of 20 never have more than 20 pools open', async () => {
    const { Owner, Item, Tag, Plan } = createConformanceEntities();
    const folder = tempDir('md-budget-');
    const isolation = databasePerDomain({
      driver: SqliteDriver,
      folder,
      entities: [Owner, Item, Tag, Plan],
      shared: [Plan],
      budget: 20,
    });
    const names = Array.from({ length: 1000 }, (_, i) => `tenant-${i}`);
    const site = await createSite({ isolation, domains: names.map((name) => ({ name })) });
    let open = 0;
    let peak = 0;
    let evicted = 0;
    site.events.on('pool:opened', (e) => {
      open = e.open;
      peak = Math.max(peak, e.open);
    });
    site.events.on('pool:evicted', () => evicted++);
    try {
      for (const name of names) await site.provision(name);
      // Requests over every domain, 50 at a time, each writing then reading its own row.
      for (let i = 0; i < names.length; i += 50) {
        await Promise.all(
          names.slice(i, i + 50).map((name) =>
            site.run(name, async () => {
              site.em.create(Item, { id: `${name}-1`, name, tag: 'budget', qty: 1 });
              await site.em.flush();
              const rows = await site.em.find(Item, { tag: 'budget' });
              expect(rows.map((r) => r.name)).toEqual([name]);
            }),
          ),
        );
        expect(isolation.stats().open).toBeLessThanOrEqual(20);
      }
      expect(peak).toBeLessThanOrEqual(20);
      expect(isolation.stats().maxOpen).toBeLessThanOrEqual(20);
      expect(peak).toBe(20);
      expect(open).toBeLessThanOrEqual(20);
      expect(evicted).toBeGreaterThanOrEqual(1000 - 20);
      // Evicted domains reopen transparently with their data.
      const again = await site.run('tenant-0', () => site.em.count(Item, { tag: 'budget' }));
      expect(again).toBe(1);
    } finally {
      await site.close();
    }
  }, 180_000);

  it('a domain evicted between two statements of a request keeps one connection: a later request and the first one write in turn, never on two connections to one file', async () => {
    const { Owner, Item, Tag, Plan } = createConformanceEntities();
    const isolation = databasePerDomain({
      driver: SqliteDriver,
      folder: tempDir('md-evicted-mid-'),
      entities: [Owner, Item, Tag, Plan],
      shared: [Plan],
      budget: 2,
    });
    const names = ['alpha', 'beta', 'gamma'];
    const site = await createSite({ isolation, domains: names.map((name) => ({ name })) });
    const evicted: string[] = [];
    site.events.on('pool:evicted', (e) => evicted.push(e.domain));
    try {
      for (const name of names) await site.provision(name);
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let first!: Promise<void>;
      // Request 1 on alpha: a read, then (later) a write on the same entity manager.
      await site.run('alpha', async () => {
        const em = site.em;
        await em.find(Item, {});
        first = (async () => {
          await held;
          em.create(Item, { id: 'alpha-first', name: 'first', tag: 'mid', qty: 1 });
          await em.flush();
        })();
      });
      // beta and gamma take the budget of 2: alpha, idle between its two statements, is evicted.
      for (const name of ['beta', 'gamma']) await site.run(name, () => site.em.find(Item, {}));
      expect(evicted).toContain('alpha');
      // Request 2 on alpha holds a write transaction while request 1 writes.
      const second = site.run('alpha', () =>
        (
          site.em as unknown as { transactional(cb: (em: typeof site.em) => Promise<void>): Promise<void> }
        ).transactional(async (em) => {
          em.create(Item, { id: 'alpha-second', name: 'second', tag: 'mid', qty: 1 });
          await em.flush();
          release();
          await new Promise((resolve) => setTimeout(resolve, 100));
        }),
      );
      const started = performance.now();
      await Promise.all([first, second]);
      // In turn on one connection: no wait on SQLite's busy timeout (5 s), no "database is locked".
      expect(performance.now() - started).toBeLessThan(3_000);
      const rows = await site.run('alpha', () =>
        site.em.find(Item, { tag: 'mid' }, { orderBy: { id: 'asc' } }),
      );
      expect(rows.map((r) => r.id)).toEqual(['alpha-first', 'alpha-second']);
      expect(isolation.stats().maxOpen).toBeLessThanOrEqual(2);
    } finally {
      await site.close();
    }
  }, 30_000);

  it('cold activation shares metadata: time and memory per resident domain', async () => {
    const { Owner, Item, Tag, Plan } = createConformanceEntities();
    const folder = tempDir('md-cold-');
    const count = 200;
    const isolation = databasePerDomain({
      driver: SqliteDriver,
      folder,
      entities: [Owner, Item, Tag, Plan],
      shared: [Plan],
      budget: count + 1,
    });
    const names = Array.from({ length: count }, (_, i) => `cold-${i}`);
    const site = await createSite({ isolation, domains: names.map((name) => ({ name })) });
    try {
      for (const name of names) await site.provision(name);
      // Warm the shared code paths once.
      await site.run(site.rootDomain, () => site.em.count(Item, {}));
      global.gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      const started = performance.now();
      for (const name of names) await site.run(name, () => site.em.count(Item, {}));
      const perDomainMs = (performance.now() - started) / count;
      global.gc?.();
      const perDomainKb = (process.memoryUsage().heapUsed - heapBefore) / count / 1024;
      console.log(
        `database-per-domain (SQLite): cold activation ${perDomainMs.toFixed(2)} ms, ${perDomainKb.toFixed(0)} KB heap per resident domain`,
      );
      expect(isolation.stats().open).toBe(count + 1);
      // Far below a MikroORM.init per domain (about 12 ms): the metadata is shared.
      expect(perDomainMs).toBeLessThan(12);
    } finally {
      await site.close();
    }
  }, 120_000);

  it('a domain’s query builders get no guard hook when there is no shared entity to refuse a join into, and get it when there is', async () => {
    const { Owner, Item, Tag, Plan } = createConformanceEntities();
    const own = (qb: object) => Object.hasOwn(qb, 'finalize');
    for (const shared of [[], [Plan]]) {
      const isolation = databasePerDomain({
        driver: SqliteDriver,
        folder: tempDir('md-guard-'),
        entities: [Owner, Item, Tag, Plan],
        shared,
      });
      const site = await createSite({ isolation, domains: [{ name: 'hooked' }] });
      try {
        await site.provision('hooked');
        const hooked = await site.run('hooked', async () => {
          const qb = site.em.createQueryBuilder(Item).select('*');
          expect(await qb.getResultList()).toEqual([]);
          return own(qb);
        });
        expect(hooked).toBe(shared.length > 0);
      } finally {
        await site.close();
      }
    }
  });
});
