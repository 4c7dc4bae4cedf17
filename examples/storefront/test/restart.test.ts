// The storefront on row-level PostgreSQL without an explicit request role: the role's password is
// derived from the admin URL, so a second start (a deploy, a crash) connects again (issue 13, item 17).
import { tempDir } from '@md/testing';
import { injectPostgresUrl, startPostgres } from '@md/testing/postgres';
import { describe, expect, it } from 'vitest';
import { createStorefront } from '../src/site.js';

describe('storefront on row-level PostgreSQL', () => {
  it('survives a restart: the second start on the same database connects as md_app and serves the same products', async () => {
    const databaseUrl = await (await startPostgres({ url: injectPostgresUrl() })).createDatabase(
      `sf_restart_${process.pid}`,
    );
    const products = async () => {
      const storefront = await createStorefront({
        isolation: 'row',
        databaseUrl,
        dataDir: tempDir('md-sf-restart-'),
        bcryptCost: 4,
      });
      try {
        const { site, entities } = storefront;
        return await site.run('acme', async () =>
          (await site.em.find(entities.Product, {}, { orderBy: { name: 'asc' } })).map((p) => p.name),
        );
      } finally {
        await storefront.site.close();
      }
    };
    const first = await products();
    expect(first).toEqual(['Anvil', 'Giant Magnet', 'Rocket Skates']);
    // Seeded once: the second start provisions again, finds acme recorded, and seeds nothing.
    expect(await products()).toEqual(first);
  });
});
