import type { IsolationCapabilities } from '@md/core';

/**
 * The documented limits of the walls, by name. `docs/security.md` lists
 * each one; the attack suite asserts each where it applies (the hostile
 * unit of work really reaches the other domain there, so the docs cannot
 * drift from what the code does) and asserts it is contained everywhere else.
 */
export const DATA_LIMITS = {
  'row-level-sqlite-raw-sql':
    'Row-level on SQLite (and on PostgreSQL with rls: false) has one wall, the ORM: raw SQL (em.getConnection().execute, em.execute, em.getKysely()) reads and writes every domain’s rows.',
  'schema-raw-sql-names-a-schema':
    'Schema-per-domain: raw SQL that names another domain’s schema reads and writes its rows (the request role may not create, alter or drop anything).',
  'row-level-keys-are-global':
    'Row-level: primary keys are unique across all domains; inserting a key another domain uses fails with the database’s unique violation, which tells that the key exists (not its row). Use random keys (UUIDs).',
} as const;

export type DataLimit = keyof typeof DATA_LIMITS;

/** Where each limit applies. */
export function limitApplies(
  limit: DataLimit,
  caps: IsolationCapabilities,
  database: 'sqlite' | 'postgres',
): boolean {
  switch (limit) {
    case 'row-level-sqlite-raw-sql':
      // SQLite, and PostgreSQL without its second wall (`rowLevel({ rls: false })`).
      return caps.rowLevel === true && (database === 'sqlite' || caps.databaseEnforced !== true);
    case 'schema-raw-sql-names-a-schema':
      return caps.schemaPerDomain === true;
    case 'row-level-keys-are-global':
      return caps.rowLevel === true;
  }
}
