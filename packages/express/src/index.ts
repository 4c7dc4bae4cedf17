import {
  type AdapterOptions,
  type DomainProxy,
  type HttpAnswer,
  handleRequest,
  MdError,
  type Site,
  toHttpAnswer,
  withPath,
} from '@md/core';
import type { RequestHandler, Response } from 'express';

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
 * Express 5 middleware: resolves the request's domain through the site's
 * resolver chain, sets `req.domain`, rewrites `req.url` to the clean path in
 * path mode (the query string is kept), adds the debug header and runs every
 * later middleware and route inside the domain context, so `site.currentDomain`
 * and `site.em` answer for it across awaits. Resolution errors end the
 * request with core's status and JSON body `{ error: { code, message } }`
 * (plus `Retry-After` when rate limited). With `{ admin }` it also serves the
 * admin API and each domain's health path; every response is counted in
 * `site.metrics`.
 * Cookies: `res.cookie(name, value, site.cookieOptions())`.
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
    handleRequest(site, req, res, 'express', options).then(({ answer, resolved }) => {
      if (answer !== undefined) return send(res, answer);
      for (const [name, value] of resolved.headers) res.setHeader(name, value);
      if (resolved.rewritten) req.url = withPath(req.url, resolved.path);
      req.domain = resolved.domain;
      site.runResolved(resolved, next);
    }, next);
  };
}

/**
 * Route guard for a feature flag (seed 002): a domain without the feature gets
 * `403 FEATURE_DISABLED`.
 *
 * @example
 * app.get('/reports', requireFeature(site, 'reports'), (req, res) => res.json(report()));
 */
export function requireFeature(site: Site, feature: string): RequestHandler {
  return function mdRequireFeature(_req, res, next) {
    if (site.domain.hasFeature(feature)) return next();
    send(res, toHttpAnswer(MdError.featureDisabled(site.currentDomain, feature)));
  };
}

function send(res: Response, { status, headers, body }: HttpAnswer): void {
  res.status(status);
  for (const [name, value] of headers) res.setHeader(name, value);
  if (typeof body === 'string') res.send(body);
  else res.json(body);
}
