import { randomUUID } from 'node:crypto';
import type { AttackContext, DataAttack } from './types.js';
import { pivotColumns, pivotOf } from './types.js';

const sqlite = (ctx: AttackContext) => ctx.database === 'sqlite';
const postgres = (ctx: AttackContext) => ctx.database === 'postgres';
const rowSqlite = (ctx: AttackContext) => ctx.caps.rowLevel === true && sqlite(ctx);
/** Raw writes are not run where raw SQL is known to be unscoped (the limit is asserted by the reads). */
const notRowSqlite = (ctx: AttackContext) => !rowSqlite(ctx);
const victimTable = (ctx: AttackContext, className: string) => {
  const table = ctx.em.getMetadata().getByClassName(className).tableName;
  return `"${ctx.victimSchema}"."${table}"`;
};
const like = (ctx: AttackContext) => `%${ctx.target}-secret%`;
const pivotTable = (ctx: AttackContext) => ctx.table(pivotOf(ctx));

/** Hostile raw SQL that any strategy's entity manager runs: what each wall stops, and the documented limits. */
export const RAW_SQL_ATTACKS: readonly DataAttack[] = [
  {
    name: 'raw SQL: select every item',
    limit: 'row-level-sqlite-raw-sql',
    run: (ctx) => ctx.raw(`select name from ${ctx.table('Item')}`),
  },
  {
    name: 'raw SQL through em.execute: select the victim’s rows by name',
    limit: 'row-level-sqlite-raw-sql',
    run: (ctx) =>
      (ctx.em as unknown as { execute(sql: string, params: unknown[]): Promise<unknown[]> }).execute(
        `select name from ${ctx.table('Item')} where name like ?`,
        [like(ctx)],
      ),
  },
  {
    name: 'raw SQL through Kysely: select every owner',
    limit: 'row-level-sqlite-raw-sql',
    run: (ctx) => {
      const kysely = (ctx.em as unknown as { getKysely(): KyselyLike }).getKysely();
      return kysely.selectFrom(ctx.table('Owner').replaceAll('"', '')).selectAll().execute();
    },
  },
  {
    name: 'raw SQL: select every pivot row with its tag',
    limit: 'row-level-sqlite-raw-sql',
    run: (ctx) => {
      const { tag } = pivotColumns(ctx);
      return ctx.raw(
        `select t.label from ${pivotTable(ctx)} p join ${ctx.table('Tag')} t on t.id = p.${tag}`,
      );
    },
  },
  {
    name: 'raw SQL: select the victim’s schema by name',
    limit: 'schema-raw-sql-names-a-schema',
    run: (ctx) => ctx.raw(`select name from ${victimTable(ctx, 'Item')}`),
  },
  {
    name: 'raw SQL: update the victim’s rows by name',
    applies: notRowSqlite,
    run: (ctx) => ctx.raw(`update ${ctx.table('Item')} set qty = 77 where name like ?`, [like(ctx)]),
  },
  {
    name: 'raw SQL: delete the victim’s rows by id',
    applies: notRowSqlite,
    run: (ctx) => ctx.raw(`delete from ${ctx.table('Item')} where id in (?, ?)`, [...ctx.victim.items]),
  },
  {
    name: 'raw SQL: delete the victim’s links',
    applies: notRowSqlite,
    run: (ctx) => {
      const { item } = pivotColumns(ctx);
      return ctx.raw(`delete from ${pivotTable(ctx)} where ${item} in (?, ?)`, [...ctx.victim.items]);
    },
  },
  {
    name: 'raw SQL: insert a row marked for the victim',
    applies: (ctx) => notRowSqlite(ctx) && ctx.caps.rowLevel === true,
    run: (ctx) =>
      ctx.raw(
        `insert into ${ctx.table('Item')} (id, name, tag, qty, tenant_id) values (?, 'pwned', 'attack', 0, ?)`,
        [randomUUID(), ctx.target],
      ),
  },
  {
    name: 'raw SQL: move an own row to the victim',
    applies: (ctx) => notRowSqlite(ctx) && ctx.caps.rowLevel === true,
    run: (ctx) =>
      ctx.raw(`update ${ctx.table('Item')} set tenant_id = ? where id = ?`, [ctx.target, ctx.own.items[1]]),
  },
  {
    name: 'raw SQL: insert an item owned by the victim’s owner',
    applies: notRowSqlite,
    run: (ctx) =>
      ctx.raw(
        `insert into ${ctx.table('Item')} (id, name, tag, qty, owner_id) values (?, 'link', 'attack', 0, ?)`,
        [randomUUID(), ctx.victim.owner],
      ),
  },
  {
    name: 'raw SQL: link an own item to the victim’s tag',
    applies: notRowSqlite,
    run: (ctx) => {
      const { item, tag } = pivotColumns(ctx);
      return ctx.raw(`insert into ${pivotTable(ctx)} (${item}, ${tag}) values (?, ?)`, [
        ctx.own.items[1],
        ctx.victim.tags[1],
      ]);
    },
  },
  {
    name: 'raw SQL: ATTACH another domain’s SQLite file',
    applies: sqlite,
    refuses: () => 'TENANT_MISMATCH',
    run: async (ctx) => {
      const files = (await ctx.raw('pragma database_list')) as Array<{ file: string }>;
      const own = files[0]!.file;
      const victim = own.replace(new RegExp(`${ctx.attacker}\\.sqlite$`), `${ctx.target}.sqlite`);
      await ctx.raw(`attach database '${victim}' as victim`);
      return ctx.raw('select name from victim.md_item');
    },
  },
  {
    name: 'raw SQL: ATTACH hidden behind a comment and odd case',
    applies: sqlite,
    refuses: () => 'TENANT_MISMATCH',
    run: (ctx) => ctx.raw(`/* harmless */ AtTaCh 'elsewhere.sqlite' AS other`),
  },
];

