import { sql } from 'kysely';
import type { SqlClient } from './sql-client.js';

/** The Postgres channel registry changes are announced on. */
export const NOTIFY_CHANNEL = 'md_registry';

/**
 * The registry's schema: a domains table keyed by the domain code and a hosts
 * table with a unique host per row. A one-row version counter is bumped by
 * every change: SQLite instances poll it, Postgres instances also get a
 * NOTIFY in the same transaction.
 */
function ddl(dialect: SqlClient['dialect']): string[] {
  const json = dialect === 'postgres' ? 'jsonb' : 'text';
  const ts = dialect === 'postgres' ? 'timestamptz' : 'timestamp';
  const bool = dialect === 'postgres' ? 'boolean' : 'integer';
  const no = dialect === 'postgres' ? 'false' : '0';
  return [
    `create table if not exists md_domains (
      code varchar(50) primary key,
      name varchar(255) not null,
      status varchar(20) not null default 'active',
      attributes ${json} not null default '{}',
      features ${json} not null default '[]',
      preferences ${json} not null default '{}',
      branding ${json} not null default '{}',
      database_url text,
      created_at ${ts} not null default current_timestamp,
      updated_at ${ts} not null default current_timestamp
    )`,
    `create table if not exists md_domain_hosts (
      host varchar(253) not null primary key,
      domain_code varchar(50) not null references md_domains(code) on delete cascade,
      is_verified ${bool} not null default ${no},
      created_at ${ts} not null default current_timestamp
    )`,
    'create index if not exists md_domain_hosts_domain_code on md_domain_hosts(domain_code)',
    'create table if not exists md_registry_version (id integer primary key, version bigint not null)',
    'insert into md_registry_version (id, version) values (1, 0) on conflict (id) do nothing',
  ];
}

/** Creates the registry tables when missing; safe to run from several processes at once. */
export async function ensureSchema(client: SqlClient): Promise<void> {
  await client.transaction(async (tx) => {
    // Concurrent `create table if not exists` can still collide on Postgres' catalog.
    if (client.dialect === 'postgres')
      await tx.query(sql`select pg_advisory_xact_lock(hashtext('md_registry_schema'))`);
    for (const statement of ddl(client.dialect)) await tx.query(sql.raw(statement));
  });
}
