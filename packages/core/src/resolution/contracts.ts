import type { DomainLookup } from '../domains/lookup.js';
import type { DomainProxy } from '../domains/proxy.js';
import type { HeaderList } from '../errors/md-error.js';
import type { Awaitable } from '../util/awaitable.js';

/**
 * The neutral request every resolver and policy reads; adapters build it
 * from their framework's request (`fromNodeRequest` in `@md/core/http`).
 *
 * @example
 * const req: RequestLike = {
 *   host: 'acme.example', path: '/', headers: { get: () => undefined },
 *   query: new URLSearchParams(), cookies: {}, kind: 'custom',
 * };
 */
export interface RequestLike {
  /** Raw Host header value (normalised by core before resolvers see it). */
  host: string;
  /**
   * Path without the query string. Core normalises it once (`normalizePath`)
   * before any resolver or policy reads it, unless `rawPath` says it already is.
   */
  path: string;
  /**
   * Set (to the path as received) when `path` is already normalised: requests
   * built by `fromNodeRequest` carry both, so core does not normalise twice.
   */
  rawPath?: string;
  /** The HTTP method, when the request came from HTTP. */
  method?: string;
  headers: { get(name: string): string | null | undefined };
  query: { get(name: string): string | null };
  cookies: Record<string, string | undefined>;
  /** The client address when known; header/query resolvers can trust by caller. */
  ip?: string;
  /** Which adapter built the request (`'express'`, `'fastify'`, `'koa'`, or any other adapter's name). */
  kind: string;
  raw?: unknown;
}

/** What a resolver answers: the domain, how it was found and optionally a clean path. */
export interface Resolution {
  domain: string;
  /** How the domain was found: the resolver's name, e.g. `'host'`, `'subdomain'`, `'path'`. */
  via: string;
  /** The path the app should route on (path mode strips the domain prefix). */
  path?: string;
  /** The cookie Path that scopes cookies to this domain (path mode: the prefix). */
  cookiePath?: string;
}

/** Facts a resolver may consult besides the request. */
export interface ResolveContext {
  readonly domains: DomainLookup;
  readonly rootDomain: string;
  readonly rootHosts: ReadonlySet<string>;
  /** The request's host, already normalised. */
  readonly host: string;
  /**
   * The domain whose hosts include `host`, looked up once by core for the
   * whole chain (`domains.findByHost(host)` before the first resolver), or
   * `undefined` when no domain owns it.
   */
  readonly hostOwner: DomainProxy | undefined;
}

/**
 * The hosts a resolver or site plugin keeps for the platform: no domain but
 * the root domain may list them in its `hosts`. Checked when a domain is
 * registered or updated (`HOST_RESERVED`), never per request.
 *
 * @example
 * const reserved: Reservations = { hosts: ['admin.platform.com'], domains: ['platform.com'] };
 */
export interface Reservations {
  /** Exact hosts, e.g. the hosts path mode answers on. */
  readonly hosts?: readonly string[];
  /** Hosts reserved with every host under them: `platform.com` keeps `platform.com` and `*.platform.com`. */
  readonly domains?: readonly string[];
}

/**
 * A resolver plugin: maps a neutral request to a domain. Return `undefined`
 * to let the next resolver in the chain try. Throw an `MdError` (400 class) on
 * hostile input. A resolver that answers synchronously keeps the whole chain
 * synchronous.
 *
 * @example
 * const byHeader: DomainResolver = {
 *   name: 'x-shop',
 *   resolve: (req, { domains }) => {
 *     const code = req.headers.get('x-shop');
 *     return code && domains.has(code) ? { domain: code, via: 'x-shop' } : undefined;
 *   },
 * };
 */
export interface DomainResolver {
  readonly name: string;
  resolve(req: RequestLike, ctx: ResolveContext): Awaitable<Resolution | undefined>;
  /** Hosts this resolver keeps for the platform (a subdomain resolver's base domains…). */
  readonly reserved?: Reservations;
}

/**
 * A request md has resolved: the adapter applies its headers, rewrites the
 * URL when `rewritten`, and runs the rest of the request with it
 * (`site.runResolved`).
 */
export interface ResolvedRequest {
  readonly domain: DomainProxy;
  readonly via: string;
  /** The normalised host. */
  readonly host: string;
  /** The path the app routes on (the clean path in path mode). */
  readonly path: string;
  /** The path as received (the request target's path, before normalisation). */
  readonly originalPath: string;
  /** True when `path` differs from `originalPath` and the adapter must rewrite the URL. */
  readonly rewritten: boolean;
  /** The cookie Path scoping this domain's cookies. */
  readonly cookiePath: string;
  /** Headers the adapter adds to the response (those the site's policies asked for). */
  readonly headers: HeaderList;
}
