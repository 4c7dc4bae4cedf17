import { createSite } from '@md/core';
import { injectPostgresUrl, startPostgres } from '@md/testing/postgres';
import { describeMigrationConformance } from '@md/testing/strategy';
import { EntitySchema, type MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { describe, expect, it } from 'vitest';
import { schemaPerDomain } from '../src/index.js';

// Every deployment of the suite opens the same database: create it once.
const databases = new Map<string, Promise<string>>();
function database(id: string): Promise<string> {
  let url = databases.get(id);
  if (url === undefined) {
    url = startPostgres({ url: injectPostgresUrl() }).then((server) => server.createDatabase(id));
    databases.set(id, url);
  }
  return url;
}

/** Schema-per-domain with one `md_thing` table (a fresh entity: strategies adjust theirs) whose only migration is `up`. */
async function thingStrategy(id: string, up: typeof Migration) {
  const Thing = new EntitySchema<{ id: string }>({
    name: 'Thing',
    tableName: 'md_thing',
    properties: { id: { type: 'string', primary: true, length: 36 } },
  });
  const isolation = schemaPerDomain({
    driver: PostgreSqlDriver,
    url: await database(id),
    entities: [Thing],
    migrations: [{ name: 'm1', class: up } as unknown as MigrationObject],
  });
  return { isolation, Thing };
}

describeMigrationConformance({
  name: 'schema-per-domain',
  database: 'postgres',
  Migration,
  createStrategy: async ({ all, migrations, id }) =>
    schemaPerDomain({ driver: PostgreSqlDriver, url: await database(id), entities: all, migrations }),
});

describe('schema-per-domain: migrations run inside the domain schema', () => {
  it('unqualified migration SQL and mikro_orm_migrations land in the domain schema, never in public', async () => {
    class CreateThings extends Migration {
      async up() {
        this.addSql('create table md_thing (id varchar(36) primary key)');
      }
    }
    const { isolation } = await thingStrategy('md_schema_placement', CreateThings);
    const site = await createSite({ isolation, domains: [{ name: 'alpha' }] });
    try {
      await site.provision('alpha');
      const rows = (await isolation
        .sharedEm()
        .getConnection()
        .execute(
          // pg_tables lists every table, also those the request role may not read (mikro_orm_migrations).
          `select schemaname as schema, tablename as name from pg_tables
           where tablename in ('md_thing', 'mikro_orm_migrations') order by 1, 2`,
        )) as Array<{ schema: string; name: string }>;
      expect(rows.map((r) => `${r.schema}.${r.name}`)).toEqual([
        'md__main_.md_thing',
        'md__main_.mikro_orm_migrations',
        'md_alpha.md_thing',
        'md_alpha.mikro_orm_migrations',
      ]);
      expect(await isolation.schemaDiff('alpha')).toBe('');
    } finally {
      await site.close();
    }
  });
});

describe('schema-per-domain: concurrent provisionings share the admin connections', () => {
  it('unqualified migration SQL of 12 domains provisioned at once lands in each one’s own schema', async () => {
    // More provisionings than admin connections: each connection serves several domains in turn,
    // and the search_path set for one must never carry over into another's migration.
    class CreateThings extends Migration {
      async up() {
        this.addSql('create table md_thing (id varchar(36) primary key)');
        this.addSql(`insert into md_thing (id) values (current_schema())`);
      }
    }
    const { isolation, Thing } = await thingStrategy('md_schema_concurrent', CreateThings);
    const names = Array.from({ length: 12 }, (_, i) => `conc-${i}`);
    const site = await createSite({ isolation, domains: names.map((name) => ({ name })) });
    try {
      await Promise.all(names.map((name) => site.provision(name)));
      for (const name of names) {
        const rows = await site.run(name, () => site.em.find(Thing, {}));
        expect(rows.map((r) => r.id)).toEqual([isolation.schemaOf(name)]);
      }
      const placed = (await isolation
        .sharedEm()
        .getConnection()
        .execute(
          `select schemaname as schema from pg_tables where tablename = 'md_thing' order by 1`,
        )) as Array<{ schema: string }>;
      expect(placed.map((r) => r.schema)).toEqual(
        ['md__main_', ...names.map((n) => isolation.schemaOf(n))].sort(),
      );
    } finally {
      await site.close();
    }
  });
});
