import type { DomainLookup } from '../domains/lookup.js';
import { normalizeHost } from '../domains/names.js';
import type { DomainProxy } from '../domains/proxy.js';
import type { HeaderList } from '../errors/md-error.js';
import { MdError } from '../errors/md-error.js';
import type { MdEventEmitter } from '../site/events.js';
import type { Awaitable } from '../util/awaitable.js';
import { runChain } from './chain.js';
import type {
  DomainResolver,
  RequestLike,
  Resolution,
  ResolveContext,
  ResolvedRequest,
} from './contracts.js';
import { normalizePath } from './normalize-path.js';

const NO_HEADERS: HeaderList = Object.freeze([]);

/** @internal What a site locates requests with. */
export interface LocatorOptions {
  readonly resolvers: readonly DomainResolver[];
  readonly domains: DomainLookup;
  readonly rootHosts: ReadonlySet<string>;
  readonly events: MdEventEmitter;
}

/**
 * Finds the domain of a neutral request: normalises the host and (unless
 * the adapter did) the path, runs the resolver chain over the read-only
 * lookup, falls back to the root domain on root hosts only (or always, with
 * no resolvers), and fails closed with `DOMAIN_NOT_FOUND` elsewhere.
 * Synchronous when every resolver is; every failure emits
 * `request:not-resolved`.
 */
export function locate(options: LocatorOptions, request: RequestLike): Awaitable<ResolvedRequest> {
  const raw = request.host;
  // A host some domain owns is in the index as normalizeHost answers it: no scan needed.
  let hostOwner = options.domains.findByHost(raw);
  const host = hostOwner !== undefined ? raw : hostOf(options, request);
  if (hostOwner === undefined && host !== raw) hostOwner = options.domains.findByHost(host);
  const req = request.rawPath === undefined ? withNormalPath(options, host, request) : request;
  const ctx: ResolveContext = {
    domains: options.domains,
    rootDomain: options.domains.rootDomain,
    rootHosts: options.rootHosts,
    host,
    hostOwner,
  };
  let answer: Awaitable<Resolution | undefined>;
  try {
    answer = runChain(options.resolvers, req, ctx);
  } catch (error) {
    throw failed(options, host, req.path, error);
  }
  if (answer instanceof Promise) return completeLater(options, req, host, answer);
  return complete(options, req, host, answer, hostOwner);
}

// Apart, so the synchronous path allocates no context for closures it never makes.
function completeLater(
  options: LocatorOptions,
  req: RequestLike,
  host: string,
  answer: Promise<Resolution | undefined>,
): Promise<ResolvedRequest> {
  return answer.then(
    (found) => complete(options, req, host, found),
    (error: unknown) => {
      throw failed(options, host, req.path, error);
    },
  );
}

/** A hand-made request (no `rawPath`): its path normalised, in a copy only when that changes it. */
function withNormalPath(options: LocatorOptions, host: string, req: RequestLike): RequestLike {
  let path: string;
  try {
    path = normalizePath(req.path);
  } catch (error) {
    throw failed(options, host, req.path, error);
  }
  if (path === req.path) return req;
  const { method, headers, query, cookies, ip, kind, raw } = req;
  return { host: req.host, path, rawPath: req.path, method, headers, query, cookies, ip, kind, raw };
}

function hostOf(options: LocatorOptions, req: RequestLike): string {
  try {
    return normalizeHost(req.host);
  } catch (error) {
    throw failed(options, String(req.host), req.path, error);
  }
}

function complete(
  options: LocatorOptions,
  req: RequestLike,
  host: string,
  answer: Resolution | undefined,
  hostOwner?: DomainProxy,
): ResolvedRequest {
  const resolution = answer ?? fallback(options, host, req.path);
  // Answered at once (no await since the lookup) for the host's owner: the proxy is at hand.
  const domain =
    hostOwner !== undefined && hostOwner.name === resolution.domain
      ? hostOwner
      : options.domains.get(resolution.domain);
  if (domain === undefined) {
    throw failed(
      options,
      host,
      req.path,
      MdError.domainNotFound(resolution.domain, { host, via: resolution.via }),
    );
  }
  const path = resolution.path ?? req.path;
  const originalPath = req.rawPath ?? req.path;
  return {
    domain,
    via: resolution.via,
    host,
    path,
    originalPath,
    rewritten: path !== originalPath,
    cookiePath: resolution.cookiePath ?? '/',
    headers: NO_HEADERS,
  };
}

function fallback(options: LocatorOptions, host: string, path: string): Resolution {
  // Single-domain mode: with no resolvers, everything is the root domain.
  if (options.resolvers.length === 0 || options.rootHosts.has(host)) {
    return { domain: options.domains.rootDomain, via: 'root' };
  }
  throw failed(options, host, path, MdError.notResolved(host, path));
}

function failed(options: LocatorOptions, host: string, path: string, error: unknown): unknown {
  if (MdError.is(error)) options.events.emit('request:not-resolved', { host, path, error });
  return error;
}
