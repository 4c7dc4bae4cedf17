import type { AdapterOptions, DomainProxy, ResolvedRequest, Site } from '@md/core';
import { createRequestLike, toErrorResponse } from '@md/core';
import type Koa from 'koa';

declare module 'koa' {
  interface DefaultState {
    /** The domain md resolved for this request (set by `mdKoa`, for every middleware below it). */
    domain: DomainProxy;
  }
}

/**
 * Koa 2 and 3 middleware: resolves the request's domain, sets
 * `ctx.state.domain`, rewrites `ctx.path` to the clean path in path mode (the
 * query string is kept), adds the debug header and runs every later
 * middleware inside the domain context, so `site.currentDomain` and `site.em`
 * answer for it across awaits. Resolution errors end the request with core's
 * status and JSON body `{ error: { code, message } }`.
 * Cookies: `ctx.cookies.set(name, value, site.cookieOptions())`.
 *
 * @example
 * const app = new Koa();
 * app.use(mdKoa(site));
 * app.use(async (ctx) => {
 *   ctx.body = { domain: ctx.state.domain.name };
 * });
 */
export function mdKoa(site: Site, options: AdapterOptions = {}): Koa.Middleware {
  return async function mdKoaMiddleware(ctx, next) {
    let resolved: ResolvedRequest;
    try {
      resolved = await site.resolve(createRequestLike(ctx.req, 'koa', options));
    } catch (error) {
      const { status, body } = toErrorResponse(error);
      ctx.status = status;
      ctx.body = body;
      return;
    }
    for (const [name, value] of resolved.headers) ctx.set(name, value);
    if (resolved.rewritten) ctx.path = resolved.path;
    ctx.state.domain = resolved.domain;
    await site.runResolved(resolved, next);
  };
}
