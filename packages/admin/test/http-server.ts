import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Site } from '@md/core';
import { toHttpAnswer } from '@md/core/http';
import { mdExpress } from '@md/express';
import { mdFastify, mdRewriteUrl } from '@md/fastify';
import { mdKoa } from '@md/koa';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';

/** The md adapters the admin API's HTTP tests run through. */
export type AdapterName = 'express' | 'fastify' | 'koa';

/**
 * Serves a site through a real md adapter: the site's admin plugin answers
 * under its prefix (through the adapter's `handleRequest`); every other
 * request is resolved by the site and answered by `handler` inside the domain.
 */
export async function serveSite(
  site: Site,
  handler: () => Promise<unknown>,
  adapter: AdapterName,
): Promise<{ url: string; close(): Promise<void> }> {
  const answer = async (): Promise<{ status: number; body: unknown }> => {
    try {
      return { status: 200, body: await handler() };
    } catch (error) {
      return toHttpAnswer(error);
    }
  };
  if (adapter === 'fastify') {
    const app = Fastify({ rewriteUrl: mdRewriteUrl(site) });
    await app.register(mdFastify, { site });
    app.all('/*', async (_request, reply) => {
      const { status, body } = await answer();
      return reply.code(status).send(body);
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, close: () => app.close() };
  }
  let server: Server;
  if (adapter === 'express') {
    const app = express();
    app.use(mdExpress(site));
    app.use(async (_req, res) => {
      const { status, body } = await answer();
      res.status(status).json(body);
    });
    server = createServer(app);
  } else {
    const app = new Koa();
    app.use(mdKoa(site));
    app.use(async (ctx) => {
      const { status, body } = await answer();
      ctx.status = status;
      ctx.body = body;
    });
    server = createServer(app.callback());
  }
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
