import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdminApi } from './admin.js';
import { MdError } from './errors.js';
import { type DomainCookieOptions, type ResolvedRequest, type Site, toErrorResponse } from './site.js';
import type { RequestLike } from './types.js';

/**
 * Options every framework adapter accepts, so the three read a request the same way.
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
  /**
   * The admin API to mount (`createAdminApi(site, { token })`): requests under
   * its prefix are answered by it, and its `healthPath` (default `/health`)
   * answers each domain's health on the domain's own host.
   */
  admin?: AdminApi;
}

/** An answer md gives itself (an error, the admin API, a health check); the adapter writes it out. */
export interface HttpAnswer {
  status: number;
  headers: ReadonlyArray<readonly [string, string]>;
  /** A string is sent as text; anything else as JSON. */
  body: unknown;
}

/** What {@link handleRequest} decided: go on with a resolved request, or send md's answer. */
export type RequestOutcome =
  | { resolved: ResolvedRequest; answer?: undefined }
  | { answer: HttpAnswer; resolved?: undefined };

/**
 * The error answer of any thrown value, through core's one status table,
 * with its headers (`Retry-After` for `RATE_LIMITED`).
 *
 * @example
 * const { status, headers, body } = toHttpAnswer(error);
 */
export function toHttpAnswer(error: unknown): HttpAnswer {
  const { status, headers, body } = toErrorResponse(error);
  return { status, headers, body };
}

const MAX_ADMIN_BODY = 1024 * 1024;

/**
 * The one entry point every adapter calls first, so all three behave alike:
 * requests under the admin API's prefix are answered by it; every other
 * request is resolved to a domain (or answered with the error); a domain's
 * health path is answered with its health; and the request's status and
 * latency are recorded in `site.metrics` when the response finishes.
 * `early` hands over a resolution made before routing (Fastify's `rewriteUrl`).
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
  kind: RequestLike['kind'],
  options: AdapterOptions = {},
  early?: { resolved?: ResolvedRequest | undefined; error?: unknown },
): Promise<RequestOutcome> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const admin = options.admin;
  if (admin?.owns(path)) {
    let body: unknown;
    try {
      body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readJsonBody(req);
    } catch (error) {
      return { answer: toHttpAnswer(error) };
    }
    const headers = req.headers;
    return {
      answer: await admin.handle({
        method: req.method ?? 'GET',
        path,
        headers: { get: (name) => headerValue(headers[name.toLowerCase()]) },
        query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
        body,
      }),
    };
  }
  const started = performance.now();
  let resolved: ResolvedRequest | undefined;
  let code: string | undefined;
  res.once('finish', () => site.recordResponse(resolved, res.statusCode, performance.now() - started, code));
  try {
    if (early?.error !== undefined) throw early.error;
    resolved = early?.resolved ?? (await site.resolve(createRequestLike(req, kind, options)));
  } catch (error) {
    const answer = toHttpAnswer(error);
    code = (answer.body as { error: { code: string } }).error.code;
    return { answer };
  }
  if (admin?.healthPath !== undefined && resolved.path === admin.healthPath && req.method === 'GET') {
    const answer = await admin.domainHealth(resolved.domain.name);
    return { answer: { ...answer, headers: [...resolved.headers, ...answer.headers] } };
  }
  return { resolved };
}

/**
 * Reads a request body as UTF-8 text, refusing more than `maxBytes` with
 * `INVALID_REQUEST` (400) as soon as the limit is passed.
 *
 * @example
 * const form = new URLSearchParams(await readRequestBody(req, 64 * 1024));
 */
export async function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      throw new MdError(
        'INVALID_REQUEST',
        `The request body is larger than ${Math.round(maxBytes / 1024)} KB.`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a JSON request body (at most 1 MB); a body a framework already parsed is used as is. */
async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  if (parsed !== undefined) return parsed;
  const text = (await readRequestBody(req, MAX_ADMIN_BODY)).trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new MdError('INVALID_REQUEST', 'The request body is not valid JSON.');
  }
}

/**
 * Parses a `Cookie` request header into a name → value map. The first
 * occurrence of a name wins (browsers send the most specific path first),
 * quoted values are unquoted and percent-decoding errors keep the raw value.
 *
 * @example
 * parseCookieHeader('md_domain=acme; theme=dark'); // { md_domain: 'acme', theme: 'dark' }
 */
