import { assertFeature, type DomainProxy, type Site } from '@md/core';
import {
  type AdapterOptions,
  type HttpAnswer,
  handleRequest,
  type RequestOutcome,
  toHttpAnswer,
  withPath,
} from '@md/core/http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

declare global {
  // Express's own extension point: express-serve-static-core's Request extends
  // Express.Request, and this works without that package being resolvable.
  namespace Express {
    interface Request {
      /** The domain md resolved for this request (set by `mdExpress`, for every route below it). */
      domain: DomainProxy;
    }
  }
}

/**
 * Express 5 middleware: resolves the request's domain (`handleRequest`),
 * sets `req.domain`, rewrites `req.url` to the clean path in path mode (the
 * query string is kept), adds the headers the site's policies asked for and
 * runs every later middleware and route inside the domain context, so
 * `site.currentDomain` and `site.em` answer for it across awaits. md's own
 * answers (errors, the admin plugin) are sent as they are.
 * Cookies: `res.cookie(name, value, cookieOptions())`.
 *
 * @example
 * const app = express();
 * app.use(mdExpress(site));
 * app.get('/shop/products', (req, res) => {
 *   res.json({ domain: req.domain.name }); // also reached as /stores/acme/shop/products
 * });
 */
export function mdExpress(site: Site, options: AdapterOptions = {}): RequestHandler {
  return function mdExpressMiddleware(req, res, next) {
    const outcome = handleRequest(site, req, res, 'express', options);
    if (!(outcome instanceof Promise)) return proceed(site, outcome, req, res, next);
    outcome.then((settled) => proceed(site, settled, req, res, next), next);
  };
}

/** Sends md's answer, or runs the rest of the app inside the domain: at once when md answered synchronously. */
function proceed(site: Site, outcome: RequestOutcome, req: Request, res: Response, next: NextFunction): void {
  const { answer, resolved } = outcome;
  if (answer !== undefined) {
    send(res, answer);
    return;
  }
  // Most requests have none: no iterator for an empty list.
  if (resolved.headers.length > 0) for (const [name, value] of resolved.headers) res.setHeader(name, value);
  if (resolved.rewritten) req.url = withPath(req.url, resolved.path);
  req.domain = resolved.domain;
  site.runResolved(resolved, next);
}

/**
 * Route guard for a feature flag (`assertFeature`): a domain without the
 * feature gets `403 FEATURE_DISABLED`.
 *
 * @example
 * app.get('/reports', requireFeature('reports'), (req, res) => res.json(report()));
 */
export function requireFeature(feature: string): RequestHandler {
  return function mdRequireFeature(_req, res, next) {
    try {
      assertFeature(feature);
    } catch (error) {
      return send(res, toHttpAnswer(error));
    }
    next();
  };
}

function send(res: Response, { status, headers, body }: HttpAnswer): void {
  res.status(status);
  for (const [name, value] of headers) res.setHeader(name, value);
  if (typeof body === 'string') res.send(body);
  else res.json(body);
}