interface KyselyLike {
  selectFrom(table: string): { selectAll(): { execute(): Promise<unknown[]> } };
}

/** Hostile raw SQL against PostgreSQL's own walls: roles, grants, row-level security and its signed setting. */
export const POSTGRES_ATTACKS: readonly DataAttack[] = [
  {
    name: 'raw SQL: DROP DATABASE of another domain',
    applies: postgres,
    run: async (ctx) => {
      const [{ db }] = (await ctx.raw('select current_database() as db')) as [{ db: string }];
      const victim = db.endsWith(`_${ctx.attacker}`)
        ? `${db.slice(0, -ctx.attacker.length)}${ctx.target}`
        : db;
      return ctx.raw(`drop database "${victim}"`);
    },
  },
  {
    name: 'raw SQL: DROP SCHEMA of another domain',
    applies: postgres,
    run: (ctx) => ctx.raw(`drop schema "${ctx.victimSchema}" cascade`),
  },
  {
    name: 'raw SQL: DROP TABLE of the own store',
    applies: postgres,
    run: (ctx) => ctx.raw(`drop table ${ctx.table('Tag')} cascade`),
  },
  {
    name: 'raw SQL: CREATE ROLE',
    applies: postgres,
    run: (ctx) => ctx.raw('create role md_evil login superuser'),
  },
  { name: 'raw SQL: CREATE DATABASE', applies: postgres, run: (ctx) => ctx.raw('create database md_evil') },
  {
    name: 'raw SQL: ALTER ROLE itself to superuser',
    applies: postgres,
    run: (ctx) => ctx.raw('alter role current_user superuser'),
  },
  { name: 'raw SQL: SET ROLE to the admin', applies: postgres, run: (ctx) => ctx.raw('set role postgres') },
  {
    name: 'raw SQL: read a server file',
    applies: postgres,
    run: (ctx) => ctx.raw(`select pg_read_file('/etc/hostname')`),
  },
  {
    name: 'raw SQL: COPY TO PROGRAM',
    applies: postgres,
    run: (ctx) => ctx.raw(`copy (select 1) to program 'true'`),
  },
  {
    name: 'raw SQL: CREATE TABLE in public',
    applies: postgres,
    run: (ctx) => ctx.raw('create table public.md_evil (id int)'),
  },
  {
    name: 'raw SQL: a temporary table shadowing a shared table for later statements',
    applies: (ctx) => postgres(ctx) && ctx.caps.schemaPerDomain !== true,
    run: (ctx) =>
      ctx.raw('create temporary table md_item (id text, name text, tag text, qty int, tenant_id text)'),
  },
  {
    name: 'raw SQL: read other sessions’ statements in pg_stat_activity',
    applies: postgres,
    run: async (ctx) =>
      ctx.raw(
        `select query from pg_stat_activity where query like '%${ctx.target}-secret%' and pid <> pg_backend_pid()`,
      ),
  },
];
