// The app under test, per framework, bare or with md. Both answer
// GET /hello with a small JSON body naming the domain; the md app resolves
// the Host among 100 registered domains, runs the handler inside the domain
// context and has a real isolation strategy configured (row-level on a
// SQLite file) that the handler never touches: lazy data access costs
// nothing until used, which is what this comparison checks.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSite } from '@md/core';
import { mdExpress } from '@md/express';
import { mdFastify, mdRewriteUrl } from '@md/fastify';
import { rowLevel } from '@md/isolation-row';
import { mdKoa } from '@md/koa';
import { hostResolver } from '@md/resolvers';
import { EntitySchema } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sql';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';

export const FRAMEWORKS = ['express', 'fastify', 'koa'];
export const DOMAINS = 100;
export const hostOf = (i) => `store-${i}.example`;

export async function createMdSite() {
  const Note = new EntitySchema({
    name: 'Note',
    tableName: 'bench_note',
    properties: { id: { type: 'integer', primary: true }, body: { type: 'string' } },
  });
  const dir = mkdtempSync(join(tmpdir(), 'md-bench-http-'));
  const site = await createSite({
    resolvers: [hostResolver()],
    domains: Array.from({ length: DOMAINS }, (_, i) => ({ name: `store-${i}`, hosts: [hostOf(i)] })),
    isolation: rowLevel({ driver: SqliteDriver, dbName: join(dir, 'rows.sqlite'), entities: [Note] }),
  });
  return site;
}

/** Builds the app; returns `{ dispatch }` (a `(req, res)` listener) for Express/Koa, `{ fastify }` for Fastify. */
export async function createApp(framework, variant, site) {
  const md = variant === 'md';
  if (framework === 'express') {
    const app = express();
    if (md) {
      app.use(mdExpress(site));
      app.get('/hello', (_req, res) => {
        res.json({ hello: 'world', domain: site.currentDomain });
      });
    } else {
      app.get('/hello', (req, res) => {
        res.json({ hello: 'world', domain: req.headers.host });
      });
    }
    return { dispatch: app };
  }
  if (framework === 'fastify') {
    const app = md ? Fastify({ rewriteUrl: mdRewriteUrl(site) }) : Fastify();
    if (md) {
      await app.register(mdFastify, { site });
      app.get('/hello', async () => ({ hello: 'world', domain: site.currentDomain }));
    } else {
      app.get('/hello', async (request) => ({ hello: 'world', domain: request.headers.host }));
    }
    await app.ready();
    return { fastify: app };
  }
  if (framework === 'koa') {
    const app = new Koa();
    if (md) app.use(mdKoa(site));
    app.use(async (ctx) => {
      ctx.body = { hello: 'world', domain: md ? site.currentDomain : ctx.get('host') };
    });
    return { dispatch: app.callback() };
  }
  throw new TypeError(`unknown framework ${framework}`);
}
