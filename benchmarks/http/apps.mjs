// The app under test, per framework, in four variants. All answer
// GET /hello with a small JSON body naming the domain:
//  - bare:   the framework alone (the domain is the Host header as sent);
//  - floor:  the least any tenancy layer pays, written by hand in the same
//            app, no md: a `Map` lookup of the Host among 100 domains (the
//            host resolver's job) and one `AsyncLocalStorage.run` around the
//            rest of the request; the handler reads the domain from the store;
//  - md:     md's adapter with the default site: the host resolver among the
//            same 100 domains, the domain context, and a real isolation
//            strategy configured (row-level on a SQLite file) that the
//            handler never touches — lazy data access costs nothing until
//            used, which is what this comparison checks;
//  - md+obs: the same with the @md/observability plugin on (a pino logger per
//            domain, prom-client counter and histogram per domain recorded
//            on every response); the handler is the same as md's.
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSite } from '@md/core';
import { mdExpress } from '@md/express';
import { mdFastify, mdRewriteUrl } from '@md/fastify';
import { rowLevel } from '@md/isolation-row';
import { mdKoa } from '@md/koa';
import { observability } from '@md/observability';
import { hostResolver } from '@md/resolvers';
import { EntitySchema } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sql';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';

export const FRAMEWORKS = ['express', 'fastify', 'koa'];
export const VARIANTS = ['bare', 'floor', 'md', 'md+obs'];
export const DOMAINS = 100;
export const hostOf = (i) => `store-${i}.example`;

/** The md site of the md and md+obs variants; `close()` also removes its SQLite folder. */
export async function createMdSite({ obs = false } = {}) {
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
    plugins: obs ? [observability()] : [],
  });
  return {
    site,
    close: async () => {
      await site.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The floor's whole tenancy layer: a Map of the 100 hosts and one AsyncLocalStorage. */
function createFloor() {
  const domains = new Map(Array.from({ length: DOMAINS }, (_, i) => [hostOf(i), { name: `store-${i}` }]));
  const storage = new AsyncLocalStorage();
  return { domains, storage, current: () => storage.getStore().name };
}

const UNKNOWN = { error: 'unknown host' };

/**
 * Builds one variant's app; returns `{ dispatch }` (a `(req, res)` listener)
 * for Express/Koa or `{ fastify }` for Fastify, and `close()`.
 */
export async function createApp(framework, variant) {
  if (!VARIANTS.includes(variant)) throw new TypeError(`unknown variant ${variant}`);
  const md =
    variant === 'md' || variant === 'md+obs' ? await createMdSite({ obs: variant === 'md+obs' }) : undefined;
  const floor = variant === 'floor' ? createFloor() : undefined;
  const site = md?.site;
  const close = async () => md?.close();
  if (framework === 'express') {
    const app = express();
    if (site !== undefined) {
      app.use(mdExpress(site));
      app.get('/hello', (_req, res) => {
        res.json({ hello: 'world', domain: site.currentDomain });
      });
    } else if (floor !== undefined) {
      app.use(function floorMiddleware(req, res, next) {
        const domain = floor.domains.get(req.headers.host);
        if (domain === undefined) return res.status(404).json(UNKNOWN);
        floor.storage.run(domain, next);
      });
      app.get('/hello', (_req, res) => {
        res.json({ hello: 'world', domain: floor.current() });
      });
    } else {
      app.get('/hello', (req, res) => {
        res.json({ hello: 'world', domain: req.headers.host });
      });
    }
    return { dispatch: app, close };
  }
  if (framework === 'fastify') {
    const app = site !== undefined ? Fastify({ rewriteUrl: mdRewriteUrl(site) }) : Fastify();
    if (site !== undefined) {
      await app.register(mdFastify, { site });
      app.get('/hello', async () => ({ hello: 'world', domain: site.currentDomain }));
    } else if (floor !== undefined) {
      app.addHook('onRequest', function floorOnRequest(request, reply, done) {
        const domain = floor.domains.get(request.headers.host);
        if (domain === undefined) return reply.code(404).send(UNKNOWN);
        floor.storage.run(domain, done);
      });
      app.get('/hello', async () => ({ hello: 'world', domain: floor.current() }));
    } else {
      app.get('/hello', async (request) => ({ hello: 'world', domain: request.headers.host }));
    }
    await app.ready();
    return {
      fastify: app,
      close: async () => {
        await app.close();
        await close();
      },
    };
  }
  if (framework === 'koa') {
    const app = new Koa();
    if (site !== undefined) {
      app.use(mdKoa(site));
      app.use(async (ctx) => {
        ctx.body = { hello: 'world', domain: site.currentDomain };
      });
    } else if (floor !== undefined) {
      app.use(function floorMiddleware(ctx, next) {
        const domain = floor.domains.get(ctx.req.headers.host);
        if (domain === undefined) {
          ctx.status = 404;
          ctx.body = UNKNOWN;
          return undefined;
        }
        return floor.storage.run(domain, next);
      });
      app.use(async (ctx) => {
        ctx.body = { hello: 'world', domain: floor.current() };
      });
    } else {
      app.use(async (ctx) => {
        ctx.body = { hello: 'world', domain: ctx.get('host') };
      });
    }
    return { dispatch: app.callback(), close };
  }
  throw new TypeError(`unknown framework ${framework}`);
}
