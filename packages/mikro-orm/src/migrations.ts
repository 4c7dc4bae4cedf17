import { MdError } from '@md/core';
import type { MigrationObject } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { DatabaseSchema, type SqlEntityManager, SqlSchemaGenerator } from '@mikro-orm/sql';

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

function usesMigrator(options: MigrationOptions): boolean {
  return options.migrations !== undefined && options.migrations.length > 0;
}

/**
 * Brings one store up to date: runs pending MikroORM migrations through the
 * Migrator (all of them in one transaction: a failing migration leaves the
 * store as it was and is not recorded), or (without migrations) creates
 * missing tables and columns with the schema generator, in `schema` when the
 * strategy isolates by schema, in one transaction. Returns the names of what
 * was applied. Throws `MIGRATION_FAILED` with the cause.
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
    if (usesMigrator(options)) {
      // With a schema, MikroORM runs each migration with the schema as the current one
      // and keeps `mikro_orm_migrations` in it: unqualified migration SQL lands there.
      const applied = await new Migrator(em).up(schema === undefined ? {} : { schema });
      return applied.map((m) => m.name);
    }
    if (options.schemaGenerator === false) return [];
    const sql = await schemaDiff(em, schema);
    if (sql === '') return [];
    await executeInTransaction(em, sql);
    return ['schema-generator'];
  } catch (cause) {
    throw MdError.migrationFailed(domain, cause);
  }
}

/**
 * The names of the store's migrations not applied yet, in the order they
 * would run (empty without `migrations`). Reads the store's
 * `mikro_orm_migrations` table (creating it, empty, when missing).
 *
 * @example
 * await pendingMigrationsOf(store.em, { migrations }); // ['2025-06-add-body']
 */
export async function pendingMigrationsOf(
  em: SqlEntityManager,
  options: MigrationOptions,
  schema?: string,
): Promise<string[]> {
  if (!usesMigrator(options)) return [];
  const pending = await new Migrator(em).getPending(schema === undefined ? {} : { schema });
  return pending.map((m) => m.name);
}

/**
 * The SQL that would bring the store's tables in line with the entity
 * metadata (safe mode: additions and changes, never drops), `''` when they
 * match. On PostgreSQL only the compared schema (`schema`, else the store's
 * default) is introspected, so the cost does not grow with the number of
 * other schemas in the database; MikroORM's own diff reads every table of
 * every schema, which is what made schema-per-domain provisioning slow.
 *
 * @example
 * const sql = await schemaDiff(store.em.fork({ schema: 'md_acme' }), 'md_acme');
 * if (sql !== '') console.warn('md_acme drifted:\n' + sql);
 */
export async function schemaDiff(em: SqlEntityManager, schema?: string): Promise<string> {
  const generator = new SqlSchemaGenerator(em);
  const platform = em.getPlatform();
  const options: Parameters<SqlSchemaGenerator['getUpdateSchemaSQL']>[0] = {
    safe: true,
    dropTables: false,
    wrap: false,
  };
  if (schema !== undefined) options.schema = schema;
  if (platform.supportsSchemas()) {
    options.fromSchema = await introspectSchema(
      em,
      schema ?? em.config.get('schema') ?? platform.getDefaultSchemaName()!,
    );
  }
  return (await generator.getUpdateSchemaSQL(options)).trim();
}

/**
 * The SQL that creates every table of the metadata from nothing (in
 * `schema` when given). Opens no connection: for reporting on a store that
 * does not exist yet.
 *
 * @example
 * const sql = await createTablesSql(template.orm.em as SqlEntityManager);
 */
export async function createTablesSql(em: SqlEntityManager, schema?: string): Promise<string> {
  const generator = new SqlSchemaGenerator(em);
  return (
    await generator.getCreateSchemaSQL(schema === undefined ? { wrap: false } : { wrap: false, schema })
  ).trim();
}

/** Loads the tables of one PostgreSQL schema only (MikroORM's `DatabaseSchema.create` loads all of them). */
async function introspectSchema(em: SqlEntityManager, schema: string): Promise<DatabaseSchema> {
  const connection = em.getConnection();
  const platform = em.getPlatform();
  const migrationsTable = (em.config.get('migrations').tableName ?? 'mikro_orm_migrations').split('.').pop();
  const tables = (await connection.execute(
    `select table_name, table_schema as schema_name, obj_description(format('%I.%I', table_schema, table_name)::regclass) as table_comment
     from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE' and table_name <> ?
     order by table_name`,
    [schema, migrationsTable],
  )) as Array<{ table_name: string; schema_name: string; table_comment?: string }>;
  const fromSchema = new DatabaseSchema(platform, schema);
  await platform.getSchemaHelper()!.loadInformationSchema(fromSchema, connection, tables, [schema]);
  return fromSchema;
}

/** Runs generated DDL (statements grouped by blank lines) in one transaction: all of it or none. */
async function executeInTransaction(em: SqlEntityManager, sql: string): Promise<void> {
  const statements = sql
    .split(/\n\s*\n/)
    .map((group) => group.trim())
    .filter((group) => group !== '');
  const multiple = em.getPlatform().supportsMultipleStatements();
  await em.transactional(async (trx) => {
    const connection = trx.getConnection();
    const ctx = trx.getTransactionContext();
    for (const group of statements) {
      if (multiple) await connection.execute(group, [], 'run', ctx);
      else
        for (const line of group.split('\n'))
          if (line.trim() !== '') await connection.execute(line, [], 'run', ctx);
    }
  });
}
