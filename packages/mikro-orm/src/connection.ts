import { createHmac } from 'node:crypto';
import { MdError } from '@md/core';

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

/**
 * A password md derives for a role it creates (`purpose` names the role),
 * from the password of the admin URL it was given: the same on every start
 * and every app instance with the same admin credentials, so a restart finds
 * the role's password unchanged, and no password is stored anywhere. Throws
 * `INVALID_OPTIONS` when the admin URL has no password (then name the role
 * and its password yourself).
 *
 * @example
 * derivedPassword('postgres://admin:s3cret@db/app', 'role md_app'); // 'q3v…' (43 characters, always the same)
 */
export function derivedPassword(adminUrl: string | URL, purpose: string): string {
  const secret = decodeURIComponent(new URL(adminUrl).password);
  if (secret === '')
    throw MdError.invalidOptions(
      `md derives the password of ${purpose} from the admin URL's password, and the URL has none: give the role's name and password explicitly`,
    );
  return createHmac('sha256', secret).update(`md:${purpose}`).digest('base64url');
}

/** `url` with other credentials. */
export function withCredentials(url: string | URL, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/** Quotes a SQL string literal (single quotes doubled): for statements that take no parameters (`create role … password '…'`). */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
