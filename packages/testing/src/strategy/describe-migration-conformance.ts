import { randomUUID } from 'node:crypto';
import { createSite, MdError, type Site } from '@md/core';
import {
  type EntityManager,
  EntitySchema,
  type EntitySchemaMetadata,
  type MigrationObject,
} from '@mikro-orm/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConformanceStrategy } from './describe-strategy-conformance.js';
import { rawTable } from './raw-table.js';

/** What the migration suite drives: the strategy contract plus the drift-check probes. */
export interface MigrationConformanceStrategy extends ConformanceStrategy {
  pendingMigrations(domain: string): Promise<string[]>;
  schemaDiff(domain: string): Promise<string>;
}

/** The part of MikroORM's `Migration` (from `@mikro-orm/migrations`) the suite's migrations use. */
export interface MigrationBaseLike {
  addSql(sql: string): void;
  execute(sql: string, params?: unknown[]): Promise<unknown>;
}

/** MikroORM's abstract `Migration` class, passed in so `@md/testing` does not depend on `@mikro-orm/migrations`. */
// biome-ignore lint/suspicious/noExplicitAny: a class to extend must take any constructor arguments.
export type MigrationBaseClass = abstract new (...args: any[]) => MigrationBaseLike;

/** A note: the one domain-scoped entity of the migration suite. */
export interface MigrationNote {
  id: string;
  title: string;
  body?: string | null;
}

/** What `createStrategy` receives for each deployment the suite simulates. */
export interface MigrationFactoryContext {
  /** The entities of this deployment (a fresh `Note` definition; later deployments add `body`). */
  all: EntitySchema<MigrationNote>[];
  /** The migrations of this deployment, in order. */
  migrations: MigrationObject[];
  /** Constant for the whole suite: every deployment must open the same storage (folder, database). */
  id: string;
}

/** Options of {@link describeMigrationConformance}. */
export interface MigrationConformanceOptions {
  /** Shown in the test names, e.g. `'schema-per-domain'`. */
  name: string;
  database: 'sqlite' | 'postgres';
  /** `Migration` from `@mikro-orm/migrations`. */
  Migration: MigrationBaseClass;
  /** Builds the strategy of one deployment; called once per deployment with the same `id`. */
  createStrategy(
    context: MigrationFactoryContext,
  ): MigrationConformanceStrategy | Promise<MigrationConformanceStrategy>;
}

function noteEntity(withBody: boolean): EntitySchema<MigrationNote> {
  return new EntitySchema<MigrationNote>({
    name: 'Note',
    tableName: 'md_note',
    properties: {
      id: { type: 'string', primary: true, length: 36 },
      title: { type: 'string' },
      ...(withBody ? { body: { type: 'text', nullable: true } } : {}),
    } as EntitySchemaMetadata<MigrationNote>['properties'],
  });
}

/**
 * The migration conformance suite, run against every strategy × database
 * with real MikroORM `Migration` classes through the Migrator: provisioning
 * applies the migrations; a new deployment's pending migration is listed by
 * `pendingMigrations`, shows in `schemaDiff`, is applied by
 * `site.migrate(name)` and reported (`{ domain, applied, upToDate, ms }`);
 * a second call is up to date; a migration that throws after changing a
 * table rolls that domain back (table unchanged, not recorded) and raises
 * `MIGRATION_FAILED`; the fixed migration applies on the rerun. Migration
 * SQL names tables unqualified: schema-per-domain must run it inside the
 * domain's schema. Each step is its own named test; they run in order.
 *
 * @example
 * import { Migration } from '@mikro-orm/migrations';
 * describeMigrationConformance({
 *   name: 'database-per-domain', database: 'sqlite', Migration,
 *   createStrategy: ({ all, migrations, id }) =>
 *     databasePerDomain({ driver: SqliteDriver, folder: join(tmp, id), entities: all, migrations }),
 * });
 */
