// The signed setting sent with every statement in the same batch (one Sync): what the
// server and node-postgres must do for it to be sound, checked against the installed ones.
import { randomUUID } from 'node:crypto';
import { createSite, type Site } from '@md/core';
import { injectPostgresUrl, startPostgres } from '@md/testing/postgres';
import { type ConformanceEntities, createConformanceEntities } from '@md/testing/strategy';
import type { EntityManager } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rowLevel } from '../src/index.js';
import {
  CHECKOUT_SQL,
  type PgClient,
  PREFIX_NAME,
  patchClient,
  SESSION_SQL,
} from '../src/pipelined-setting.js';

type Raw = (sql: string, params?: unknown[]) => Promise<pg.QueryResult>;

describe('the setting batched with each statement (node-postgres, PostgreSQL)', () => {
  let url: string;
  let client: pg.Client;
  /** The client's own query, from before the patch: no setting added. */
  let raw: Raw;
  let patched: Raw;

  beforeAll(async () => {
    url = await (await startPostgres({ url: injectPostgresUrl() })).createDatabase('md_row_pipelined');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query('create table if not exists md_pipe (v int)');
    await admin.end();
  });

  const connect = async (token: string) => {
    await client?.end();
    client = new pg.Client({ connectionString: url });
    await client.connect();
    raw = client.query.bind(client) as Raw;
    patchClient(client as unknown as PgClient);
    patched = client.query.bind(client) as Raw;
    await patched(CHECKOUT_SQL, [token]);
  };
  const setting = async () =>
    (await raw(`select coalesce(current_setting('md.domain', true), '') as v`)).rows[0].v as string;
  const count = async () => Number((await raw('select count(*)::int as n from md_pipe')).rows[0].n);

  afterEach(async () => {
    await client?.end();
    client = undefined as unknown as pg.Client;
  });

  it('the setting holds for the statement only: an implicit extended-protocol transaction ends at its Sync', async () => {
    await connect('tok-a');
    const { rows } = await patched(
      `select current_setting('md.domain') as v, current_setting('search_path') as p`,
    );
    expect(rows).toEqual([{ v: 'tok-a', p: 'public' }]);
    expect(await setting()).toBe('');
    // Parameterless statements are batched too (extended mode), not sent as a simple Query.
    expect((await patched(`select current_setting('md.domain') as v`)).rows).toEqual([{ v: 'tok-a' }]);
    expect(await setting()).toBe('');
  });

  it('a BEGIN batched after the setting keeps it until COMMIT (the implicit transaction becomes the explicit one)', async () => {
    await connect('tok-b');
    await patched('begin');
    expect(client.getTransactionStatus()).toBe('T');
    expect(await setting()).toBe('tok-b');
    await raw('select 1');
    expect(await setting()).toBe('tok-b');
    await raw('commit');
    expect(await setting()).toBe('');
    // A checkout that finds a transaction open (left by an earlier one): set for the rest of it, gone with it.
    await raw('begin');
    await patched(CHECKOUT_SQL, ['tok-b']);
    await patched('select 1');
    expect(await setting()).toBe('tok-b');
    await raw('rollback');
    expect(await setting()).toBe('');
  });

  it('inside a transaction its prefixed BEGIN opened, statements go as they are; a forged value then matches nothing', async () => {
    await connect('tok-t');
    await patched('begin');
    await patched(`select set_config('md.domain', 'forged', true)`);
    // Not sent again: the forged value stays (md_current_domain() answers NULL for it: no row).
    expect((await patched(`select current_setting('md.domain') as v`)).rows).toEqual([{ v: 'forged' }]);
    await patched('rollback');
    expect((await patched(`select current_setting('md.domain') as v`)).rows).toEqual([{ v: 'tok-t' }]);
  });

  it('after COMMIT AND CHAIN or ROLLBACK TO SAVEPOINT the next statement carries the setting again', async () => {
    await connect('tok-c1');
    await patched('begin');
    await patched('commit and chain');
    expect(client.getTransactionStatus()).toBe('T');
    // The chained transaction starts without the local setting: the next statement brings it.
    expect((await patched(`select current_setting('md.domain', true) as v`)).rows).toEqual([{ v: 'tok-c1' }]);
    await patched('savepoint s');
    await patched(`select set_config('md.domain', 'forged', true)`);
    await patched('rollback to savepoint s');
    expect((await patched(`select current_setting('md.domain', true) as v`)).rows).toEqual([{ v: 'tok-c1' }]);
    await patched('rollback');
  });

  it('a checkout that finds its connection inside a transaction sends the setting with every statement', async () => {
    await connect('tok-x');
    await raw('begin');
    await raw(`select set_config('md.domain', 'tok-earlier', false)`);
    await raw('savepoint s');
    await patched(CHECKOUT_SQL, ['tok-y']);
    expect((await patched(`select current_setting('md.domain') as v`)).rows).toEqual([{ v: 'tok-y' }]);
    await patched('rollback to savepoint s');
    expect((await patched(`select current_setting('md.domain') as v`)).rows).toEqual([{ v: 'tok-y' }]);
    await patched(`select set_config('md.domain', 'forged', true)`);
    expect((await patched(`select current_setting('md.domain') as v`)).rows).toEqual([{ v: 'tok-y' }]);
    await patched('rollback');
  });

  it('the prefix is prepared once per connection, and again after DEALLOCATE ALL, DISCARD ALL or a failure of its own', async () => {
    await connect('tok-p');
    const prepared = async () =>
      Number(
        (await raw(`select count(*)::int as n from pg_prepared_statements where name = '${PREFIX_NAME}'`))
          .rows[0].n,
      );
    await patched('select 1');
    expect(await prepared()).toBe(1);
    await patched('select 2');
    expect(await prepared()).toBe(1);
    await patched('deallocate all');
    expect((await patched(`select current_setting('md.domain') as v`)).rows).toEqual([{ v: 'tok-p' }]);
    await patched('discard all');
    expect((await patched(`select current_setting('md.domain') as v`)).rows).toEqual([{ v: 'tok-p' }]);
    // Dropped behind md's back (the raw client): that one statement fails, closed; the next parses it again.
    await raw(`deallocate ${PREFIX_NAME}`);
    await expect(patched('select 3')).rejects.toThrow(/does not exist/);
    expect((await patched(`select current_setting('md.domain') as v`)).rows).toEqual([{ v: 'tok-p' }]);
    expect(await prepared()).toBe(1);
  });

  it('the setting and its statement leave in one write to the socket', async () => {
    client = new pg.Client({ connectionString: url });
    await client.connect();
    const stream = (client as unknown as { connection: { stream: { write: (...a: unknown[]) => boolean } } })
      .connection.stream;
    const write = stream.write;
    let writes = 0;
    stream.write = function (this: unknown, ...args: unknown[]) {
      writes++;
      return write.apply(this, args);
    };
    patchClient(client as unknown as PgClient);
    const query = client.query.bind(client) as Raw;
    await query(CHECKOUT_SQL, ['tok-w']);
    writes = 0;
    expect((await query(`select current_setting('md.domain') as v`)).rows).toEqual([{ v: 'tok-w' }]);
    expect(writes).toBe(1);
    await query('select $1::int as n', [1]);
    expect(writes).toBe(2);
  });

  it('when set_config fails the statement never runs, in or out of a transaction, and the connection stays usable', async () => {
    // A NUL byte: the server refuses the bound value, so the prefix itself fails.
    await connect('bad\u0000token');
    const before = await count();
    await expect(patched('insert into md_pipe (v) values ($1)', [1])).rejects.toThrow();
    await expect(patched('insert into md_pipe (v) values (1)')).rejects.toThrow();
    expect(await count()).toBe(before);
    await raw('begin');
    await patched(CHECKOUT_SQL, ['bad\u0000token']);
    await expect(patched('insert into md_pipe (v) values (2)')).rejects.toThrow();
    await expect(raw('select 1')).rejects.toThrow(/aborted/);
    // In the failed transaction the setting is not sent (it would be refused, and the ROLLBACK with it).
    await patched('rollback');
    expect(client.getTransactionStatus()).toBe('I');
    expect(await count()).toBe(before);
    await patched(CHECKOUT_SQL, ['tok-c']);
    expect((await patched(`select current_setting('md.domain') as v`)).rows).toEqual([{ v: 'tok-c' }]);
  });

  it('sent with a Sync of its own (what md does not do), a failed set_config lets the statement run: the check above can fail', async () => {
    await connect('unused');
    const before = await count();
    const set = raw(SESSION_SQL, ['bad\u0000token']).catch((e: unknown) => e);
    const insert = raw('insert into md_pipe (v) values (3)');
    expect(await set).toBeInstanceOf(Error);
    await insert;
    expect(await count()).toBe(before + 1);
  });

  it('several statements in one string get the setting in a round trip of their own, awaited first', async () => {
    await connect('tok-d');
    const results = (await patched(
      `select 1 as one; select current_setting('md.domain') as v`,
    )) as unknown as pg.QueryResult[];
    expect(results[1]!.rows).toEqual([{ v: 'tok-d' }]);
    await connect('bad\u0000token');
    const before = await count();
    await expect(patched('insert into md_pipe (v) values (4); select 1')).rejects.toThrow();
    expect(await count()).toBe(before);
  });

  it('statements PostgreSQL runs only alone in their batch (VACUUM, DISCARD ALL) get the setting in a round trip of their own', async () => {
    await connect('tok-e');
    await patched('vacuum md_pipe');
    await patched('discard all');
    expect(await setting()).toBe('');
    await patched('  VACUUM (analyze) md_pipe');
    expect(await setting()).toBe('tok-e');
  });

  it('the checkout statement fails on a client md did not patch: the checkout fails closed', async () => {
    client = new pg.Client({ connectionString: url });
    await client.connect();
    await expect(client.query(CHECKOUT_SQL, ['tok'])).rejects.toThrow(/does not exist/);
  });
});

