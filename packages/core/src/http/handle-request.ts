import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResolvedRequest } from '../resolution/contracts.js';
import type { SiteHooks } from '../site/hooks.js';
import type { Site } from '../site/site.js';
import type { Awaitable } from '../util/awaitable.js';
import { codeOf, type HttpAnswer, toHttpAnswer } from './answer.js';
import { type AdapterOptions, fromNodeRequest, type NodeRequest } from './node-request.js';

/** What {@link handleRequest} decided: go on with a resolved request, or send md's answer. */
export type RequestOutcome =
  | { resolved: ResolvedRequest; request: NodeRequest; answer?: undefined }
  | { answer: HttpAnswer; resolved?: undefined; request?: undefined };

/**
 * What a hook that runs before routing located (Fastify's `rewriteUrl`): the
 * neutral request (built from the URL as received) and its location, or why not.
 */
export type EarlyLocation =
  | { readonly request: NodeRequest; readonly located: ResolvedRequest }
  | { readonly request?: NodeRequest | undefined; readonly error: unknown };

/**
 * The one entry point every adapter calls first, so all of them behave
 * alike: builds the neutral request (`fromNodeRequest`), lets the plugins'
 * `beforeResolve` hooks answer it (the admin API), resolves it
 * (`site.resolve`: the resolver chain, then each policy) or answers the
 * error, then lets the `afterResolve` hooks answer it (a domain's health
 * path). `onResponse` observers are told when the response finishes. With
 * no plugin installed it does nothing but resolve. `early` hands over a
 * location made before routing (and the request it was made from, so the
 * hooks see the URL as received, not the rewritten one); only the policies
 * then run here. A request md cannot attribute (two `Host` headers, a bad
 * target or path) is answered with its 400 before any hook sees it.
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
  const location = early === undefined ? undefined : await early;
  const hooks = site.hooks;
  const outcome: Outcome = {};
  let request: NodeRequest;
  try {
    request = location?.request ?? fromNodeRequest(req, kind, options);
  } catch (error) {
    return refuse(hooks, res, outcome, error);
  }
  try {
    for (const intercept of hooks.before) {
      const answer = await intercept(request);
      if (answer !== undefined) return { answer };
    }
  } catch (error) {
    return { answer: toHttpAnswer(error) };
  }
  if (hooks.finished.length > 0) observe(hooks, res, outcome);
  let resolved: ResolvedRequest;
  try {
    if (location === undefined) {
      resolved = await site.resolve(request);
    } else {
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
  return { resolved, request };
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
  let request: NodeRequest;
  try {
    request = fromNodeRequest(req, kind, options);
  } catch (error) {
    return { error };
  }
  try {
    const located = site.locate(request);
    if (!(located instanceof Promise)) return { request, located };
    return located.then(
      (found) => ({ request, located: found }),
      (error: unknown) => ({ request, error }),
    );
  } catch (error) {
    return { request, error };
  }
}

type Outcome = { resolved?: ResolvedRequest | undefined; code?: string | undefined };

/** Answers a request refused before any hook ran; observers still count it. */
function refuse(hooks: SiteHooks, res: ServerResponse, outcome: Outcome, error: unknown): RequestOutcome {
  if (hooks.finished.length > 0) observe(hooks, res, outcome);
  outcome.code = codeOf(error);
  return { answer: toHttpAnswer(error) };
}

function observe(hooks: SiteHooks, res: ServerResponse, outcome: Outcome): void {
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
