import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResolvedRequest } from '../resolution/contracts.js';
import type { SiteHooks } from '../site/hooks.js';
import type { Site } from '../site/site.js';
import type { Awaitable } from '../util/awaitable.js';
import { codeOf, type HttpAnswer, toHttpAnswer } from './answer.js';
import { type AdapterOptions, fromNodeRequest } from './node-request.js';

/** What {@link handleRequest} decided: go on with a resolved request, or send md's answer. */
export type RequestOutcome =
  | { resolved: ResolvedRequest; answer?: undefined }
  | { answer: HttpAnswer; resolved?: undefined };

/** What a hook that runs before routing located (Fastify's `rewriteUrl`): the request, or why not. */
export type EarlyLocation = { readonly located: ResolvedRequest } | { readonly error: unknown };

/**
 * The one entry point every adapter calls first, so all of them behave
 * alike: builds the neutral request (`fromNodeRequest`), lets the plugins'
 * `beforeResolve` hooks answer it (the admin API), resolves it
 * (`site.resolve`: the resolver chain, then each policy) or answers the
 * error, then lets the `afterResolve` hooks answer it (a domain's health
 * path). `onResponse` observers are told when the response finishes. With
 * no plugin installed it does nothing but resolve. `early` hands over a
 * location made before routing; only the policies then run here.
 *
 * @example
 * const outcome = await handleRequest(site, req, res, 'express', options);
 * if (outcome.answer) return send(res, outcome.answer);
 * site.runResolved(outcome.resolved, next);
 */
export async function handleRequest(
  site: Site<unknown>,
  req: IncomingMessage,
  res: ServerResponse,
  kind: string,
  options: AdapterOptions = {},
  early?: Awaitable<EarlyLocation>,
): Promise<RequestOutcome> {
  const request = fromNodeRequest(req, kind, options);
  const hooks = site.hooks;
  for (const intercept of hooks.before) {
    const answer = await intercept(request);
    if (answer !== undefined) return { answer };
  }
  const outcome: { resolved?: ResolvedRequest | undefined; code?: string | undefined } = {};
  if (hooks.finished.length > 0) observe(hooks, res, outcome);
  let resolved: ResolvedRequest;
  try {
    if (early === undefined) {
      resolved = await site.resolve(request);
    } else {
      const location = await early;
      if (!('located' in location)) throw location.error;
      resolved = await site.admit(location.located);
    }
  } catch (error) {
    outcome.code = codeOf(error);
    return { answer: toHttpAnswer(error) };
  }
  outcome.resolved = resolved;
  for (const intercept of hooks.resolved) {
    const answer = await intercept(resolved, request);
    if (answer !== undefined)
      return { answer: { ...answer, headers: [...resolved.headers, ...answer.headers] } };
  }
  return { resolved };
}

/**
 * Locates a request before routing, for a hook that cannot wait (Fastify's
 * `rewriteUrl`): `site.locate` on the neutral request, answered as an
 * {@link EarlyLocation} that never throws and, when a resolver is
 * asynchronous, a promise that never rejects. Hand it to `handleRequest`
 * as `early`, which then runs only the policies.
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
  try {
    const located = site.locate(fromNodeRequest(req, kind, options));
    if (!(located instanceof Promise)) return { located };
    return located.then(
      (found) => ({ located: found }),
      (error: unknown) => ({ error }),
    );
  } catch (error) {
    return { error };
  }
}

function observe(
  hooks: SiteHooks,
  res: ServerResponse,
  outcome: { resolved?: ResolvedRequest | undefined; code?: string | undefined },
): void {
  const started = performance.now();
  res.once('finish', function mdResponseFinished() {
    const finished = {
      resolved: outcome.resolved,
      status: res.statusCode,
      ms: performance.now() - started,
      code: outcome.code,
    };
    for (const observer of hooks.finished) observer(finished);
  });
}