export function describeMigrationConformance(options: MigrationConformanceOptions): void {
  const { Migration } = options;
  const id = `m${randomUUID().slice(0, 8)}`;
  const rowLevelColumn = (strategy: ConformanceStrategy) =>
    strategy.capabilities.rowLevel === true ? ', tenant_id varchar(64) not null' : '';

  describe(`${options.name} on ${options.database}: migrations`, () => {
    let site: Site<EntityManager> | undefined;
    let strategy: MigrationConformanceStrategy;

    /** One deployment: these migrations, these entities, the same storage as before. */
    async function deploy(migrations: MigrationObject[], withBody: boolean) {
      const entities = [noteEntity(withBody)];
      strategy = await options.createStrategy({ all: entities, migrations, id });
      site = await createSite<EntityManager>({
        isolation: strategy,
        domains: [{ name: 'alpha' }, { name: 'beta' }],
      });
      return { Note: entities[0]! };
    }

    afterEach(async () => {
      await site?.close();
      site = undefined;
    });

    // Each migration runs with the strategy of its deployment; `strategy` is read when it runs.
    class CreateNotes extends Migration {
      async up() {
        this.addSql(
          `create table md_note (id varchar(36) not null primary key, title varchar(255) not null${rowLevelColumn(strategy)})`,
        );
      }
    }
    class AddBody extends Migration {
      async up() {
        this.addSql('alter table md_note add column body text null');
      }
    }
    class AddFlagThenThrow extends Migration {
      async up() {
        // Really changes the table inside the migration's transaction, then fails.
        await this.execute('alter table md_note add column flag integer null');
        throw new Error('add-flag failed on purpose');
      }
    }
    class AddFlag extends Migration {
      async up() {
        this.addSql('alter table md_note add column flag integer null');
      }
    }
    const m1 = { name: 'm1-create-notes', class: CreateNotes } as unknown as MigrationObject;
    const m2 = { name: 'm2-add-body', class: AddBody } as unknown as MigrationObject;
    const m3Broken = { name: 'm3-add-flag', class: AddFlagThenThrow } as unknown as MigrationObject;
    const m3 = { name: 'm3-add-flag', class: AddFlag } as unknown as MigrationObject;

    const inDomain = <T>(domain: string, fn: (em: EntityManager) => Promise<T>): Promise<T> =>
      site!.run(domain, () => fn(site!.em));
    const selectFlag = (domain: string) =>
      inDomain(domain, (em) => em.getConnection().execute(`select flag from ${rawTable(em, 'Note')}`));

    it('provisioning applies the migrations', async () => {
      const { Note } = await deploy([m1], false);
      // Row level migrates its shared tables when the site starts; the others per domain.
      expect(await strategy.pendingMigrations('alpha')).toEqual(
        strategy.capabilities.rowLevel === true ? [] : ['m1-create-notes'],
      );
      await site!.provision('alpha');
      await site!.provision('beta');
      expect(await strategy.pendingMigrations('alpha')).toEqual([]);
      expect(await strategy.pendingMigrations('beta')).toEqual([]);
      for (const domain of ['alpha', 'beta']) {
        await inDomain(domain, async (em) => {
          em.create(Note, { id: randomUUID(), title: `${domain} note` });
          await em.flush();
        });
      }
      const alpha = await inDomain('alpha', (em) => em.find(Note, {}));
      expect(alpha.map((n) => n.title)).toEqual(['alpha note']);
      // Provisioning again runs nothing twice.
      await site!.provision('alpha');
      expect(await inDomain('alpha', (em) => em.count(Note, {}))).toBe(1);
    });

    it('a new pending migration is listed, shows in schemaDiff, and site.migrate applies and reports it', async () => {
      const { Note } = await deploy([m1, m2], true);
      expect(await strategy.pendingMigrations('alpha')).toEqual(['m2-add-body']);
      expect(await strategy.schemaDiff('alpha')).toMatch(/["`]body["`]/);
      const migrated: unknown[] = [];
      site!.events.on('domain:migrated', (report) => migrated.push(report));
      const report = await site!.migrate('alpha');
      expect(report).toMatchObject({ domain: 'alpha', applied: ['m2-add-body'], upToDate: false });
      expect(report.ms).toBeGreaterThan(0);
      expect(migrated).toEqual([report]);
      expect(await strategy.pendingMigrations('alpha')).toEqual([]);
      expect(await strategy.schemaDiff('alpha')).not.toMatch(/["`]body["`]/);
      await inDomain('alpha', async (em) => {
        em.create(Note, { id: randomUUID(), title: 'with body', body: 'hello' });
        await em.flush();
      });
      const bodies = await inDomain('alpha', (em) => em.find(Note, { body: 'hello' }));
      expect(bodies.map((n) => n.title)).toEqual(['with body']);
      if (strategy.capabilities.rowLevel === true) {
        // One set of tables for every domain: migrating one migrated them all.
        expect(await strategy.pendingMigrations('beta')).toEqual([]);
        expect(await site!.migrate('beta')).toMatchObject({ domain: 'beta', applied: [], upToDate: true });
      } else {
        // Every other domain keeps its own pending migration until it is migrated.
        expect(await strategy.pendingMigrations('beta')).toEqual(['m2-add-body']);
        expect(await site!.migrate('beta')).toMatchObject({ domain: 'beta', applied: ['m2-add-body'] });
      }
    });

    it('a second site.migrate is up to date', async () => {
      await deploy([m1, m2], true);
      const report = await site!.migrate('alpha');
      expect(report).toMatchObject({ domain: 'alpha', applied: [], upToDate: true });
      expect(await strategy.pendingMigrations('alpha')).toEqual([]);
    });

    it('a migration that throws rolls the domain back, is not recorded, and raises MIGRATION_FAILED', async () => {
      const { Note } = await deploy([m1, m2, m3Broken], true);
      const before = await inDomain('alpha', (em) => em.count(Note, {}));
      let caught: unknown;
      try {
        await site!.migrate('alpha');
      } catch (error) {
        caught = error;
      }
      expect(MdError.is(caught, 'MIGRATION_FAILED')).toBe(true);
      expect(String((caught as Error).message)).toMatch(/add-flag failed on purpose/);
      // The column the migration added before throwing is gone with the transaction.
      await expect(selectFlag('alpha')).rejects.toThrow(/flag/);
      expect(await strategy.pendingMigrations('alpha')).toEqual(['m3-add-flag']);
      expect(await inDomain('alpha', (em) => em.count(Note, {}))).toBe(before);
    });

    it('the rerun after fixing the migration applies it', async () => {
      await deploy([m1, m2, m3], true);
      const report = await site!.migrate('alpha');
      expect(report).toMatchObject({ domain: 'alpha', applied: ['m3-add-flag'], upToDate: false });
      const rows = (await selectFlag('alpha')) as Array<{ flag: unknown }>;
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((row) => row.flag === null)).toBe(true);
      expect(await strategy.pendingMigrations('alpha')).toEqual([]);
    });
  });
}
