import type { AttackContext, DataAttack } from './types.js';

const rls = (ctx: AttackContext) => ctx.caps.rowLevel === true && ctx.database === 'postgres';
type Trx = { execute(sql: string, params?: unknown[]): Promise<unknown[]> };
/** Raw statements on one connection (one transaction): a setting made by the first is seen by the next. */
const onOneConnection = (ctx: AttackContext, ...statements: Array<[string, unknown[]?]>) =>
  (ctx.em as unknown as { transactional<T>(cb: (trx: Trx) => Promise<T>): Promise<T> }).transactional(
    async (trx) => {
      let last: unknown[] = [];
      for (const [sql, params] of statements) last = await trx.execute(sql, params ?? []);
      return last;
    },
  );
const selectVictim = (ctx: AttackContext): [string] => [
  `select name from md_item where name like '%${ctx.target}-secret%'`,
];

/**
 * Forging the domain a PostgreSQL row-level session runs as: every way raw
 * SQL can write `md.domain` (or remove it, or read someone else's), then
 * reading the victim. The policies trust only a value signed with a key the
 * request role cannot read.
 */
export const ROW_SECURITY_ATTACKS: readonly DataAttack[] = [
  {
    name: 'RLS: set_config md.domain to the victim, session-wide',
    applies: rls,
    run: (ctx) =>
      onOneConnection(ctx, [`select set_config('md.domain', ?, false)`, [ctx.target]], selectVictim(ctx)),
  },
  {
    name: 'RLS: set_config md.domain to the victim, transaction-local',
    applies: rls,
    run: (ctx) =>
      onOneConnection(ctx, [`select set_config('md.domain', ?, true)`, [ctx.target]], selectVictim(ctx)),
  },
  {
    name: 'RLS: SET md.domain',
    applies: rls,
    run: (ctx) => onOneConnection(ctx, [`set md.domain = '${ctx.target}'`], selectVictim(ctx)),
  },
  {
    name: 'RLS: SET LOCAL md.domain',
    applies: rls,
    run: (ctx) => onOneConnection(ctx, [`set local md.domain = '${ctx.target}'`], selectVictim(ctx)),
  },
  {
    name: 'RLS: a made-up signature for the victim',
    applies: rls,
    run: (ctx) =>
      onOneConnection(
        ctx,
        [`select set_config('md.domain', ?, false)`, [`${ctx.target}.${'0'.repeat(64)}`]],
        selectVictim(ctx),
      ),
  },
  {
    name: 'RLS: the own signature with the victim’s name',
    applies: rls,
    run: (ctx) =>
      onOneConnection(
        ctx,
        [
          `select set_config('md.domain', ? || substr(current_setting('md.domain'), position('.' in current_setting('md.domain'))), false)`,
          [ctx.target],
        ],
        selectVictim(ctx),
      ),
  },
  {
    name: 'RLS: the victim’s name with a second dot and the own signature',
    applies: rls,
    run: (ctx) =>
      onOneConnection(
        ctx,
        [`select set_config('md.domain', ? || '.' || current_setting('md.domain'), false)`, [ctx.target]],
        selectVictim(ctx),
      ),
  },
  {
    name: 'RLS: RESET md.domain',
    applies: rls,
    run: (ctx) => onOneConnection(ctx, ['reset md.domain'], selectVictim(ctx)),
  },
  {
    name: 'RLS: RESET ALL',
    applies: rls,
    run: (ctx) => onOneConnection(ctx, ['reset all'], selectVictim(ctx)),
  },
  {
    name: 'RLS: SET md.domain TO DEFAULT',
    applies: rls,
    run: (ctx) => onOneConnection(ctx, ['set md.domain to default'], selectVictim(ctx)),
  },
  {
    name: 'RLS: read the own session’s setting (the only token a session ever sees)',
    applies: rls,
    run: async (ctx) => {
      const rows = (await ctx.raw(`select current_setting('md.domain') as token`)) as Array<{
        token: string;
      }>;
      return rows.filter((r) => r.token.startsWith(`${ctx.target}.`)).map(() => `${ctx.target}-secret token`);
    },
  },
  {
    name: 'RLS: look for another session’s token in pg_stat_activity',
    applies: rls,
    run: async (ctx) => {
      const rows = (await ctx.raw('select query from pg_stat_activity')) as Array<{ query: string | null }>;
      return rows
        .filter((r) => new RegExp(`${ctx.target}\\.[0-9a-f]{64}`).test(r.query ?? ''))
        .map(() => `${ctx.target}-secret token`);
    },
  },
  {
    name: 'RLS: read the signing key',
    applies: rls,
    run: (ctx) => ctx.raw('select * from md_rls.signing_key'),
  },
  {
    name: 'RLS: register a digest of an own value for the victim',
    applies: rls,
    run: (ctx) =>
      onOneConnection(
        ctx,
        [`insert into md_domain_key (domain, digest) values ('md-evil', sha256(convert_to('evil', 'UTF8')))`],
        [`select set_config('md.domain', 'evil', true)`],
        selectVictim(ctx),
      ),
  },
  {
    name: 'RLS: overwrite the victim’s digest with one of an own value',
    applies: rls,
    run: (ctx) =>
      onOneConnection(
        ctx,
        [
          `update md_domain_key set digest = sha256(convert_to('evil', 'UTF8')) where domain = ?`,
          [ctx.target],
        ],
        [`select set_config('md.domain', 'evil', true)`],
        selectVictim(ctx),
      ),
  },
  {
    name: 'RLS: use the victim’s digest itself as the setting',
    applies: rls,
    run: (ctx) =>
      onOneConnection(
        ctx,
        [
          `select set_config('md.domain', (select encode(digest, 'hex') from md_domain_key where domain = ?), true)`,
          [ctx.target],
        ],
        selectVictim(ctx),
      ),
  },
  {
    name: 'RLS: replace the verifying function',
    applies: rls,
    run: (ctx) =>
      ctx.raw(
        `create or replace function public.md_current_domain() returns text language sql as $$ select '${ctx.target}'::text $$`,
      ),
  },
  {
    name: 'RLS: a temporary function of the same name',
    applies: rls,
    run: (ctx) =>
      onOneConnection(
        ctx,
        [
          `create function pg_temp.md_current_domain() returns text language sql as $$ select '${ctx.target}'::text $$`,
        ],
        selectVictim(ctx),
      ),
  },
  {
    name: 'RLS: DISABLE ROW LEVEL SECURITY',
    applies: rls,
    run: (ctx) => ctx.raw('alter table md_item disable row level security'),
  },
  {
    name: 'RLS: NO FORCE ROW LEVEL SECURITY',
    applies: rls,
    run: (ctx) => ctx.raw('alter table md_item no force row level security'),
  },
  { name: 'RLS: DROP POLICY', applies: rls, run: (ctx) => ctx.raw('drop policy md_tenant on md_item') },
  {
    name: 'RLS: a permissive policy of its own',
    applies: rls,
    run: (ctx) => ctx.raw('create policy md_evil on md_item using (true)'),
  },
  {
    name: 'RLS: forget another domain’s provisioning record',
    applies: rls,
    run: async (ctx) => {
      await ctx.raw('delete from md_provisioned_domain where domain = ?', [ctx.target]);
      const left = (await ctx.raw('select domain from md_provisioned_domain where domain = ?', [
        ctx.target,
      ])) as unknown[];
      if (left.length === 0) throw new Error('the provisioning record of another domain was deleted');
    },
  },
];
