import { createSite } from '@md/core';
import { injectPostgresUrl, startPostgres } from '@md/testing/postgres';
import { createConformanceEntities } from '@md/testing/strategy';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { schemaPerDomain } from '../src/index.js';

// Issue 8: a newly created domain answers requests in under 2 s on a Postgres schema, even with
// many schemas present. MD_SCHEMA_SCALE raises the number of schemas (the docs quote 1,000).
const SCALE = Number(process.env.MD_SCHEMA_SCALE ?? 500);

describe('schema-per-domain provisioning cost', () => {
  it(`a new domain is provisioned and answers in under 2 s with 10 and with ${SCALE}+ schemas present`, async () => {
    const server = await startPostgres({ url: injectPostgresUrl() });
    const { Owner, Item, Tag, Plan } = createConformanceEntities();
    const url = await server.createDatabase('md_scale');
    const isolation = schemaPerDomain({
      driver: PostgreSqlDriver,
      url,
      entities: [Owner, Item, Tag, Plan],
      shared: [Plan],
    });
    const probes = ['probe-a', 'probe-b', 'probe-c', 'late-a', 'late-b', 'late-c'];
    const early = Array.from({ length: 10 }, (_, i) => `early-${i}`);
    const site = await createSite({ isolation, domains: [...early, ...probes].map((name) => ({ name })) });
    const schemas = async () => {
      const rows = (await isolation
        .sharedEm()
        .getConnection()
        .execute(`select count(*)::int as n from pg_namespace where nspname like 'md\\_%'`)) as Array<{
        n: number;
      }>;
      return rows[0]!.n;
    };
    /** Provision + first request of each domain; returns the median in ms. */
    const measure = async (names: string[]) => {
      const times: number[] = [];
      for (const name of names) {
        const started = performance.now();
        await site.provision(name);
        const rows = await site.run(name, () => site.em.find(Item, {}));
        times.push(performance.now() - started);
        expect(rows).toEqual([]);
      }
      return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
    };
    try {
      for (const name of early) await site.provision(name);
      const at10 = await measure(probes.slice(0, 3));
      const before = await schemas();
      // Fill the database with SCALE more domain schemas (same tables, indexes and keys), in bulk.
      // Requests cannot create schemas: the fillers are made as the admin.
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      for (let from = 0; from < SCALE; from += 100) {
        await admin.query(
          `do $$ begin for i in ${from}..${Math.min(from + 100, SCALE) - 1} loop
              execute format('create schema md_filler_%s', i);
              execute format('create table md_filler_%s.md_owner (like md_early_0.md_owner including all)', i);
              execute format('create table md_filler_%s.md_item (like md_early_0.md_item including all)', i);
              execute format('create table md_filler_%s.md_plan (like md_early_0.md_plan including all)', i);
              execute format('alter table md_filler_%1$s.md_item add foreign key (owner_id) references md_filler_%1$s.md_owner (id)', i);
            end loop; end $$`,
        );
      }
      await admin.end();
      const present = await schemas();
      expect(present).toBe(before + SCALE);
      const atScale = await measure(probes.slice(3));
      console.log(
        `schema-per-domain: provision + first request ${at10.toFixed(0)} ms with ${before} schemas, ${atScale.toFixed(0)} ms with ${present} schemas`,
      );
      expect(at10).toBeLessThan(2000);
      expect(atScale).toBeLessThan(2000);
      // The cost does not follow the number of schemas (it did: seconds per domain with hundreds).
      expect(atScale).toBeLessThan(Math.max(at10 * 5, 250));
    } finally {
      await site.close();
    }
  }, 120_000);
});
