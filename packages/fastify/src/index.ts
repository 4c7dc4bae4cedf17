import type { IncomingMessage } from 'node:http';
import type { AdapterOptions, DomainProxy, ResolvedRequest, Site } from '@md/core';
import { createRequestLike, MdError, toErrorResponse, withPath } from '@md/core';
import type { FastifyPluginCallback } from 'fastify';
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

const LATE_REWRITE = 'path mode needs the server option Fastify({ rewriteUrl: mdRewriteUrl(site) })';
const MISMATCH = 'mdRewriteUrl(site, options) and mdFastify { site, ...options } must get the same options';
// rewriteUrl runs before routing and onRequest after it: hand the resolution over per raw request.
type Handover = { site: Site; trust: boolean; resolved?: ResolvedRequest; error?: unknown };
const handover = new WeakMap<IncomingMessage, Handover>();

/**
 * Fastify's `rewriteUrl` server option for path mode: resolves the domain
 * before routing (synchronously, through `site.resolveSync`) so
 * `/stores/acme/shop/products` is routed as `/shop/products`, query kept.
 * `mdFastify` reuses that resolution (give both the same options); a
 * failure is answered there, as JSON.
 *
 * @example
 * const app = Fastify({ rewriteUrl: mdRewriteUrl(site) });
 * await app.register(mdFastify, { site });
 */
export function mdRewriteUrl(site: Site, options: AdapterOptions = {}): (req: IncomingMessage) => string {
  return function mdRewrite(req) {
    const url = req.url ?? '/';
    const trust = options.trustForwardedHost === true;
    try {
      const resolved = site.resolveSync(createRequestLike(req, 'fastify', options));
      handover.set(req, { site, trust, resolved });
      return resolved.rewritten ? withPath(url, resolved.path) : url;
    } catch (error) {
      handover.set(req, { site, trust, error });
      return url;
    }
  };
}

const plugin: FastifyPluginCallback<MdFastifyOptions> = (app, { site, ...options }, done) => {
  app.decorateRequest('domain', null as unknown as DomainProxy);
  app.addHook('onRequest', function mdOnRequest(request, reply, next) {
    const fail = (error: unknown) => {
      const { status, body } = toErrorResponse(error);
      reply.code(status).send(body);
    };
    const proceed = (resolved: ResolvedRequest) => {
      for (const [name, value] of resolved.headers) reply.header(name, value);
      request.domain = resolved.domain;
      site.runResolved(resolved, next);
    };
    const early = handover.get(request.raw);
    if (early?.site === site) {
      if (early.trust !== (options.trustForwardedHost === true))
        return fail(MdError.invalidOptions(MISMATCH));
      return early.resolved ? proceed(early.resolved) : fail(early.error);
    }
    site.resolve(createRequestLike(request.raw, 'fastify', options)).then(
      // Routing is over: a clean path found only now was never routed, so say how to fix it.
      (resolved) => (resolved.rewritten ? fail(MdError.invalidOptions(LATE_REWRITE)) : proceed(resolved)),
      fail,
    );
  });
  done();
};

/**
 * Fastify 5 plugin (wrapped with fastify-plugin, so not encapsulated: every
 * route of the app sees it). In `onRequest` it resolves the domain, sets
 * `request.domain`, adds the debug header and runs the rest of the request
 * inside the domain context. Path mode also needs {@link mdRewriteUrl}.
 * Cookies: `reply.header('set-cookie', serializeCookie(name, value, site.cookieOptions()))`.
 *
 * @example
 * const app = Fastify({ rewriteUrl: mdRewriteUrl(site) });
 * await app.register(mdFastify, { site });
 * app.get('/hello', async (request) => ({ domain: request.domain.name }));
 */
export const mdFastify = fp(plugin, { name: '@md/fastify', fastify: '5.x' });
