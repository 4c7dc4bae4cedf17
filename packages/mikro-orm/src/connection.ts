/**
 * Quotes a SQL identifier (database, schema, role, table name) for
 * PostgreSQL and SQLite: double quotes, inner quotes doubled.
 *
 * @example
 * await em.getConnection().execute(`create schema ${quoteIdent('md_acme')}`);
 */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The connection options of a store on a PostgreSQL URL: the URL itself and
 * the database name taken from its path.
 *
 * @example
 * template.open({ ...urlConnection(process.env.DATABASE_URL!), pool: { min: 0, max: 10 } });
 */
export function urlConnection(url: string | URL): { clientUrl: string; dbName: string } {
  const parsed = new URL(url);
  return { clientUrl: parsed.toString(), dbName: parsed.pathname.slice(1) };
}
