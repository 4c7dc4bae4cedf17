import { adminApi, siteHealth } from '@md/admin';
import { createSite } from '@md/core';
import { databasePerDomain } from '@md/isolation-database';
import { tempDir } from '@md/testing';
import { createConformanceEntities } from '@md/testing/strategy';
import { SqliteDriver } from '@mikro-orm/sql';
import { describe, expect, it } from 'vitest';

// The admin API's fleet health on a real database-per-domain site: the check of every
// domain must not open every domain's pool, or a budget of 5 turns it into 295 evictions.
describe('site health over a fleet of 300 database-per-domain domains, budget 5', () => {
  it('opens no pool and evicts none; one domain’s check opens only that domain’s pool', async () => {
    const { Owner, Item, Plan } = createConformanceEntities();
    const isolation = databasePerDomain({
      driver: SqliteDriver,
      folder: tempDir('md-fleet-health-'),
      entities: [Owner, Item, Plan],
      shared: [Plan],
      budget: 5,
    });
    const names = Array.from({ length: 300 }, (_, i) => `shop-${String(i).padStart(3, '0')}`);
    const token = 'fleet-health-admin-token-0123456789';
    const admin = adminApi({ token });
    const site = await createSite({ isolation, plugins: [admin], domains: names.map((name) => ({ name })) });
    let opened = 0;
    let evicted = 0;
    site.events.on('pool:opened', () => opened++);
    site.events.on('pool:evicted', () => evicted++);
    try {
      for (const name of names) await site.provision(name);
      // Five requests fill the budget.
      for (const name of names.slice(0, 5)) await site.run(name, () => site.em.count(Item, {}));
      const before = { opened, evicted, open: isolation.stats().open };
      expect(before).toEqual({ opened: 5, evicted: 0, open: 5 });

      const fleet = await siteHealth(site);
      const viaApi = await admin.handle({
        method: 'GET',
        path: '/_md/health',
        headers: { get: (name) => (name === 'authorization' ? `Bearer ${token}` : undefined) },
      });
      expect({
        ok: fleet.ok,
        checked: Object.keys(fleet.domains).length,
        status: viaApi.status,
        opened,
        evicted,
        open: isolation.stats().open,
      }).toEqual({ ok: true, checked: 301, status: 200, opened: 5, evicted: 0, open: 5 });

      // One domain's health reaches its data: that opens its pool, one eviction at most.
      expect((await siteHealth(site, 'shop-299')).ok).toBe(true);
      expect({ opened, evicted, open: isolation.stats().open }).toEqual({ opened: 6, evicted: 1, open: 5 });
    } finally {
      await site.close();
    }
  }, 180_000);
});