describe('row-level on postgres: what one request leaves on the connection', () => {
  let site: Site<EntityManager>;
  let e: ConformanceEntities;

  beforeAll(async () => {
    const url = await (await startPostgres({ url: injectPostgresUrl() })).createDatabase('md_row_leftover');
    e = createConformanceEntities();
    site = await createSite<EntityManager>({
      isolation: rowLevel({
        driver: PostgreSqlDriver,
        url,
        entities: [e.Owner, e.Item, e.Tag, e.Plan],
        shared: [e.Plan],
        poolSize: 1,
      }),
      domains: [{ name: 'alpha' }, { name: 'beta' }],
    });
    for (const name of ['alpha', 'beta']) {
      await site.provision(name);
      await site.run(name, async () => {
        site.em.create(e.Item, { id: randomUUID(), name: `${name}-0`, tag: 'left', qty: 0 });
        await site.em.flush();
      });
    }
  });

  afterAll(async () => {
    await site?.close();
  });

  const sql = (domain: string, text: string) =>
    site.run(domain, () => site.em.getConnection().execute(text)) as Promise<Array<Record<string, unknown>>>;
  const names = async (domain: string) =>
    (await sql(domain, `select name from md_item where tag = 'left' order by name`)).map((r) => r.name);

  it('a transaction left open by raw SQL, with the domain’s own token set session-wide and a savepoint, gives the next domain nothing of it', async () => {
    await sql('alpha', 'begin');
    await sql('alpha', `select set_config('md.domain', current_setting('md.domain'), false)`);
    await sql('alpha', 'savepoint s');
    // beta's statements run inside alpha's open transaction (one connection), each with beta's setting.
    expect(await names('beta')).toEqual(['beta-0']);
    await sql('beta', 'rollback to savepoint s');
    expect(await names('beta')).toEqual(['beta-0']);
    await sql('beta', 'rollback');
    expect(await names('beta')).toEqual(['beta-0']);
    expect(await names('alpha')).toEqual(['alpha-0']);
    const [row] = await sql('beta', `select public.md_current_domain() as d`);
    expect(row!.d).toBe('beta');
  });

  it('a MikroORM transaction sees its domain, a value forged inside it matches none, and a failed one leaves no setting', async () => {
    type Trx = { execute(sql: string): Promise<unknown[]> };
    const transactional = <T>(cb: (trx: Trx) => Promise<T>) =>
      (site.em as unknown as { transactional(cb: (trx: Trx) => Promise<T>): Promise<T> }).transactional(cb);
    const inside = await site.run('alpha', () =>
      transactional(async (trx) => {
        const a = await trx.execute(`select public.md_current_domain() as d`);
        await trx.execute(`select set_config('md.domain', 'forged', true)`);
        const b = await trx.execute(`select public.md_current_domain() as d`);
        return [a, b];
      }),
    );
    // The BEGIN carried the setting, the statements after it go as they are: the forged value matches no domain.
    expect(inside).toEqual([[{ d: 'alpha' }], [{ d: null }]]);
    await expect(site.run('beta', () => transactional((trx) => trx.execute('select 1/0')))).rejects.toThrow();
    expect(await names('alpha')).toEqual(['alpha-0']);
  });
});
