// Two app instances registering one domain's digest at once: the loser of the race may hit the
// `digest` unique index (ON CONFLICT arbitrates on `domain` only); registerDomains retries it.
import { injectPostgresUrl, startPostgres } from '@md/testing/postgres';
import { MikroORM } from '@mikro-orm/postgresql';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareSigning, registerDomains } from '../src/postgres-rls.js';

describe('registering domain digests (PostgreSQL)', () => {
  let orm: MikroORM;
  let em: SqlEntityManager;

  beforeAll(async () => {
    const url = await (await startPostgres({ url: injectPostgresUrl() })).createDatabase('md_row_register');
    orm = await MikroORM.init({
      clientUrl: url,
      dbName: new URL(url).pathname.slice(1),
      entities: [],
      discovery: { warnWhenNoEntities: false },
      allowGlobalContext: true,
    });
    em = orm.em.fork() as unknown as SqlEntityManager;
    await prepareSigning(em);
  });

  afterAll(async () => {
    await orm?.close(true);
  });

  const digests = async (domain: string) =>
    Number(
      (
        (await em
          .getConnection()
          .execute('select count(*)::int as n from public.md_domain_key where domain = ?', [
            domain,
          ])) as Array<{ n: number }>
      )[0]!.n,
    );

  /** The driver's own error for a duplicate digest: what the losing instance sees. */
  async function duplicateDigestError(): Promise<unknown> {
    await registerDomains(em, 'select ?::varchar(64) as domain', ['first']);
    try {
      await em
        .getConnection()
        .execute(
          `insert into public.md_domain_key (domain, digest) select 'other', digest from public.md_domain_key where domain = 'first'`,
        );
    } catch (error) {
      return error;
    }
    throw new Error('expected a unique violation');
  }

  it('retries the upsert after a unique violation on the digest (the race the twin-provisioning test met), and only that', async () => {
    const violation = await duplicateDigestError();
    const connection = em.getConnection();
    const execute = connection.execute.bind(connection);
    let failures = 1;
    connection.execute = (async (...args: Parameters<typeof execute>) => {
      if (failures-- > 0) throw violation;
      return execute(...args);
    }) as typeof connection.execute;
    try {
      await registerDomains(em, 'select ?::varchar(64) as domain', ['raced']);
      expect(await digests('raced')).toBe(1);
      failures = 1;
      const other = new Error('connection lost');
      connection.execute = (async () => {
        throw other;
      }) as typeof connection.execute;
      await expect(registerDomains(em, 'select ?::varchar(64) as domain', ['lost'])).rejects.toBe(other);
    } finally {
      connection.execute = execute;
    }
  });
});
