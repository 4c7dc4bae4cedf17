import {
  type AdapterOptions,
  createRequestLike,
  type DomainProxy,
  type Site,
  toErrorResponse,
  withPath,
} from '@md/core';
import type { RequestHandler } from 'express';

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
 * request with core's status and JSON body `{ error: { code, message } }`.
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
    site.resolve(createRequestLike(req, 'express', options)).then(
      (resolved) => {
        for (const [name, value] of resolved.headers) res.setHeader(name, value);
        if (resolved.rewritten) req.url = withPath(req.url, resolved.path);
        req.domain = resolved.domain;
        site.runResolved(resolved, next);
      },
      (error: unknown) => {
        const { status, body } = toErrorResponse(error);
        res.status(status).json(body);
      },
    );
  };
}
