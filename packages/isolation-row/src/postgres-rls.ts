import { createHash, randomBytes } from 'node:crypto';
import type { MdEventEmitter } from '@md/core';
import {
  ensureLoginRole,
  hideActivity,
  quoteIdent,
  quoteLiteral,
  shortIdent,
  type TenantRule,
} from '@md/mikro-orm';
import type { EntityMetadata, MetadataStorage } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';

/** The session setting every request connection carries: `<domain>.<signature>`. */
export const SETTING = 'md.domain';
/** The function the policies call: the verified domain of the session, or NULL. */
export const CURRENT_DOMAIN = 'public.md_current_domain()';
/** Where the signing key lives: a schema the request role has no privilege on. */
export const PRIVATE = 'md_rls';
/** Bumped when what `installRowSecurity` creates changes, so every existing database gets it on its next start. */
const INSTALL_VERSION = 3;

type Run = (sql: string, params?: unknown[]) => Promise<unknown>;
const runner =
  (em: SqlEntityManager): Run =>
  (sql, params = []) =>
    em.getConnection().execute(sql, params);

/** Signs a domain name into the value of `md.domain` (HMAC-SHA256 with the database's key, hex). */
export type DomainSigner = (domain: string) => string;

/** Where each provisioned domain's setting is recognised: the SHA-256 of its value, readable by all, written by the admin. */
const DOMAIN_KEY = 'public.md_domain_key';
/** The token of `domain` and its digest, computed in SQL from the key (as the admin): the same as {@link DomainSigner}. */
const TOKEN_SQL = `d.domain || '.' || encode(sha256(k.opad || sha256(k.ipad || convert_to(d.domain, 'UTF8'))), 'hex')`;

/**
 * The private schema, the signing key (created once per database, 64
 * random bytes kept as HMAC's inner and outer padded keys, readable by the
 * admin only), the table of domain digests and the verifying function,
 * idempotently; returns the signer for this database.
 *
 * A request's `md.domain` is `<domain>.<HMAC of the domain>`; the database
 * keeps only the SHA-256 of each provisioned domain's value, so reading the
 * table tells nothing that could be set. `md_current_domain()` — `STABLE`,
 * called once per statement by the policies (an init plan), every name in it
 * schema-qualified — answers the domain whose digest matches the setting's,
 * else NULL: raw SQL that sets `md.domain` to another domain (`set_config`,
 * `SET`, `SET LOCAL`), to a made-up signature or to nothing gets no row. It
 * runs with the caller's rights (no `SECURITY DEFINER`: measured here, that
 * doubles its cost per statement) and is PL/pgSQL, whose lookup plan lasts
 * the session (as a SQL function it cost a statement 40 µs, as PL/pgSQL 16
 * µs, pgbench on PostgreSQL 17 here).
 */
export async function prepareSigning(admin: SqlEntityManager): Promise<DomainSigner> {
  const run = runner(admin);
  await run(`create schema if not exists ${PRIVATE}`);
  await run(`revoke all on schema ${PRIVATE} from public`);
  await run(
    `create table if not exists ${PRIVATE}.signing_key (id int primary key check (id = 1), ipad bytea not null, opad bytea not null)`,
  );
  await run(
    `create table if not exists ${PRIVATE}.install (id int primary key check (id = 1), version int not null)`,
  );
  const key = randomBytes(64);
  const pad = (byte: number) => Buffer.from(key.map((b) => b ^ byte));
  await run(
    `insert into ${PRIVATE}.signing_key (id, ipad, opad) values (1, ?, ?) on conflict (id) do nothing`,
    [pad(0x36), pad(0x5c)],
  );
  const [row] = (await run(`select ipad, opad from ${PRIVATE}.signing_key where id = 1`)) as Array<{
    ipad: Buffer;
    opad: Buffer;
  }>;
  const { ipad, opad } = row!;
  await run(
    `create table if not exists ${DOMAIN_KEY} (domain varchar(64) primary key, digest bytea not null unique)`,
  );
  // PL/pgSQL, not SQL: a SQL function with a FROM is never inlined, and PostgreSQL 17 parses
  // and plans its body again in every statement that calls it; PL/pgSQL keeps the lookup's plan
  // for the session. Every name is schema-qualified: the body resolves names with the caller's search_path.
  await run(`create or replace function ${CURRENT_DOMAIN} returns text language plpgsql stable as $$
      declare verified pg_catalog.text;
      begin
        select k.domain into verified from ${DOMAIN_KEY} k
        where k.digest operator(pg_catalog.=) pg_catalog.sha256(pg_catalog.convert_to(coalesce(pg_catalog.current_setting('${SETTING}', true), ''), 'UTF8'));
        return verified;
      end
    $$`);
  await run(`revoke all on function ${CURRENT_DOMAIN} from public`);
  return (domain) => {
    const inner = createHash('sha256').update(ipad).update(domain, 'utf8').digest();
    return `${domain}.${createHash('sha256').update(opad).update(inner).digest('hex')}`;
  };
}

