import type { HttpAnswer } from '../http/answer.js';
import type { NodeRequest } from '../http/node-request.js';
import type { ResolvedRequest } from '../resolution/contracts.js';
import type { Awaitable } from '../util/awaitable.js';

/** Answers a request before resolution (the admin API under its prefix), or `undefined` to go on. */
export type RequestInterceptor = (request: NodeRequest) => Awaitable<HttpAnswer | undefined>;

/** Answers a resolved, admitted request (a domain's health path), or `undefined` to go on. */
export type ResolvedInterceptor = (
  resolved: ResolvedRequest,
  request: NodeRequest,
) => Awaitable<HttpAnswer | undefined>;

/** A response that has finished, as `onResponse` observers see it. */
export interface FinishedResponse {
  /** The resolved request, or undefined when the request was refused before reaching a domain. */
  readonly resolved: ResolvedRequest | undefined;
  readonly status: number;
  readonly ms: number;
  /** The error code of a request refused before reaching a domain. */
  readonly code: string | undefined;
}

/** Observes a finished response (metrics); runs after the response is sent. */
export type ResponseObserver = (response: FinishedResponse) => void;

/**
 * What plugins add to the HTTP path, in the order they are added. Each list
 * is empty unless a plugin adds to it, and `handleRequest` does nothing for
 * an empty one: a site without plugins pays for none of them per request.
 *
 * @example
 * const timing: SitePlugin = {
 *   name: 'timing',
 *   setup: (site) => site.hooks.onResponse(({ ms }) => histogram.observe(ms)),
 * };
 */
export class SiteHooks {
  readonly #before: RequestInterceptor[] = [];
  readonly #resolved: ResolvedInterceptor[] = [];
  readonly #finished: ResponseObserver[] = [];

  /** Lets `interceptor` answer requests before they are resolved. */
  beforeResolve(interceptor: RequestInterceptor): void {
    this.#before.push(interceptor);
  }

  /** Lets `interceptor` answer requests once they are resolved and admitted by the policies. */
  afterResolve(interceptor: ResolvedInterceptor): void {
    this.#resolved.push(interceptor);
  }

  /** Tells `observer` about every finished response. */
  onResponse(observer: ResponseObserver): void {
    this.#finished.push(observer);
  }

  /** @internal */
  get before(): readonly RequestInterceptor[] {
    return this.#before;
  }

  /** @internal */
  get resolved(): readonly ResolvedInterceptor[] {
    return this.#resolved;
  }

  /** @internal */
  get finished(): readonly ResponseObserver[] {
    return this.#finished;
  }
}
