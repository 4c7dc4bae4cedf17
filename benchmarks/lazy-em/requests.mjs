// The three request pipelines compared by the lazy-EM benchmark, run the
// way an adapter runs them (resolve, then runResolved + an async handler):
// `none`: a site with no isolation strategy; `lazy`: a row-level strategy
// (SQLite) configured, the handler touches no data; `eager`: the same
// site, but the handler touches `site.em` (the fork a framework would make
// if it opened the entity manager up front).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSite } from '@md/core';
import { rowLevel } from '@md/isolation-row';
import { hostResolver } from '@md/resolvers';
import { EntitySchema } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sql';

export const VARIANTS = ['none', 'lazy', 'eager'];
const DOMAINS = 100;

function requestLike(i) {
  const host = `store-${i % DOMAINS}.example`;
  return {
    host,
    path: '/hello',
    headers: { get: (name) => (name === 'host' ? host : undefined) },
    query: new URLSearchParams(),
    cookies: {},
    ip: '127.0.0.1',
    kind: 'custom',
  };
}

export async function createPipelines() {
  const Note = new EntitySchema({
    name: 'Note',
    tableName: 'bench_note',
    properties: { id: { type: 'integer', primary: true }, body: { type: 'string' } },
  });
  const domains = Array.from({ length: DOMAINS }, (_, i) => ({
    name: `store-${i}`,
    hosts: [`store-${i}.example`],
  }));
  const plain = await createSite({ resolvers: [hostResolver()], domains });
  const dir = mkdtempSync(join(tmpdir(), 'md-bench-lazy-'));
  const withData = await createSite({
    resolvers: [hostResolver()],
    domains,
    isolation: rowLevel({ driver: SqliteDriver, dbName: join(dir, 'rows.sqlite'), entities: [Note] }),
  });
  const requests = Array.from({ length: DOMAINS }, (_, i) => requestLike(i));
  const handler = (site, touch) => async () => {
    if (touch) {
      void site.em;
      if (!site.emOpened) throw new Error('eager variant: site.em did not open');
    } else if (site.emOpened) throw new Error('lazy variant opened an entity manager');
    await null;
    return JSON.stringify({ hello: 'world', domain: site.currentDomain });
  };
  const make = (site, touch) => {
    const fn = handler(site, touch);
    return async (i) => {
      const resolved = await site.resolve(requests[i % DOMAINS]);
      const body = await site.runResolved(resolved, fn);
      return body.length;
    };
  };
  return {
    sites: [plain, withData],
    pipelines: { none: make(plain, false), lazy: make(withData, false), eager: make(withData, true) },
  };
}
