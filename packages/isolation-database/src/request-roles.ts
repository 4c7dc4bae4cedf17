import { ensureLoginRole, grantSchema, type LoginRole, quoteIdent } from '@md/mikro-orm';
import type { SqlEntityManager } from '@mikro-orm/sql';

/**
 * Creates (or brings back in line) a domain's request role on an admin
 * connection — a plain login role that owns nothing (see `ensureLoginRole`)
 * — and closes the domain's database to everyone else: `CONNECT` and
 * `TEMP` revoked from `PUBLIC`, `CONNECT` granted to this role only. Its SQL
 * can neither drop nor alter a database, and no other domain's role can
 * connect to this one.
 */
export async function ensureRequestRole(admin: SqlEntityManager, dbName: string, role: LoginRole) {
  await ensureLoginRole(admin, role);
  const connection = admin.getConnection();
  await connection.execute(`revoke all on database ${quoteIdent(dbName)} from public`);
  await connection.execute(`grant connect on database ${quoteIdent(dbName)} to ${quoteIdent(role.name)}`);
}

/**
 * Inside the domain's database (an admin connection to it), after its
 * migrations: the request role reads and writes the tables of `public`,
 * nobody may create objects there, and `mikro_orm_migrations` stays the
 * admin's.
 */
export async function grantRequestRole(em: SqlEntityManager, role: LoginRole, migrationsTable: string) {
  await em.getConnection().execute('revoke create on schema public from public');
  await grantSchema(em, 'public', role, migrationsTable);
}

/** Drops a domain's request role (after its database: the database's grants go with it). */
export async function dropRequestRole(admin: SqlEntityManager, role: LoginRole): Promise<void> {
  await admin.getConnection().execute(`drop role if exists ${quoteIdent(role.name)}`);
}
