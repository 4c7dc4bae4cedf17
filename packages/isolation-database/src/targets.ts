import { mkdir, open, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type LoginRole, quoteIdent, requestRole, type StoreOrm, withCredentials } from '@md/mikro-orm';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { dropRequestRole } from './request-roles.js';

/** Where one domain's data lives, and how each kind of connection reaches it. */
export interface Target {
  /** Options for an admin store on the domain's database (provisioning, migrations). */
  readonly store: { dbName: string; clientUrl?: string };
  /** Options for the domain's request pool: the request role's credentials, when md manages one. */
  readonly request: { dbName: string; clientUrl?: string };
  /** PostgreSQL: the maintenance database on the same server, where `CREATE DATABASE` runs. */
  readonly admin?: { dbName: string; clientUrl: string };
  /** PostgreSQL: the domain's request role (none for a domain's own `databaseUrl`, used as is). */
  readonly role?: LoginRole;
  readonly file?: string;
}

/** What locating a domain's database needs from the strategy's options. */
export interface TargetOptions {
  folder?: string | undefined;
  url?: string | undefined;
  databaseName?: ((domain: string) => string) | undefined;
}

function defaultDatabaseName(domain: string): string {
  return `md_${domain.replace(/[^a-z0-9]/g, '_')}`;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** The SQLite file, or the PostgreSQL database (and request role) of domain `name`; `own` is its own `databaseUrl`. */
export function targetOf(options: TargetOptions, name: string, own: string | undefined): Target {
  if (options.folder !== undefined) {
    const file = resolve(join(options.folder, `${name}.sqlite`));
    return { store: { dbName: file }, request: { dbName: file }, file };
  }
  const dbName =
    own !== undefined ? new URL(own).pathname.slice(1) : (options.databaseName ?? defaultDatabaseName)(name);
  const clientUrl = own ?? withDatabase(options.url!, dbName);
  const admin = { dbName: 'postgres', clientUrl: withDatabase(clientUrl, 'postgres') };
  if (own !== undefined) return { store: { dbName, clientUrl }, request: { dbName, clientUrl }, admin };
  const role = requestRole(options.url!, dbName);
  const request = { dbName, clientUrl: withCredentials(clientUrl, role.name, role.password) };
  return { store: { dbName, clientUrl }, request, admin, role };
}

/** The name of a store's migrations table. */
export function migrationsTable(store: StoreOrm): string {
  return store.config.get('migrations').tableName ?? 'mikro_orm_migrations';
}

/** Creates an empty SQLite file unless one exists: of two concurrent calls exactly one answers true. */
export async function claimFile(file: string): Promise<boolean> {
  await mkdir(dirname(file), { recursive: true });
  try {
    await (await open(file, 'wx')).close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Removes a SQLite file and its journals. */
export async function removeFiles(file: string): Promise<void> {
  await Promise.all(
    ['', '-journal', '-wal', '-shm'].map((suffix) => rm(`${file}${suffix}`, { force: true })),
  );
}

/** True when the server of `admin` has database `dbName`. */
export async function databaseExists(admin: SqlEntityManager, dbName: string): Promise<boolean> {
  const rows = await admin.getConnection().execute('select 1 from pg_database where datname = ?', [dbName]);
  return rows.length > 0;
}

/** Creates the database unless it exists (call it under the provisioning lock); true when this call created it. */
export async function createDatabaseOn(admin: SqlEntityManager, dbName: string): Promise<boolean> {
  if (await databaseExists(admin, dbName)) return false;
  await admin.getConnection().execute(`create database ${quoteIdent(dbName)}`);
  return true;
}

/** Drops the database (closing its connections) and its request role. */
export async function dropDatabaseOn(admin: SqlEntityManager, target: Target): Promise<void> {
  await admin
    .getConnection()
    .execute(`drop database if exists ${quoteIdent(target.store.dbName)} with (force)`);
  if (target.role !== undefined) await dropRequestRole(admin, target.role);
}
