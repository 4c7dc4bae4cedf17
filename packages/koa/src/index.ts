import { assertFeature, type DomainProxy, type Site } from '@md/core';
import {
  type AdapterOptions,
  type HttpAnswer,
  handleRequest,
  type RequestOutcome,
  toHttpAnswer,
  withPath,
} from '@md/core/http';
import type Koa from 'koa';

declare module 'koa' {
  interface DefaultState {
    /** The domain md resolved for this request (set by `mdKoa`, for every middleware below it). */
    domain: DomainProxy;
  }
}

/**
 * Koa 2 and 3 middleware: resolves the request's domain (`handleRequest`),
 * sets `ctx.state.domain`, rewrites `ctx.url` to the clean path in path
 * mode (the query string is kept), adds the headers the site's policies
 * asked for and runs every later middleware inside the domain context, so
 * `site.currentDomain` and `site.em` answer for it across awaits. md's own
 * answers (errors, the admin plugin) are sent as they are.
 * Cookies: `ctx.cookies.set(name, value, cookieOptions())`.
 *
 * @example
 * const app = new Koa();
 * app.use(mdKoa(site));
 * app.use(async (ctx) => {
 *   ctx.body = { domain: ctx.state.domain.name };
 * });
 */
export function mdKoa(site: Site, options: AdapterOptions = {}): Koa.Middleware {
  // Not an async function: with a synchronous site this adds no promise of its own, only next()'s.
  return function mdKoaMiddleware(ctx, next) {
    const outcome = handleRequest(site, ctx.req, ctx.res, 'koa', options);
    if (!(outcome instanceof Promise)) return proceed(site, outcome, ctx, next);
    return outcome.then((settled) => proceed(site, settled, ctx, next));
  };
}

/** Sends md's answer, or runs every later middleware inside the domain. */
function proceed(
  site: Site,
  outcome: RequestOutcome,
  ctx: Koa.Context,
  next: Koa.Next,
): Promise<void> | undefined {
  const { answer, resolved } = outcome;
  if (answer !== undefined) return send(ctx, answer);
  // Most requests have none: no iterator for an empty list.
  if (resolved.headers.length > 0) for (const [name, value] of resolved.headers) ctx.set(name, value);
  if (resolved.rewritten) ctx.url = withPath(ctx.url, resolved.path);
  ctx.state.domain = resolved.domain;
  return site.runResolved(resolved, next);
}

/**
 * Route guard for a feature flag (`assertFeature`): a domain without the
 * feature gets `403 FEATURE_DISABLED`.
 *
 * @example
 * router.get('/reports', requireFeature('reports'), async (ctx) => { ctx.body = report(); });
 */
export function requireFeature(feature: string): Koa.Middleware {
  return async function mdRequireFeature(ctx, next) {
    try {
      assertFeature(feature);
    } catch (error) {
      return send(ctx, toHttpAnswer(error));
    }
    await next();
  };
}

function send(ctx: Koa.Context, { status, headers, body }: HttpAnswer): undefined {
  ctx.status = status;
  for (const [name, value] of headers) ctx.set(name, value);
  ctx.body = body;
  return undefined;
}