/**
 * Records the digest of the setting of each domain named (as the admin):
 * from then on a request of that domain sees its rows. `domains` is a SQL
 * query of one `domain` column (every provisioned domain, or one).
 */
export async function registerDomains(admin: SqlEntityManager, domains: string, params: unknown[] = []) {
  const upsert = `insert into ${DOMAIN_KEY} (domain, digest)
     select d.domain, sha256(convert_to(${TOKEN_SQL}, 'UTF8')) from (${domains}) d cross join ${PRIVATE}.signing_key k
     on conflict (domain) do update set digest = excluded.digest`;
  // Two instances registering one domain at once: ON CONFLICT arbitrates on `domain` only, so
  // the loser may hit the `digest` unique index instead (seen under load); once the winner has
  // committed, the same upsert takes the update path.
  for (let attempt = 1; ; attempt++) {
    try {
      await runner(admin)(upsert, params);
      return;
    } catch (error) {
      if (attempt >= 3 || !isUniqueViolation(error)) throw error;
    }
  }
}

/** PostgreSQL's unique_violation: pg's error carries the SQLSTATE as `code`, and MikroORM's exceptions copy it. */
function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}

/** Forgets a domain's digest (deprovisioning): its setting matches nothing any more. */
export async function forgetDomain(admin: SqlEntityManager, domain: string): Promise<void> {
  await runner(admin)(`delete from ${DOMAIN_KEY} where domain = ?`, [domain]);
}

/** The request role, the tables it may use and how the strategy's tables are scoped. */
export interface RowSecurityPlan {
  readonly role: { readonly name: string; readonly password: string };
  readonly metadata: MetadataStorage;
  readonly tenant: TenantRule;
  /** The table recording provisioned domains. */
  readonly markerTable: string;
  /** The root domain (it is never provisioned, yet has rows of its own). */
  readonly rootDomain: string;
  /** Where a wall md could not raise is reported (`site:error`). */
  readonly events?: MdEventEmitter;
  readonly migrationsTable: string;
}

/** True when this database already has what this version of md installs. */
export async function installedVersion(admin: SqlEntityManager): Promise<boolean> {
  const run = runner(admin);
  await run(
    `create table if not exists ${PRIVATE}.install (id int primary key check (id = 1), version int not null)`,
  );
  const rows = (await run(`select version from ${PRIVATE}.install where id = 1`)) as Array<{
    version: number;
  }>;
  return (rows[0]?.version ?? 0) >= INSTALL_VERSION;
}

/**
 * Grants, policies, defaults and foreign keys of every table the strategy
 * knows (idempotent; after migrations, so new tables get them too). The
 * request role may read and write the entity tables and the provisioning
 * record, and nothing else (not `mikro_orm_migrations`, not the key); every
 * domain-scoped table — generated pivot tables included — gets
 * `FORCE ROW LEVEL SECURITY` with one policy, `tenant_id = (select
 * md_current_domain())` for `USING` and `WITH CHECK`, and `tenant_id`
 * defaults to the verified domain. Relations between scoped tables also get
 * a foreign key on `(tenant_id, <column>)` (`NOT VALID`: checked for every
 * new or changed row), so even raw SQL cannot link a row to another
 * domain's. The provisioning record is readable by all, writable per domain.
 */
export async function installRowSecurity(admin: SqlEntityManager, plan: RowSecurityPlan): Promise<void> {
  const run = runner(admin);
  const role = quoteIdent(plan.role.name);
  const { tenant } = plan;
  const check = `${quoteIdent(tenant.column)} = (select ${CURRENT_DOMAIN})`;
  await run(`grant execute on function ${CURRENT_DOMAIN} to ${role}`);
  await run(`grant select on ${DOMAIN_KEY} to ${role}`);
  await run(`revoke insert, update, delete, truncate on ${DOMAIN_KEY} from ${role}`);
  const tables = await grantRequestRole(admin, plan);
  for (const meta of tables.filter((m) => tenant.scoped.has(m.className))) {
    const table = quoteIdent(meta.tableName);
    await run(`alter table ${table} enable row level security`);
    await run(`alter table ${table} force row level security`);
    await run(`drop policy if exists md_tenant on ${table}`);
    await run(`create policy md_tenant on ${table} using (${check}) with check (${check})`);
    await run(`alter table ${table} alter column ${quoteIdent(tenant.column)} set default ${CURRENT_DOMAIN}`);
    await addTenantForeignKeys(run, tenant, meta);
  }
  const marker = quoteIdent(plan.markerTable);
  const own = `domain = (select ${CURRENT_DOMAIN})`;
  await run(`alter table ${marker} enable row level security`);
  await run(`alter table ${marker} force row level security`);
  for (const policy of ['md_read', 'md_record', 'md_forget'])
    await run(`drop policy if exists ${policy} on ${marker}`);
  await run(`create policy md_read on ${marker} for select using (true)`);
  await run(`create policy md_record on ${marker} for insert with check (${own})`);
  await run(`create policy md_forget on ${marker} for delete using (${own})`);
  await run(
    `insert into ${PRIVATE}.install (id, version) values (1, ${INSTALL_VERSION}) on conflict (id) do update set version = excluded.version`,
  );
}

