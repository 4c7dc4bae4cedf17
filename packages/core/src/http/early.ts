import type { IncomingMessage } from 'node:http';
import type { ResolvedRequest } from '../resolution/contracts.js';
import type { Site } from '../site/site.js';
import type { Awaitable } from '../util/awaitable.js';
import { type AdapterOptions, fromNodeRequest, type NodeRequest } from './node-request.js';

/**
 * What a hook that runs before routing located (Fastify's `rewriteUrl`): the
 * neutral request (built from the URL as received) and its location, or why not.
 */
export type EarlyLocation =
  | { readonly request: NodeRequest; readonly located: ResolvedRequest }
  | { readonly request?: NodeRequest | undefined; readonly error: unknown };

/**
 * Locates a request before routing, for a hook that cannot wait (Fastify's
 * `rewriteUrl`): `site.locate` on the neutral request, answered as an
 * {@link EarlyLocation} that never throws and, when a resolver is
 * asynchronous, a promise that never rejects. It is also kept on `req`
 * for {@link takeEarly}, which a hook after routing hands to
 * `handleRequest` as `early`; only the policies then run there.
 *
 * @example
 * const early = locateEarly(site, req, 'fastify');
 * if (!(early instanceof Promise) && 'located' in early) req.url = withPath(req.url, early.located.path);
 */
export function locateEarly(
  site: Site<unknown>,
  req: IncomingMessage,
  kind: string,
  options: AdapterOptions = {},
): Awaitable<EarlyLocation> {
  const early = earlyLocation(site, req, kind, options);
  // Kept on the request itself, with its site, under one key (one shape
  // for every request): no WeakMap entry for the collector. A location made
  // at once carries its site itself; a promise of one goes in a holder.
  (req as EarlyRequest)[EARLY] = early instanceof Promise ? { early, site } : (early as Located);
  return early;
}

/**
 * The location {@link locateEarly} kept on `req` for this site, or
 * `undefined` when it located none (no rewrite hook, or another site's).
 * `handleRequest` refuses it with `INVALID_OPTIONS` when it was made with
 * another `trustForwardedHost` than its own (the two must read requests alike).
 *
 * @example
 * const outcome = handleRequest(site, req, res, 'fastify', options, takeEarly(req, site));
 */
export function takeEarly(req: IncomingMessage, site: Site<unknown>): Awaitable<EarlyLocation> | undefined {
  const kept = (req as EarlyRequest)[EARLY];
  if (kept?.site !== site) return undefined;
  return 'early' in kept ? kept.early : kept;
}

const EARLY = Symbol('md.early');
type Located = EarlyLocation & { readonly site: Site<unknown> };
type EarlyRequest = IncomingMessage & {
  [EARLY]?: Located | { readonly early: Promise<EarlyLocation>; readonly site: Site<unknown> };
};

function earlyLocation(
  site: Site<unknown>,
  req: IncomingMessage,
  kind: string,
  options: AdapterOptions,
): Awaitable<EarlyLocation> {
  let request: NodeRequest;
  try {
    request = fromNodeRequest(req, kind, options, site.domains);
  } catch (error) {
    return { request: undefined, error, site } as EarlyLocation;
  }
  try {
    const located = site.locate(request);
    if (!(located instanceof Promise)) return { request, located, site } as EarlyLocation;
    return earlyLater(request, located);
  } catch (error) {
    return { request, error, site } as EarlyLocation;
  }
}

function earlyLater(request: NodeRequest, located: Promise<ResolvedRequest>): Promise<EarlyLocation> {
  return located.then(
    (found) => ({ request, located: found }),
    (error: unknown) => ({ request, error }),
  );
}
