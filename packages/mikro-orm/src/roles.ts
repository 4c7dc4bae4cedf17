import { createHash } from 'node:crypto';
import { MdError, type MdEventEmitter } from '@md/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { derivedPassword, quoteIdent, quoteLiteral, urlConnection } from './connection.js';

/** A login role md creates for requests, and its password. */
export interface LoginRole {
  readonly name: string;
  readonly password: string;
}

/** A PostgreSQL identifier of at most 63 characters, stable for the same input (a hash replaces the tail). */
export function shortIdent(name: string): string {
  return name.length <= 63
    ? name
    : `${name.slice(0, 46)}_${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
}

/**
 * The login role requests connect as, named after `base` (e.g. the database:
 * `<base>_app`) with a password derived from the admin URL's (see
 * `derivedPassword`): the same on every start and app instance, stored nowhere.
 *
 * @example
 * requestRole('postgres://admin:pw@db/app', 'app'); // { name: 'app_app', password: '…' }
 */
export function requestRole(adminUrl: string, base = urlConnection(adminUrl).dbName): LoginRole {
  const name = shortIdent(`${base}_app`);
  return { name, password: derivedPassword(adminUrl, `request role ${name}`) };
}

/**
 * Creates the role, or brings it back in line, on an admin connection: a
 * plain login role — no superuser, no CREATEDB, no CREATEROLE, no
 * BYPASSRLS, no replication — with the given password. It owns nothing, so
 * its SQL can neither drop nor alter what the admin created.
 *
 * @example
 * await ensureLoginRole(admin.em.fork(), requestRole(url));
 */
export async function ensureLoginRole(admin: SqlEntityManager, role: LoginRole): Promise<void> {
  const connection = admin.getConnection();
  const name = quoteIdent(role.name);
  const password = `login password ${quoteLiteral(role.password)}`;
  const powerless = 'nosuperuser nocreatedb nocreaterole nobypassrls noreplication';
  await connection.execute(
    `do $$ begin if not exists (select from pg_roles where rolname = ${quoteLiteral(role.name)}) then create role ${name} ${password} ${powerless}; end if; end $$`,
  );
  // The password only: changing the other attributes needs a superuser even to switch them off.
  await connection.execute(`alter role ${name} ${password}`);
  const [powers] = (await connection.execute(
    'select rolsuper or rolcreatedb or rolcreaterole or rolbypassrls or rolreplication as any from pg_roles where rolname = ?',
    [role.name],
  )) as Array<{ any: boolean }>;
  if (powers?.any !== true) return;
  try {
    await connection.execute(`alter role ${name} ${powerless}`);
  } catch (cause) {
    throw MdError.invalidOptions(
      `role ${role.name} may create databases or roles, bypass row-level security, replicate or is a superuser, and the admin may not take that away: requests must connect as a role that may not — alter it as a superuser, or name another`,
      cause,
    );
  }
}

/**
 * Hides what a shared request role's sessions run: `track_activities = off`
 * for the role, so `pg_stat_activity` holds no query text of its sessions.
 * MikroORM sends SQL with its values inlined, and every session of one role
 * may read every other one's last query there — without this, one domain's
 * raw SQL could read the values of another domain's statements. Only a
 * superuser (or a role granted `SET` on `track_activities`) may set it;
 * when the admin may not, it says so on `events` (`site:error`) and returns false.
 *
 * @example
 * await hideActivity(admin.em.fork(), role); // true
 */
export async function hideActivity(
  admin: SqlEntityManager,
  role: LoginRole,
  events?: MdEventEmitter,
): Promise<boolean> {
  try {
    await admin.getConnection().execute(`alter role ${quoteIdent(role.name)} set track_activities = off`);
    return true;
  } catch (cause) {
    // Said, not thrown: the site still starts, and the operator learns what is exposed.
    events?.emit('site:error', {
      source: `request role ${role.name}`,
      error: MdError.invalidOptions(
        `the admin may not set track_activities on ${role.name}: its sessions' statements stay visible to each other in pg_stat_activity (connect as a superuser, or GRANT SET ON PARAMETER track_activities to the admin)`,
        cause,
      ),
    });
    return false;
  }
}

/**
 * Inside a schema (an admin connection): the role reads and writes its
 * tables and sequences — also those later migrations create, through
 * default privileges — and nothing else: no CREATE, no access to the
 * migrations table.
 *
 * @example
 * await grantSchema(admin.em.fork(), 'md_acme', role, 'mikro_orm_migrations');
 */
export async function grantSchema(
  admin: SqlEntityManager,
  schema: string,
  role: LoginRole,
  migrationsTable: string,
): Promise<void> {
  const connection = admin.getConnection();
  const name = quoteIdent(role.name);
  const s = quoteIdent(schema);
  for (const sql of [
    `grant usage on schema ${s} to ${name}`,
    `grant select, insert, update, delete on all tables in schema ${s} to ${name}`,
    `grant usage, select on all sequences in schema ${s} to ${name}`,
    `alter default privileges in schema ${s} grant select, insert, update, delete on tables to ${name}`,
    `alter default privileges in schema ${s} grant usage, select on sequences to ${name}`,
    `do $$ begin if to_regclass(${quoteLiteral(`${quoteIdent(schema)}.${quoteIdent(migrationsTable)}`)}) is not null then revoke all on table ${s}.${quoteIdent(migrationsTable)} from ${name}; end if; end $$`,
  ])
    await connection.execute(sql);
}
