import { randomUUID } from 'node:crypto';
import { createSite } from '@md/core';
import { injectPostgresUrl, startPostgres } from '@md/testing/postgres';
import { createConformanceEntities } from '@md/testing/strategy';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaPerDomain } from '../src/index.js';

// Connection affinity: each domain goes to the sub-pool its name hashes to, so a
// backend only ever serves that sub-pool's share of the schemas (warm catalog caches).
const names = Array.from({ length: 24 }, (_, i) => `aff-${i}`);
const { Owner, Item, Tag, Plan } = createConformanceEntities();

type Row = { pid: number; path: string; role: string };
/** The backend, session search_path and role of the connection the domain's entity manager takes. */
const probe = (em: SqlEntityManager) =>
  em
    .getConnection()
    .execute(
      `select pg_backend_pid() as pid, current_setting('search_path') as path, current_user as role`,
    ) as Promise<Row[]>;

describe('schema-per-domain: connection affinity', () => {
  let url: string;
  let admin: ReturnType<typeof schemaPerDomain>;
  let adminSite: Awaited<ReturnType<typeof createSite>>;

  beforeAll(async () => {
    const server = await startPostgres({ url: injectPostgresUrl() });
    url = await server.createDatabase('md_affinity');
    admin = schemaPerDomain({
      driver: PostgreSqlDriver,
      url,
      entities: [Owner, Item, Tag, Plan],
      shared: [Plan],
    });
    adminSite = await createSite({ isolation: admin, domains: names.map((name) => ({ name })) });
    for (const name of names) await adminSite.provision(name);
  });
  afterAll(() => adminSite?.close());

  async function open(options: Partial<Parameters<typeof schemaPerDomain>[0]>) {
    const isolation = schemaPerDomain({
      driver: PostgreSqlDriver,
      url,
      entities: [Owner, Item, Tag, Plan],
      shared: [Plan],
      ...options,
    });
    const site = await createSite({ isolation, domains: names.map((name) => ({ name })) });
    return { isolation, site };
  }

  it('routes a domain to the same sub-pool, in every instance, and its requests to that sub-pool’s backends only', async () => {
    const { isolation, site } = await open({ poolSize: 8, affinity: { groupSize: 2 } });
    const other = await open({ poolSize: 8, affinity: { groupSize: 2 } });
    try {
      expect(isolation.stats().subPools).toBe(4);
      const homes = names.map((n) => isolation.subPoolOf(n));
      // Stable: the same in another strategy instance (another process would hash alike).
      expect(names.map((n) => other.isolation.subPoolOf(n))).toEqual(homes);
      // Spread: the domains do not all land in one sub-pool.
      expect(new Set(homes).size).toBeGreaterThan(1);
      // One request at a time (no sub-pool is ever busy, so nothing spills): a domain's
      // requests only ever meet the backends of its home, at most groupSize of them.
      const pidsOf = new Map<number, Set<number>>();
      for (let round = 0; round < 6; round++) {
        for (const name of names) {
          const [row] = await site.run(name, () => probe(site.em as SqlEntityManager));
          const home = isolation.subPoolOf(name);
          const set = pidsOf.get(home) ?? new Set<number>();
          set.add(row!.pid);
          pidsOf.set(home, set);
        }
      }
      for (const pids of pidsOf.values()) expect(pids.size).toBeLessThanOrEqual(2);
      // No two sub-pools share a backend.
      const all = [...pidsOf.values()].flatMap((s) => [...s]);
      expect(new Set(all).size).toBe(all.length);
    } finally {
      await site.close();
      await other.site.close();
    }
  });

  it('never opens more request connections than poolSize, also when a hot domain spills to other sub-pools', async () => {
    const { isolation, site } = await open({ poolSize: 4, affinity: { groupSize: 1, spill: 'any' } });
    try {
      const hot = names[0]!;
      // 40 requests at once, half of them on one domain, each holding its connection a while.
      await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const name = i % 2 === 0 ? hot : names[i % names.length]!;
          await site.run(name, async () => {
            const em = site.em as SqlEntityManager;
            await em.getConnection().transactional(async (trx) => {
              await em.getConnection().execute('select pg_sleep(0.02)', [], 'all', trx);
            });
          });
        }),
      );
      const stats = isolation.stats();
      expect(stats.subPools).toBe(4);
      expect(stats.maxConnections).toBeGreaterThan(0);
      expect(stats.maxConnections).toBeLessThanOrEqual(4);
      expect(stats.connections).toBeLessThanOrEqual(4);
      // A hot domain whose connection is busy when it takes one gets a free one of another sub-pool.
      const spilledBefore = stats.spilled;
      const hotPids = new Set<number>();
      const hold = (ms: number) =>
        site.run(hot, async () => {
          const em = site.em as SqlEntityManager;
          await em.getConnection().transactional(async (trx) => {
            const [row] = (await em
              .getConnection()
              .execute(`select pg_backend_pid() as pid, pg_sleep(${ms / 1000})`, [], 'all', trx)) as Row[];
            hotPids.add(row!.pid);
          });
        });
      const long = hold(400);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await Promise.all([hold(100), hold(100), hold(100)]);
      await long;
      expect(hotPids.size).toBe(4);
      expect(isolation.stats().spilled).toBeGreaterThanOrEqual(spilledBefore + 3);
      expect(isolation.stats().maxConnections).toBeLessThanOrEqual(4);
    } finally {
      await site.close();
    }
  });

  it('keeps a domain in its own sub-pool when spill is none', async () => {
    const { isolation, site } = await open({ poolSize: 4, affinity: { groupSize: 1, spill: 'none' } });
    try {
      const hot = names[0]!;
      const seen = new Set<number>();
      await Promise.all(
        Array.from({ length: 12 }, () =>
          site.run(hot, async () => {
            const [row] = await probe(site.em as SqlEntityManager);
            seen.add(row!.pid);
          }),
        ),
      );
      expect(seen.size).toBe(1);
      expect(isolation.stats().maxConnections).toBeLessThanOrEqual(4);
    } finally {
      await site.close();
    }
  });

  it('a connection that served another domain of its sub-pool carries nothing over: default search_path, request role, own rows', async () => {
    const { isolation, site } = await open({ poolSize: 2, affinity: { groupSize: 1 } });
    try {
      // Two domains with the same home: served one after the other by that sub-pool's one connection.
      const home = isolation.subPoolOf(names[0]!);
      const [a, b] = names.filter((n) => isolation.subPoolOf(n) === home) as [string, string];
      expect(b).toBeDefined();
      const tag = randomUUID();
      await site.run(a, async () => {
        site.em.create(Item, { id: randomUUID(), name: 'only-a', tag, qty: 1 });
        await site.em.flush();
      });
      const [first] = await site.run(a, () => probe(site.em as SqlEntityManager));
      const [second] = await site.run(b, () => probe(site.em as SqlEntityManager));
      expect(second!.pid).toBe(first!.pid);
      // search_path is never set on request connections: neither domain's schema is in it.
      for (const row of [first!, second!]) {
        expect(row.path).toBe('"$user", public');
        expect(row.role).toMatch(/_app$/);
      }
      // Every query names its schema: b, on the connection that just served a, sees none of a's rows.
      expect(await site.run(b, () => site.em.find(Item, { tag }))).toEqual([]);
      expect(await site.run(a, () => site.em.find(Item, { tag }))).toHaveLength(1);
    } finally {
      await site.close();
    }
  });

  it('affinity is off by default and with false (one pool shared by every domain), on with true; invalid options are refused', async () => {
    for (const affinity of [undefined, false] as const) {
      const { isolation, site } = await open({
        poolSize: 4,
        ...(affinity === undefined ? {} : { affinity }),
      });
      try {
        expect(isolation.stats().subPools).toBe(1);
        expect(new Set(names.map((n) => isolation.subPoolOf(n)))).toEqual(new Set([0]));
      } finally {
        await site.close();
      }
    }
    const on = await open({ poolSize: 4, affinity: true });
    try {
      expect(on.isolation.stats().subPools).toBe(4);
    } finally {
      await on.site.close();
    }
    const bad = schemaPerDomain({
      driver: PostgreSqlDriver,
      url,
      entities: [Owner, Item, Tag, Plan],
      affinity: { groupSize: 0 },
    });
    await expect(createSite({ isolation: bad, domains: [{ name: 'bad-1' }] })).rejects.toThrow(/groupSize/);
  });

  it('recycles a connection once it has served maxSchemasPerConnection schemas, not by checkouts: repeats of a schema count once', async () => {
    const { isolation, site } = await open({ poolSize: 1, maxSchemasPerConnection: 3 });
    const pidIn = async (name: string) => (await site.run(name, () => probe(site.em)))[0]!.pid;
    try {
      const first = await pidIn('aff-0');
      // Two schemas, served again and again: one backend, never recycled.
      for (let i = 0; i < 20; i++) expect(await pidIn(i % 2 ? 'aff-1' : 'aff-0')).toBe(first);
      // The checkout that reaches three still runs on it, and closes it on release.
      expect(await pidIn('aff-2')).toBe(first);
      const second = await pidIn('aff-0');
      expect(second).not.toBe(first);
      expect(isolation.stats().recycled).toBe(1);
      // The fresh backend starts its own count.
      expect(await pidIn('aff-1')).toBe(second);
    } finally {
      await site.close();
    }
    for (const maxSchemasPerConnection of [0, 1.5, -1]) {
      const bad = schemaPerDomain({
        driver: PostgreSqlDriver,
        url,
        entities: [Owner, Item, Tag, Plan],
        maxSchemasPerConnection,
      });
      await expect(createSite({ isolation: bad, domains: [{ name: 'bad-1' }] })).rejects.toThrow(
        /maxSchemasPerConnection/,
      );
    }
  });
});
