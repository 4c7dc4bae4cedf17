import type { IncomingMessage, ServerResponse } from 'node:http';
import { MdError } from '../errors/md-error.js';
import type { ResolvedRequest } from '../resolution/contracts.js';
import type {
  FinishedResponse,
  RequestInterceptor,
  ResolvedInterceptor,
  ResponseObserver,
  SiteHooks,
} from '../site/hooks.js';
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
 * Answers synchronously when every hook, resolver and policy does (the
 * default site: no promise, no microtask), else a promise: `await` it, or
 * go on at once when it is not a `Promise`. It throws (or rejects) only
 * when an `afterResolve` hook does.
 *
 * @example
 * const outcome = handleRequest(site, req, res, 'express', options);
 * if (outcome instanceof Promise) outcome.then(proceed, next);
 * else proceed(outcome); // outcome.answer ? send it : site.runResolved(outcome.resolved, next)
 */
export function handleRequest(
  site: Site<unknown>,
  req: IncomingMessage,
  res: ServerResponse,
  kind: string,
  options: AdapterOptions = {},
  early?: Awaitable<EarlyLocation>,
): Awaitable<RequestOutcome> {
  if (early instanceof Promise) return early.then((location) => fromLocation(site, res, location, options));
  if (early !== undefined) return fromLocation(site, res, early, options);
  let request: NodeRequest;
  try {
    request = fromNodeRequest(req, kind, options, site.domains);
  } catch (error) {
    return refuse(site.hooks, res, error);
  }
  return beforeHooks(site, res, request, undefined, 0);
}

function fromLocation(
  site: Site<unknown>,
  res: ServerResponse,
  location: EarlyLocation,
  options: AdapterOptions,
): Awaitable<RequestOutcome> {
  const request = location.request;
  if (request === undefined) return refuse(site.hooks, res, (location as { error: unknown }).error);
  // A request fromNodeRequest built says how it read the host: it must be how this adapter would.
  const trusts = request.trustsForwardedHost;
  if (trusts !== undefined && trusts !== (options.trustForwardedHost === true)) {
    return refuse(site.hooks, res, MdError.invalidOptions(MISMATCH));
  }
  return beforeHooks(site, res, request, location, 0);
}

const MISMATCH =
  'the hook that located the request before routing (locateEarly) and the adapter (handleRequest) were given different options: give both the same options';

/** The `beforeResolve` hooks from `from` on, synchronously for as long as they answer so. */
function beforeHooks(
  site: Site<unknown>,
  res: ServerResponse,
  request: NodeRequest,
  location: EarlyLocation | undefined,
  from: number,
): Awaitable<RequestOutcome> {
  const before: readonly RequestInterceptor[] = site.hooks.before;
  try {
    for (let i = from; i < before.length; i++) {
      const answer = before[i]!(request);
      if (answer instanceof Promise) {
        return answer.then(
          (found) =>
            found !== undefined ? { answer: found } : beforeHooks(site, res, request, location, i + 1),
          (error: unknown) => ({ answer: toHttpAnswer(error) }),
        );
      }
      if (answer !== undefined) return { answer };
    }
  } catch (error) {
    return { answer: toHttpAnswer(error) };
  }
  return resolveRequest(site, res, request, location);
}

function resolveRequest(
  site: Site<unknown>,
  res: ServerResponse,
  request: NodeRequest,
  location: EarlyLocation | undefined,
): Awaitable<RequestOutcome> {
  const outcome = site.hooks.finished.length > 0 ? observe(site.hooks, res) : undefined;
  let resolved: Awaitable<ResolvedRequest>;
  try {
    if (location === undefined) resolved = site.resolve(request);
    else if ('located' in location) resolved = site.admit(location.located);
    else throw location.error;
  } catch (error) {
    return notResolved(outcome, error);
  }
  if (resolved instanceof Promise) {
    return resolved.then(
      (found) => afterHooks(site, found, request, outcome, 0),
      (error: unknown) => notResolved(outcome, error),
    );
  }
  return afterHooks(site, resolved, request, outcome, 0);
}

/** The `afterResolve` hooks from `from` on; a hook that throws makes the whole call throw (or reject). */
function afterHooks(
  site: Site<unknown>,
  resolved: ResolvedRequest,
  request: NodeRequest,
  outcome: Outcome | undefined,
  from: number,
): Awaitable<RequestOutcome> {
  if (outcome !== undefined) outcome.resolved = resolved;
  const after: readonly ResolvedInterceptor[] = site.hooks.resolved;
  for (let i = from; i < after.length; i++) {
    const answer = after[i]!(resolved, request);
    if (answer instanceof Promise) {
      return answer.then((found) =>
        found !== undefined
          ? withHeaders(resolved, found)
          : afterHooks(site, resolved, request, outcome, i + 1),
      );
    }
    if (answer !== undefined) return withHeaders(resolved, answer);
  }
  return { resolved, request };
}

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
    return located.then(
      (found) => ({ request, located: found }),
      (error: unknown) => ({ request, error }),
    );
  } catch (error) {
    return { request, error, site } as EarlyLocation;
  }
}

/** What an `onResponse` observer is told, filled in as the request goes. */
type Outcome = {
  resolved: ResolvedRequest | undefined;
  code: string | undefined;
  readonly started: number;
  readonly observers: readonly ResponseObserver[];
};

const OUTCOME = Symbol('md.outcome');
type ObservedResponse = ServerResponse & { [OUTCOME]?: Outcome };

function withHeaders(resolved: ResolvedRequest, answer: HttpAnswer): RequestOutcome {
  return { answer: { ...answer, headers: [...resolved.headers, ...answer.headers] } };
}

function notResolved(outcome: Outcome | undefined, error: unknown): RequestOutcome {
  if (outcome !== undefined) outcome.code = codeOf(error);
  return { answer: toHttpAnswer(error) };
}

/** Answers a request refused before any hook ran; observers still count it. */
function refuse(hooks: SiteHooks, res: ServerResponse, error: unknown): RequestOutcome {
  return notResolved(hooks.finished.length > 0 ? observe(hooks, res) : undefined, error);
}

/** Tells the observers when the response finishes; answers the outcome they will be told of. */
function observe(hooks: SiteHooks, res: ObservedResponse): Outcome {
  const outcome: Outcome = {
    resolved: undefined,
    code: undefined,
    started: performance.now(),
    observers: hooks.finished,
  };
  // One listener function for every response (no closure per request); a
  // response finishes once, so there is nothing to remove.
  res[OUTCOME] = outcome;
  res.on('finish', mdResponseFinished);
  return outcome;
}

function mdResponseFinished(this: ObservedResponse): void {
  const outcome = this[OUTCOME]!;
  const finished: FinishedResponse = {
    resolved: outcome.resolved,
    status: this.statusCode,
    ms: performance.now() - outcome.started,
    code: outcome.code,
  };
  for (const observer of outcome.observers) observer(finished);
}