/**
 * What the request role may do, with or without row-level security (idempotent):
 * read and write the entity tables and the provisioning record, use their
 * sequences, and nothing else (not `mikro_orm_migrations`, no temporary
 * tables). Returns the entity tables.
 */
export async function grantRequestRole(admin: SqlEntityManager, plan: RowSecurityPlan) {
  const run = runner(admin);
  const role = quoteIdent(plan.role.name);
  // No temporary tables: one would shadow a shared table for every later statement on that connection.
  await run(
    `do $$ begin execute format('revoke temporary on database %I from public', current_database()); end $$`,
  );
  await run(
    `do $$ begin execute format('revoke temporary on database %I from %I', current_database(), ${quoteLiteral(plan.role.name)}); end $$`,
  );
  await run(`grant usage on schema public to ${role}`);
  await run(`grant usage, select on all sequences in schema public to ${role}`);
  const tables = [...plan.metadata.getAll().values()].filter((m) => !m.embeddable && !m.virtual);
  for (const meta of tables)
    await run(`grant select, insert, update, delete on ${quoteIdent(meta.tableName)} to ${role}`);
  await run(`grant select, insert, delete on ${quoteIdent(plan.markerTable)} to ${role}`);
  await run(
    `do $$ begin if to_regclass(${quoteLiteral(plan.migrationsTable)}) is not null then revoke all on table ${quoteIdent(plan.migrationsTable)} from ${role}; end if; end $$`,
  );
  return tables;
}

async function addTenantForeignKeys(run: Run, tenant: TenantRule, meta: EntityMetadata): Promise<void> {
  for (const prop of meta.relations) {
    const target = prop.targetMeta;
    const toOne = prop.kind === 'm:1' || (prop.kind === '1:1' && prop.owner === true);
    if (!toOne || target === undefined || !tenant.scoped.has(target.className)) continue;
    const [column] = prop.fieldNames ?? [];
    const [pk] = target.getPrimaryProps().flatMap((p) => p.fieldNames);
    if (prop.fieldNames?.length !== 1 || column === undefined || pk === undefined) continue;
    const key = shortIdent(`${target.tableName}_md_tenant_key`);
    const fk = shortIdent(`${meta.tableName}_${column}_md_tenant_fk`);
    const tenantColumn = quoteIdent(tenant.column);
    await run(
      `create unique index if not exists ${quoteIdent(key)} on ${quoteIdent(target.tableName)} (${tenantColumn}, ${quoteIdent(pk)})`,
    );
    await run(
      `do $$ begin if not exists (select from pg_constraint where conname = ${quoteLiteral(fk)}) then alter table ${quoteIdent(meta.tableName)} add constraint ${quoteIdent(fk)} foreign key (${tenantColumn}, ${quoteIdent(column)}) references ${quoteIdent(target.tableName)} (${tenantColumn}, ${quoteIdent(pk)}) not valid; end if; end $$`,
    );
  }
}

/**
 * Everything row-level isolation installs on a PostgreSQL database, on an
 * admin connection, one process at a time (the caller holds the install
 * lock): the key and the verifying function first (the tables' default
 * calls it), the tables on a fresh database (`createTables`), the request
 * role (its password in line with the admin's, its activity hidden), then
 * grants and policies when this version of md has not installed them yet.
 * Returns the signer of this database's `md.domain` values.
 */
export async function installPostgres(
  admin: SqlEntityManager,
  plan: RowSecurityPlan,
  fresh: boolean,
  createTables: () => Promise<void>,
): Promise<DomainSigner> {
  const sign = await prepareSigning(admin);
  if (fresh) await createTables();
  await ensureLoginRole(admin, plan.role);
  await hideActivity(admin, plan.role, plan.events);
  if (fresh || !(await installedVersion(admin))) await installRowSecurity(admin, plan);
  // The root domain and every provisioned one (databases installed by an earlier md included).
  await registerDomains(
    admin,
    `select ?::varchar(64) as domain union select domain from ${quoteIdent(plan.markerTable)}`,
    [plan.rootDomain],
  );
  return sign;
}
