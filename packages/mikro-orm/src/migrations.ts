import { MdError } from '@md/core';
import type { MigrationObject } from '@mikro-orm/core';
import { type SqlEntityManager, SqlSchemaGenerator } from '@mikro-orm/knex';
import { Migrator } from '@mikro-orm/migrations';

/** How a strategy brings a store's tables up to date. */
export interface MigrationOptions {
  /**
   * MikroORM migrations, in order (`{ name, class }`), run by the MikroORM
   * Migrator; applied names are recorded in the store's `mikro_orm_migrations` table.
   */
  migrations?: readonly MigrationObject[];
  /**
   * With no `migrations`, create missing tables from the entity metadata
   * (MikroORM's schema generator, safe mode: never drops). Meant for tests
   * and prototypes; production sites use migrations. Default: true.
   */
  schemaGenerator?: boolean;
}

/** The MikroORM options a store needs for {@link migrateStore} (pass them to `template.open`). */
export function migrationConfig(options: MigrationOptions): { migrations: Record<string, unknown> } {
  return {
    migrations: {
      migrationsList: [...(options.migrations ?? [])],
      transactional: true,
      allOrNothing: true,
      silent: true,
      snapshot: false,
    },
  };
}

/**
 * Brings one store up to date: runs pending MikroORM migrations through the
 * Migrator, or (without migrations) creates missing tables with the schema
 * generator, in `schema` when the strategy isolates by schema. Returns the
 * names of what was applied. Throws `MIGRATION_FAILED` with the cause.
 *
 * @example
 * const applied = await migrateStore(store.em, 'acme', { migrations: [{ name: 'm1', class: M1 }] });
 */
export async function migrateStore(
  em: SqlEntityManager,
  domain: string,
  options: MigrationOptions,
  schema?: string,
): Promise<string[]> {
  try {
    if (options.migrations !== undefined && options.migrations.length > 0) {
      const migrator = new Migrator(em);
      const applied = await migrator.up();
      return applied.map((m) => m.name);
    }
    if (options.schemaGenerator === false) return [];
    const generator = new SqlSchemaGenerator(em);
    const sql = await generator.getUpdateSchemaSQL({ safe: true, dropTables: false, wrap: false, schema });
    if (sql.trim() === '') return [];
    await generator.execute(sql, { wrap: true });
    return ['schema-generator'];
  } catch (cause) {
    throw MdError.migrationFailed(domain, cause);
  }
}
