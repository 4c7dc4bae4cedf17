// Every statement the registry runs, written once with Kysely's `sql` tag.
import { type DomainDefinition, MdError } from '@md/core';
import { sql } from 'kysely';
import type { RegistryDomain, RegistryHost } from '../types.js';
import { displayNameOf, jsonColumns, toDomain, toHost } from './definitions.js';
import { NOTIFY_CHANNEL } from './schema.js';
import type { Row, SqlExecutor } from './sql-client.js';

type Dialect = 'sqlite' | 'postgres';

/** SQLite stores booleans as 0/1 (and its binding takes no booleans). */
const bool = (dialect: Dialect, value: boolean): boolean | number =>
  dialect === 'sqlite' ? (value ? 1 : 0) : value;

export async function selectAll(db: SqlExecutor): Promise<{ domains: Row[]; hosts: Row[] }> {
  const [domains, hosts] = await Promise.all([
    db.query(sql`select * from md_domains order by code`),
    db.query(sql`select * from md_domain_hosts order by created_at, host`),
  ]);
  return { domains, hosts };
}

export async function readDomain(
  db: SqlExecutor,
  code: string,
  serveUnverified: boolean,
): Promise<RegistryDomain | undefined> {
  const row = (await db.query(sql`select * from md_domains where code = ${code}`))[0];
  if (row === undefined) return undefined;
  const hosts = await db.query(
    sql`select * from md_domain_hosts where domain_code = ${code} order by created_at, host`,
  );
  return toDomain(row, hosts.map(toHost), serveUnverified);
}

export async function hostOwner(db: SqlExecutor, host: string): Promise<Row | undefined> {
  return (await db.query(sql`select domain_code, is_verified from md_domain_hosts where host = ${host}`))[0];
}

export async function domainExists(db: SqlExecutor, code: string): Promise<boolean> {
  return (await db.query(sql`select 1 from md_domains where code = ${code}`)).length > 0;
}

export async function insertDomain(tx: SqlExecutor, def: DomainDefinition): Promise<void> {
  const [attributes, features, preferences, branding] = jsonColumns(def);
  await tx.query(
    sql`insert into md_domains (code, name, status, attributes, features, preferences, branding, database_url)
        values (${def.name}, ${displayNameOf(def)}, ${def.status ?? 'active'}, ${attributes}, ${features}, ${preferences}, ${branding}, ${def.databaseUrl ?? null})`,
  );
}

export async function updateDomain(tx: SqlExecutor, code: string, def: DomainDefinition): Promise<void> {
  const [attributes, features, preferences, branding] = jsonColumns(def);
  await tx.query(
    sql`update md_domains set name = ${displayNameOf(def)}, status = ${def.status ?? 'active'}, attributes = ${attributes},
        features = ${features}, preferences = ${preferences}, branding = ${branding}, database_url = ${def.databaseUrl ?? null},
        updated_at = current_timestamp where code = ${code}`,
  );
}

/** Hosts first: SQLite's cascade needs foreign_keys on for every connection that ever wrote. Answers whether the domain existed. */
export async function deleteDomain(tx: SqlExecutor, code: string): Promise<boolean> {
  await tx.query(sql`delete from md_domain_hosts where domain_code = ${code}`);
  return (await tx.query(sql`delete from md_domains where code = ${code} returning code`)).length > 0;
}

/** Adds a host to a domain; `HOST_CONFLICT` when another domain owns it. */
export async function insertHost(
  tx: SqlExecutor,
  dialect: Dialect,
  code: string,
  host: string,
  verified: boolean,
): Promise<RegistryHost> {
  const owner = await hostOwner(tx, host);
  if (owner !== undefined) throw MdError.hostConflict(host, String(owner.domain_code), code);
  const rows = await tx.query(
    sql`insert into md_domain_hosts (host, domain_code, is_verified) values (${host}, ${code}, ${bool(dialect, verified)}) returning *`,
  );
  return toHost(rows[0]!);
}

export async function deleteHost(tx: SqlExecutor, host: string): Promise<Row | undefined> {
  return (await tx.query(sql`delete from md_domain_hosts where host = ${host} returning domain_code`))[0];
}

export async function verifyHost(tx: SqlExecutor, dialect: Dialect, host: string): Promise<Row | undefined> {
  return (
    await tx.query(
      sql`update md_domain_hosts set is_verified = ${bool(dialect, true)} where host = ${host} returning *`,
    )
  )[0];
}

export async function touch(tx: SqlExecutor, code: string): Promise<void> {
  await tx.query(sql`update md_domains set updated_at = current_timestamp where code = ${code}`);
}

export async function selectVersion(db: SqlExecutor): Promise<number> {
  const rows = await db.query(sql`select version from md_registry_version where id = 1`);
  return Number(rows[0]?.version ?? 0);
}

/** Bumps the change counter and, on Postgres, notifies the other instances in the same transaction. */
export async function bumpVersion(tx: SqlExecutor, dialect: Dialect, instanceId: string): Promise<number> {
  const rows = await tx.query(
    sql`update md_registry_version set version = version + 1 where id = 1 returning version`,
  );
  const next = Number(rows[0]?.version);
  if (dialect === 'postgres') {
    const payload = JSON.stringify({ v: next, by: instanceId });
    await tx.query(sql`select pg_notify(${NOTIFY_CHANNEL}, ${payload})`);
  }
  return next;
}
