import type { IncomingMessage } from 'node:http';
import { type Awaitable, assertFeature, type DomainProxy, MdError, type Site } from '@md/core';
import type { AdapterOptions, EarlyLocation, HttpAnswer } from '@md/core/http';
import {
  handleRequest,
  locateEarly,
  type RequestOutcome,
  takeEarly,
  toHttpAnswer,
  withPath,
} from '@md/core/http';
import type {
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  preHandlerAsyncHookHandler,
} from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** The domain md resolved for this request (set by `mdFastify` in `onRequest`). */
    domain: DomainProxy;
  }
}

/**
 * Options of {@link mdFastify}: the site, plus the options every md adapter shares.
 *
 * @example
 * await app.register(mdFastify, { site, trustForwardedHost: true });
 */
export interface MdFastifyOptions extends AdapterOptions {
  site: Site;
}

const LATE_REWRITE =
  'path mode needs the server option Fastify({ rewriteUrl: mdRewriteUrl(site) }) and resolvers that answer synchronously: Fastify routes before it can wait';
/**
 * Fastify's `rewriteUrl` server option for path mode: locates the domain
 * before routing (`locateEarly`, synchronous when every resolver is) so
 * `/stores/acme/shop/products` is routed as `/shop/products`, query kept,
 * and every request on md's one normalised path. `mdFastify` runs the
 * policies on that location in `onRequest` (give both the same options); a
 * failure is answered there, as JSON: a request md refuses is routed on `/`,
 * so Fastify's router never answers it first (a bad URL).
 *
 * @example
 * const app = Fastify({ rewriteUrl: mdRewriteUrl(site) });
 * await app.register(mdFastify, { site });
 */
export function mdRewriteUrl(site: Site, options: AdapterOptions = {}): (req: IncomingMessage) => string {
  return function mdRewrite(req) {
    const url = req.url ?? '/';
    // Kept on req for mdFastify's onRequest (takeEarly): rewriteUrl runs before routing, onRequest after it.
    const early = locateEarly(site, req, 'fastify', options);
    if (early instanceof Promise) return url;
    if (!('located' in early)) return '/';
    return early.located.rewritten ? withPath(url, early.located.path) : url;
  };
}

const plugin: FastifyPluginCallback<MdFastifyOptions> = (app, { site, ...options }, done) => {
  app.decorateRequest('domain', null as unknown as DomainProxy);
  app.addHook('onRequest', function mdOnRequest(request, reply, next) {
    const early = takeEarly(request.raw, site);
    const outcome = handleRequest(site, request.raw, reply.raw, 'fastify', options, early);
    if (outcome instanceof Promise) outcome.then((o) => proceed(site, o, early, request, reply, next), next);
    else proceed(site, outcome, early, request, reply, next);
  });
  done();
};

/** Sends md's answer, or runs the rest of the request inside the domain (never hand its value to Fastify). */
function proceed(
  site: Site,
  { answer, resolved, request: neutral }: RequestOutcome,
  early: Awaitable<EarlyLocation> | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
  next: HookHandlerDoneFunction,
): unknown {
  if (answer !== undefined) return send(reply, answer);
  // Routing is over: a clean path found only now was never routed, so say how to fix it.
  if ((early === undefined || early instanceof Promise) && resolved.path !== neutral.path) {
    return send(reply, toHttpAnswer(MdError.invalidOptions(LATE_REWRITE)));
  }
  // Most requests have none: no iterator for an empty list.
  if (resolved.headers.length > 0) for (const [name, value] of resolved.headers) reply.header(name, value);
  request.domain = resolved.domain;
  request.log = request.log.child({ domain: resolved.domain.name });
  reply.log = request.log;
  return site.runResolved(resolved, next);
}

/**
 * Fastify 5 plugin (wrapped with fastify-plugin, so not encapsulated: every
 * route of the app sees it). In `onRequest` it resolves the domain
 * (`handleRequest`), sets `request.domain`, binds the domain to Fastify's
 * own request logger, adds the headers the site's policies asked for and
 * runs the rest of the request inside the domain context. Path mode also
 * needs {@link mdRewriteUrl}.
 * Cookies: `reply.header('set-cookie', serializeCookie(name, value, cookieOptions()))`.
 *
 * @example
 * const app = Fastify({ rewriteUrl: mdRewriteUrl(site) });
 * await app.register(mdFastify, { site });
 * app.get('/hello', async (request) => ({ domain: request.domain.name }));
 */
export const mdFastify = fp(plugin, { name: '@md/fastify', fastify: '5.x' });

/**
 * Route guard for a feature flag (`assertFeature`), as a `preHandler`: a
 * domain without the feature gets `403 FEATURE_DISABLED`.
 *
 * @example
 * app.get('/reports', { preHandler: requireFeature('reports') }, async () => report());
 */
export function requireFeature(feature: string): preHandlerAsyncHookHandler {
  return async function mdRequireFeature(_request, reply) {
    try {
      assertFeature(feature);
    } catch (error) {
      return send(reply, toHttpAnswer(error));
    }
  };
}

function send(reply: FastifyReply, { status, headers, body }: HttpAnswer): FastifyReply {
  for (const [name, value] of headers) reply.header(name, value);
  return reply.code(status).send(body);
}
