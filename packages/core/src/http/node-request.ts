import type { IncomingMessage } from 'node:http';
import type { RequestLike } from '../resolution/contracts.js';
import { normalizePath } from '../resolution/normalize-path.js';
import { parseCookieHeader } from './cookies.js';
import { assertAsciiHost, readOtherTarget, singleHost } from './request-target.js';

/**
 * Options every framework adapter accepts, so all of them read a request the same way.
 *
 * @example
 * app.use(mdExpress(site, { trustForwardedHost: true }));
 */
export interface AdapterOptions {
  /**
   * Read the host from the first `X-Forwarded-Host` value instead of `Host`.
   * Off by default: turn it on only behind a proxy you run that overwrites
   * the header, or any client can pick its domain by sending one.
   */
  trustForwardedHost?: boolean;
}

/** The neutral request of a Node.js request: what resolvers read, plus the method and the request itself. */
export interface NodeRequest extends RequestLike {
  readonly method: string;
  readonly raw: IncomingMessage;
  /** The path normalised once (`normalizePath`): what resolvers, policies and hooks read. */
  readonly path: string;
  /** The request target's path as received (before the query string). */
  readonly rawPath: string;
  /**
   * Whether `host` was read from `X-Forwarded-Host` when sent (the adapter's
   * `trustForwardedHost`), for a request built before routing and handed on.
   */
  readonly trustsForwardedHost?: boolean;
}

/** Where the hosts some domain owns are indexed (a site's `domains`): a host found there needs no character check. */
export interface KnownHosts {
  findByHost(host: string): unknown;
}

/**
 * Builds the neutral request from a Node.js request, the one object under
 * Express's `req`, Fastify's `request.raw` and Koa's `ctx.req`, so every
 * adapter hands resolvers the same thing: the `Host` header (never
 * `X-Forwarded-Host` unless `trustForwardedHost`), the path without the query
 * string, normalised once (`normalizePath`: unreserved characters decoded),
 * case-insensitive headers, the query and the cookies (both parsed on first
 * use). `kind` names the adapter. Throws `INVALID_HOST` for a request that
 * cannot be attributed to one host (two `Host` headers, an absolute-form
 * target naming another host than `Host`) and `INVALID_PATH` for a target
 * that is not a path or a path `normalizePath` refuses (dot segments,
 * encoded slashes, bytes that are not UTF-8…). `known` (the site's
 * `domains`) spares the character check of a host some domain owns: the
 * index holds only normalised, visible-ASCII names.
 *
 * @example
 * const resolved = await site.resolve(fromNodeRequest(req, 'express'));
 */
export function fromNodeRequest(
  req: IncomingMessage,
  kind: string,
  options: AdapterOptions = {},
  known?: KnownHosts,
): NodeRequest {
  const trustForwardedHost = options.trustForwardedHost === true;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  let host = singleHost(req);
  let path = rawPath;
  let asterisk = false;
  // Origin-form (`/x`) is the rule; anything else is read, and checked against Host, apart.
  if (rawPath.charCodeAt(0) !== 47) {
    ({ host, path } = readOtherTarget(req.method, rawPath, host));
    asterisk = path === '*';
  }
  const forwarded = trustForwardedHost ? headerValue(req.headers['x-forwarded-host']) : undefined;
  const named = forwarded?.split(',')[0]?.trim() || host;
  // The usual request: a host the index holds, already known to be visible ASCII.
  const checked = known?.findByHost(named) !== undefined ? named : assertAsciiHost(named);
  const normal = asterisk ? path : normalizePath(path);
  return new NodeRequestLike(req, kind, trustForwardedHost, checked, normal, rawPath, url, q);
}

/** Reads headers case-insensitively from a Node request's (already lower-cased) header map. */
class NodeHeaders {
  readonly #headers: IncomingMessage['headers'];
  constructor(headers: IncomingMessage['headers']) {
    this.#headers = headers;
  }
  get(name: string): string | undefined {
    return headerValue(this.#headers[name.toLowerCase()]);
  }
}

// A class, not an object literal with getters: this runs once per request, and
// V8 keeps class instances on one fast shape.
class NodeRequestLike implements NodeRequest {
  readonly host: string;
  readonly path: string;
  readonly rawPath: string;
  readonly method: string;
  readonly kind: string;
  readonly raw: IncomingMessage;
  // Read now: once the socket closes, Node no longer answers it.
  readonly ip: string | undefined;
  readonly trustsForwardedHost: boolean;
  readonly #url: string;
  readonly #q: number;
  #query: URLSearchParams | undefined;
  #cookies: Record<string, string> | undefined;
  #headers: NodeHeaders | undefined;

  // Only stores (the reading is fromNodeRequest's): small enough for V8 to inline it.
  constructor(
    req: IncomingMessage,
    kind: string,
    trustForwardedHost: boolean,
    host: string,
    path: string,
    rawPath: string,
    url: string,
    q: number,
  ) {
    this.host = host;
    this.path = path;
    this.rawPath = rawPath;
    this.method = req.method ?? 'GET';
    this.kind = kind;
    this.raw = req;
    this.ip = req.socket?.remoteAddress;
    this.trustsForwardedHost = trustForwardedHost;
    this.#url = url;
    this.#q = q;
    this.#query = undefined;
    this.#cookies = undefined;
    this.#headers = undefined;
  }

  // Made on first use: most chains never read the headers, the query or the cookies.
  get headers(): NodeHeaders {
    this.#headers ??= new NodeHeaders(this.raw.headers);
    return this.#headers;
  }

  get query(): URLSearchParams {
    this.#query ??= new URLSearchParams(this.#q < 0 ? '' : this.#url.slice(this.#q + 1));
    return this.#query;
  }

  get cookies(): Record<string, string> {
    this.#cookies ??= parseCookieHeader(this.raw.headers.cookie);
    return this.#cookies;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
