import { createHash } from 'node:crypto';
import { derivedPassword, quoteIdent, quoteLiteral } from '@md/mikro-orm';
import type { SqlEntityManager } from '@mikro-orm/sql';

/** The login role a domain's request pool connects as (PostgreSQL). */
export interface RequestRole {
  readonly name: string;
  readonly password: string;
}

/**
 * The request role of a domain database: `<database>_app` (a hash when that
 * passes PostgreSQL's 63 characters), with a password derived from the
 * admin URL's (stable across restarts and app instances, stored nowhere).
 */
export function requestRoleOf(adminUrl: string, dbName: string): RequestRole {
  const plain = `${dbName}_app`;
  const name =
    plain.length <= 63 ? plain : `md_app_${createHash('sha256').update(dbName).digest('hex').slice(0, 24)}`;
  return { name, password: derivedPassword(adminUrl, `database role ${name}`) };
}

async function run(em: SqlEntityManager, sql: string): Promise<void> {
  await em.getConnection().execute(sql);
}

/**
 * Creates (or brings back in line) a domain's request role, on an admin
 * connection: a plain login role — no superuser, no CREATEDB, no
 * CREATEROLE, no BYPASSRLS, no replication — and the domain's database
 * closed to everyone else (`CONNECT` and `TEMP` revoked from `PUBLIC`,
 * `CONNECT` granted to this role only). It owns nothing, so its SQL can
 * neither drop nor alter a database, and no other domain's role can connect.
 */
export async function ensureRequestRole(admin: SqlEntityManager, dbName: string, role: RequestRole) {
  const name = quoteIdent(role.name);
  const attributes = `login password ${quoteLiteral(role.password)} nosuperuser nocreatedb nocreaterole nobypassrls noreplication noinherit`;
  await run(
    admin,
    `do $$ begin if not exists (select from pg_roles where rolname = ${quoteLiteral(role.name)}) then create role ${name} ${attributes}; end if; end $$`,
  );
  await run(admin, `alter role ${name} ${attributes}`);
  await run(admin, `revoke all on database ${quoteIdent(dbName)} from public`);
  await run(admin, `grant connect on database ${quoteIdent(dbName)} to ${name}`);
}

/**
 * Inside the domain's database (an admin connection to it), after its
 * migrations: the request role reads and writes the tables and sequences
 * (also those later migrations create, through default privileges), and
 * nothing else — no CREATE in `public`, no access to `mikro_orm_migrations`.
 */
export async function grantRequestRole(em: SqlEntityManager, role: RequestRole, migrationsTable: string) {
  const name = quoteIdent(role.name);
  await run(em, 'revoke create on schema public from public');
  await run(em, `grant usage on schema public to ${name}`);
  await run(em, `grant select, insert, update, delete on all tables in schema public to ${name}`);
  await run(em, `grant usage, select on all sequences in schema public to ${name}`);
  await run(
    em,
    `alter default privileges in schema public grant select, insert, update, delete on tables to ${name}`,
  );
  await run(em, `alter default privileges in schema public grant usage, select on sequences to ${name}`);
  await run(
    em,
    `do $$ begin if to_regclass(${quoteLiteral(`public.${migrationsTable}`)}) is not null then revoke all on table public.${quoteIdent(migrationsTable)} from ${name}; end if; end $$`,
  );
}

/** Drops a domain's request role (after its database: the database's grants go with it). */
export async function dropRequestRole(admin: SqlEntityManager, role: RequestRole): Promise<void> {
  await run(admin, `drop role if exists ${quoteIdent(role.name)}`);
}