export function parseCookieHeader(header: string | null | undefined): Record<string, string> {
  // A null prototype: a cookie named "__proto__" or "constructor" is just a cookie.
  const cookies: Record<string, string> = Object.create(null);
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name === '' || name in cookies) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length > 1 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    cookies[name] = safeDecode(value);
  }
  return cookies;
}

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Serialises a `Set-Cookie` header value from a name, a value and the options
 * `site.cookieOptions()` gives, for frameworks without a cookie API (bare
 * Fastify). It never writes a `Domain=` attribute, so the cookie stays
 * host-only. Throws `INVALID_OPTIONS` for a name that is not an HTTP token.
 *
 * @example
 * reply.header('set-cookie', serializeCookie('sid', id, site.cookieOptions()));
 * // 'sid=…; Path=/stores/acme; HttpOnly; SameSite=Lax'
 */
export function serializeCookie(
  name: string,
  value: string,
  options: DomainCookieOptions & { maxAge?: number; expires?: Date },
): string {
  if (!COOKIE_NAME.test(name))
    throw MdError.invalidOptions(`cookie name ${JSON.stringify(name)} is not a token`);
  let cookie = `${name}=${encodeURIComponent(value)}; Path=${options.path}`;
  if (options.maxAge !== undefined) cookie += `; Max-Age=${Math.floor(options.maxAge)}`;
  if (options.expires !== undefined) cookie += `; Expires=${options.expires.toUTCString()}`;
  if (options.httpOnly) cookie += '; HttpOnly';
  if (options.secure) cookie += '; Secure';
  return `${cookie}; SameSite=${options.sameSite === 'strict' ? 'Strict' : 'Lax'}`;
}

/**
 * Builds the neutral {@link RequestLike} from a Node.js request, the one
 * object under Express's `req`, Fastify's `request.raw` and Koa's `ctx.req`,
 * so every adapter hands resolvers the same thing: the `Host` header (never
 * `X-Forwarded-Host` unless `trustForwardedHost`), the path without the query
 * string, case-insensitive headers, the query and the parsed cookies.
 *
 * @example
 * const resolved = await site.resolve(createRequestLike(req, 'express'));
 */
export function createRequestLike(
  req: IncomingMessage,
  kind: RequestLike['kind'],
  options: AdapterOptions = {},
): RequestLike {
  return new NodeRequestLike(req, kind, options.trustForwardedHost === true);
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
class NodeRequestLike implements RequestLike {
  readonly host: string;
  readonly path: string;
  readonly headers: NodeHeaders;
  readonly ip: string | undefined;
  readonly kind: RequestLike['kind'];
  readonly raw: IncomingMessage;
  readonly #url: string;
  readonly #q: number;
  #query: URLSearchParams | undefined;
  #cookies: Record<string, string> | undefined;

  constructor(req: IncomingMessage, kind: RequestLike['kind'], trustForwardedHost: boolean) {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const headers = req.headers;
    const forwarded = trustForwardedHost ? headerValue(headers['x-forwarded-host']) : undefined;
    this.host = forwarded?.split(',')[0]?.trim() || (headers.host ?? '');
    this.path = q < 0 ? url : url.slice(0, q);
    this.headers = new NodeHeaders(headers);
    this.ip = req.socket?.remoteAddress;
    this.kind = kind;
    this.raw = req;
    this.#url = url;
    this.#q = q;
    this.#query = undefined;
    this.#cookies = undefined;
  }

  // Parsed on first use: most chains never read the query or the cookies.
  get query(): URLSearchParams {
    this.#query ??= new URLSearchParams(this.#q < 0 ? '' : this.#url.slice(this.#q + 1));
    return this.#query;
  }

  get cookies(): Record<string, string> {
    this.#cookies ??= parseCookieHeader(this.raw.headers.cookie);
    return this.#cookies;
  }
}

/**
 * Replaces the path of a request URL and keeps its query string: how the
 * adapters route a path-mode request (`/stores/acme/shop?page=2`) on its
 * clean path (`/shop?page=2`).
 *
 * @example
 * withPath('/stores/acme/shop?page=2', '/shop'); // '/shop?page=2'
 */
export function withPath(url: string, path: string): string {
  const q = url.indexOf('?');
  return q < 0 ? path : path + url.slice(q);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function safeDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
