import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createSite, MdError, rateLimit, type Site } from '@md/core';
import { type MdLogger, observability } from '@md/observability';
import type { EntityManager } from '@mikro-orm/core';
import { expect } from 'vitest';
import { type DataFixture, openInstance } from '../../attack/data-fixture.js';
import { tempDir } from '../../temp.js';
import type { StrategyConformanceOptions } from '../describe-strategy-conformance.js';
import { createConformanceEntities } from '../entities.js';
import type { Regression } from './units-of-work.js';

const seededName = 'seeded once';

/** A logger that drops everything (the suite checks metrics, not log lines). */
const silent: MdLogger = { child: () => silent, info() {}, warn() {}, error() {}, debug() {} };

async function seededCount(site: Site<EntityManager>, domain: string, Item: unknown): Promise<number> {
  return site.run(domain, () => site.em.count(Item as never, { name: seededName } as never));
}

/** The lifecycle regressions (issue 13, items 8, 9 and 18); each builds the instances it needs. */
export function lifecycleRegressions(options: StrategyConformanceOptions): readonly Regression[] {
  const instance = (id: string, domains: string[]) =>
    openInstance(options, id, domains, undefined, async (em, domain) => {
      // Slow enough that concurrent provisionings overlap.
      await new Promise((resolve) => setTimeout(resolve, 20));
      em.create(em.getMetadata().getByClassName('Item').class, {
        id: randomUUID(),
        name: seededName,
        tag: domain.name,
        qty: 0,
      } as never);
      await em.flush();
    });
  return [
    {
      name: 'concurrent provisionings of one new domain in one process all succeed, create it once and seed it once',
      run: async () => {
        const { site, strategy, entities } = await instance(`p${randomUUID().slice(0, 8)}`, ['fresh']);
        try {
          const results = await Promise.allSettled(
            Array.from({ length: 4 }, () => site.provision('fresh', { seed: true })),
          );
          expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
          expect(await strategy.isProvisioned('fresh')).toBe(true);
          expect(await seededCount(site, 'fresh', entities.Item)).toBe(1);
        } finally {
          await site.close();
        }
      },
    },
    {
      name: 'concurrent provisionings of one new domain by two app instances never undo what the other created',
      run: async () => {
        const id = `p${randomUUID().slice(0, 8)}`;
        const one = await instance(id, ['twin']);
        const two = await instance(id, ['twin']);
        try {
          const results = await Promise.allSettled([
            one.site.provision('twin', { seed: true }),
            two.site.provision('twin', { seed: true }),
          ]);
          // PostgreSQL serialises them with an advisory lock: both succeed. SQLite files are claimed
          // atomically: the loser may fail (its own tables raced), but never removes the winner's file.
          // A rejection is shown with its reason and cause (how the digest-index race, since fixed, was found).
          const outcome = (r: PromiseSettledResult<unknown>) =>
            r.status === 'fulfilled'
              ? 'fulfilled'
              : `rejected: ${String(r.reason)}; cause: ${String((r.reason as { cause?: unknown })?.cause)}`;
          if (options.database === 'postgres')
            expect(results.map(outcome)).toEqual(['fulfilled', 'fulfilled']);
          else expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
          for (const failed of results.filter((r) => r.status === 'rejected'))
            expect(MdError.is(failed.reason, 'PROVISION_FAILED')).toBe(true);
          expect(await one.strategy.isProvisioned('twin')).toBe(true);
          expect(await seededCount(one.site, 'twin', one.entities.Item)).toBe(1);
          await one.site.provision('twin', { seed: true });
          expect(await seededCount(two.site, 'twin', two.entities.Item)).toBe(1);
        } finally {
          await one.site.close();
          await two.site.close();
        }
      },
    },
    {
      name: 'a request never re-creates a deleted domain’s SQLite file: STORE_UNAVAILABLE, and isProvisioned() stays false',
      applies: (fx) => fx.caps.databasePerDomain === true && fx.database === 'sqlite',
      run: async () => {
        const { site, strategy, entities } = await instance(`p${randomUUID().slice(0, 8)}`, ['erased']);
        try {
          await site.provision('erased');
          const files = (await site.run('erased', () =>
            site.em.getConnection().execute('pragma database_list'),
          )) as Array<{ file: string }>;
          await strategy.release?.('erased');
          for (const suffix of ['', '-wal', '-shm']) await rm(`${files[0]!.file}${suffix}`, { force: true });
          expect(await strategy.isProvisioned('erased')).toBe(false);
          const error = await site
            .run('erased', () => site.em.find(entities.Item, {}))
            .catch((e: unknown) => e);
          expect(MdError.is(error, 'STORE_UNAVAILABLE')).toBe(true);
          expect(await strategy.isProvisioned('erased')).toBe(false);
        } finally {
          await site.close();
        }
      },
    },
    ...(['removing', 'deprovisioning'] as const).map((way) => ({
      name:
        way === 'removing'
          ? 'removing a domain erases everything it owns: a domain re-created with the same code finds nothing'
          : 'deprovisioning a domain that stays registered erases everything it owns: provisioned again, it finds nothing',
      run: async () => {
        const id = `p${randomUUID().slice(0, 8)}`;
        const entities = createConformanceEntities();
        const strategy = await options.createStrategy({
          entities,
          all: [entities.Owner, entities.Item, entities.Tag, entities.Plan],
          shared: [entities.Plan],
          seeder: async () => {},
          id,
        });
        const obs = observability({ logger: silent });
        const limit = rateLimit({ tiers: { default: { points: 3, duration: 60 } } });
        const site = await createSite<EntityManager>({
          isolation: strategy,
          policies: [limit],
          plugins: [obs],
          domains: [{ name: 'reused' }, { name: 'kept' }],
          filesRoot: tempDir('md-erase-'),
        });
        let built = 0;
        site.services.register('counter', () => ({ n: ++built }));
        const use = async (name: string) => {
          await site.provision(name);
          const domain = site.domains.require(name);
          await site.run(name, async () => {
            site.em.create(entities.Item, { id: randomUUID(), name: `${name} row`, tag: 'erase', qty: 1 });
            await site.em.flush();
          });
          await domain.cache.set('k', name);
          await domain.files.write('a.txt', name);
          domain.register.set('session', name);
          domain.service('counter');
          for (let i = 0; i < 3; i++) await limit.check({ domain } as never, { domains: site.domains });
          obs.metrics?.record(name, 200, 1);
        };
        try {
          await use('reused');
          await use('kept');
          const before = (await obs.metrics?.text()) ?? '';
          expect(before).toContain('domain="reused"');
          await site.deprovision('reused', { confirm: 'reused' });
          if (way === 'removing') {
            await site.domains.remove('reused');
            site.domains.register({ name: 'reused' });
          }
          await site.provision('reused');
          const reused = site.domains.require('reused');
          expect(await site.run('reused', () => site.em.count(entities.Item, {}))).toBe(0);
          expect(await reused.cache.get('k')).toBeUndefined();
          await expect(reused.files.readText('a.txt')).rejects.toThrow(/ENOENT/);
          expect(reused.register.size).toBe(0);
          expect(reused.service<{ n: number }>('counter').n).toBe(3);
          await limit.check({ domain: reused } as never, { domains: site.domains });
          expect((await obs.metrics?.text()) ?? '').not.toContain('domain="reused"');
          // The other domain keeps all of it.
          const kept = site.domains.require('kept');
          expect(await site.run('kept', () => site.em.count(entities.Item, {}))).toBe(1);
          expect([await kept.cache.get('k'), await kept.files.readText('a.txt')]).toEqual(['kept', 'kept']);
          expect((await obs.metrics?.text()) ?? '').toContain('domain="kept"');
        } finally {
          await site.close();
        }
      },
    })),
  ];
}

/** The fixture type regressions run with (re-exported for the runner). */
export type { DataFixture };
