import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Site } from '@md/core';
import { parseCookieHeader, readRequestBody } from '@md/core/http';
import { mdExpress } from '@md/express';
import { mdFastify, mdRewriteUrl } from '@md/fastify';
import { mdKoa } from '@md/koa';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import type { StorefrontApp } from './app.js';

export type AdapterName = 'express' | 'fastify' | 'koa';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_FORM_BYTES = 64 * 1024;

/** Reads an urlencoded form body from the raw request (Express and Koa; Fastify parses its own). */
export async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return {};
  return Object.fromEntries(new URLSearchParams(await readRequestBody(req, MAX_FORM_BYTES)));
}

/** One log line per request, written inside the request's domain: it names the domain. */
function logRequest(app: StorefrontApp, method: string, path: string, status: number, started: number): void {
  const ms = performance.now() - started;
  app.log().info({ method, path, status, ms: Math.round(ms * 10) / 10 }, 'request');
}

function queryOf(url: string | undefined): URLSearchParams {
  const q = (url ?? '').indexOf('?');
  return new URLSearchParams(q < 0 ? '' : (url ?? '').slice(q + 1));
}

/**
 * Serves the storefront with the chosen framework and md adapter on
 * 127.0.0.1 (port 0 picks a free one). The app is the same in all three.
 */
export async function startServer(
  adapter: AdapterName,
  site: Site<unknown>,
  app: StorefrontApp,
  { port = 0, host = '127.0.0.1' }: { port?: number; host?: string } = {},
): Promise<RunningServer> {
  if (adapter === 'express') {
    const ex = express();
    ex.disable('x-powered-by');
    ex.use(mdExpress(site));
    ex.use(async (req, res) => {
      const started = performance.now();
      const answer = await app.handle({
        method: req.method,
        path: req.path,
        query: queryOf(req.url),
        form: () => readForm(req),
        cookies: parseCookieHeader(req.headers.cookie),
      });
      res.status(answer.status).set(answer.headers);
      if (answer.cookies.length > 0) res.setHeader('set-cookie', answer.cookies);
      res.send(answer.body);
      logRequest(app, req.method, req.originalUrl, answer.status, started);
    });
    return listen(ex.listen(port, host));
  }
  if (adapter === 'fastify') {
    const fa = Fastify({ rewriteUrl: mdRewriteUrl(site) });
    await fa.register(mdFastify, { site });
    fa.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: MAX_FORM_BYTES },
      (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      },
    );
    fa.route({
      method: ['GET', 'POST'],
      url: '/*',
      handler: async (request, reply) => {
        const started = performance.now();
        const answer = await app.handle({
          method: request.method,
          path: request.url.split('?')[0] ?? '/',
          query: queryOf(request.url),
          form: async () => (request.body as Record<string, string> | undefined) ?? {},
          cookies: parseCookieHeader(request.headers.cookie),
        });
        reply.code(answer.status).headers(answer.headers);
        if (answer.cookies.length > 0) reply.header('set-cookie', answer.cookies);
        logRequest(app, request.method, request.originalUrl, answer.status, started);
        return reply.send(answer.body);
      },
    });
    await fa.listen({ port, host });
    return listen(fa.server, () => fa.close());
  }
  const koa = new Koa();
  koa.use(mdKoa(site));
  koa.use(async (ctx) => {
    const started = performance.now();
    const answer = await app.handle({
      method: ctx.method,
      path: ctx.path,
      query: queryOf(ctx.url),
      form: () => readForm(ctx.req),
      cookies: parseCookieHeader(ctx.get('cookie')),
    });
    ctx.status = answer.status;
    ctx.set(answer.headers);
    if (answer.cookies.length > 0) ctx.set('set-cookie', answer.cookies);
    ctx.body = answer.body;
    logRequest(app, ctx.method, ctx.originalUrl, answer.status, started);
  });
  return listen(koa.listen(port, host));
}

async function listen(server: Server, close?: () => Promise<void>): Promise<RunningServer> {
  if (!server.listening) await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: close ?? (() => new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}
