// @md/core/http — the adapter-author API: what a framework adapter needs to
// map a Node.js request in and md's answer out.

export type {
  FinishedResponse,
  RequestInterceptor,
  ResolvedInterceptor,
  ResponseObserver,
} from '../site/hooks.js';
export type { ErrorBody, HttpAnswer } from './answer.js';
export { toHttpAnswer } from './answer.js';
export { DEFAULT_JSON_LIMIT, readJsonBody, readRequestBody } from './body.js';
export { parseCookieHeader, serializeCookie } from './cookies.js';
export type { EarlyLocation, RequestOutcome } from './handle-request.js';
export { handleRequest, locateEarly, takeEarly } from './handle-request.js';
export type { AdapterOptions, KnownHosts, NodeRequest } from './node-request.js';
export { fromNodeRequest } from './node-request.js';
export { withPath } from './url.js';
