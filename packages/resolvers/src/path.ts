import { type DomainResolver, MdError, type Resolution } from '@md/core';
import { toDomainCode } from './internal/domain-code.js';
import { normalizeHostOption } from './internal/host-option.js';
import { compilePathPattern, type PathPattern } from './internal/path-pattern.js';
import { findPathProblem } from './internal/path-safety.js';

/**
 * Options of {@link pathResolver}: the patterns, tried in order, and the
 * hosts path mode is limited to.
 *
 * @example
 * pathResolver({ patterns: ['/stores/:domain/shop/*'], hosts: ['myplatform.com'] });
 */
export interface PathResolverOptions {
  /**
   * Path patterns, tried in order (default `['/stores/:domain/*', '/store/:domain/*']`:
   * a storefront and a dashboard). Literal segments after `:domain`
   * (`/stores/:domain/shop/*`) must be present for the pattern to match.
   */
  patterns?: string[];
  /**
   * When given, the resolver answers only on these hosts (e.g. the
   * platform's own host); they are reserved, so no domain can claim them.
   */
  hosts?: string[];
  /** The resolver's name, also reported as `via` (default `'path'`). Two path resolvers need two names. */
  name?: string;
}

/**
 * The path resolver: `/stores/WIZAMART/shop/products` names the domain
 * `wizamart`, hands the app the clean path `/shop/products` (everything after
 * the `:domain` segment, literal segments included, still percent-encoded as
 * received) and scopes cookies to `/stores/wizamart`. The domain segment is
 * percent-decoded once and folded to lower case. A path that starts with a
 * pattern's prefix is checked in full before anything else: `..`, `%2e%2e`,
 * `//`, `%2f`, `%5c`, a backslash, double encoding (`%252e`) or a control
 * character is a 400 `INVALID_PATH`, and a domain segment that is not a code
 * is a 400 `INVALID_DOMAIN_NAME`, so no spelling of a path moves a request
 * into another domain. Paths that do not start with a prefix (literals match
 * as written, case-sensitively) and codes nobody registered are left to the
 * next resolver. Medium trust: anyone can type a URL, so path mode suits
 * public storefronts, not authorisation.
 *
 * @example
 * const site = await createSite({
 *   resolvers: [pathResolver({ patterns: ['/stores/:domain/shop/*'] })],
 *   domains: [{ name: 'wizamart' }],
 *   rootHosts: ['myplatform.com'],
 * });
 * const r = await site.resolve(request); // GET /stores/WIZAMART/shop/products
 * r.domain.name; // 'wizamart'
 * r.path;        // '/shop/products'
 * r.cookiePath;  // '/stores/wizamart'
 */
export function pathResolver({
  patterns = ['/stores/:domain/*', '/store/:domain/*'],
  hosts,
  name = 'path',
}: PathResolverOptions = {}): DomainResolver {
  if (!Array.isArray(patterns) || patterns.length === 0) {
    throw MdError.invalidOptions(
      `${name}: patterns must list at least one pattern, e.g. ["/stores/:domain/*"]`,
    );
  }
  const compiled = patterns.map((pattern) => compilePathPattern(pattern, name));
  let onlyHosts: ReadonlySet<string> | undefined;
  if (hosts !== undefined) {
    if (!Array.isArray(hosts)) throw MdError.invalidOptions(`${name}: hosts must be a list of host names`);
    onlyHosts = new Set(hosts.map((host) => normalizeHostOption(host, `${name}: hosts`)));
  }

  return {
    name,
    ...(onlyHosts === undefined ? {} : { reserved: { hosts: [...onlyHosts] } }),
    resolve: function resolvePath(req, ctx) {
      if (onlyHosts !== undefined && !onlyHosts.has(ctx.host)) return undefined;
      const path = req.path;
      if (typeof path !== 'string') return undefined;
      for (const pattern of compiled) {
        if (!path.startsWith(pattern.prefix)) continue;
        const answer = matchPattern(pattern, path, name);
        if (answer === undefined) continue;
        return ctx.domains.has(answer.domain) ? answer : undefined;
      }
      return undefined;
    },
  };
}

/**
 * Matches a path that starts with `pattern.prefix`. Throws on hostile paths
 * and invalid codes; answers `undefined` when the literal segments after the
 * domain do not follow. The registry is consulted by the caller, after every
 * check, so a hostile path is a 400 whether or not its domain exists.
 */
function matchPattern(pattern: PathPattern, path: string, via: string): Resolution | undefined {
  const start = pattern.prefix.length;
  let end = path.indexOf('/', start);
  if (end < 0) end = path.length;
  // `/stores/` with nothing after it is a listing page, not a domain.
  if (end === start && end === path.length) return undefined;
  const problem = findPathProblem(path, start - 1);
  if (problem !== undefined) throw MdError.invalidPath(path, problem);
  const code = toDomainCode(decodeSegment(path, start, end), pattern.errorSource);
  let at = end;
  for (const literal of pattern.after) {
    if (at >= path.length) return undefined;
    const next = at + 1 + literal.length;
    if (!path.startsWith(literal, at + 1) || (next < path.length && path.charCodeAt(next) !== 47)) {
      return undefined;
    }
    at = next;
  }
  // Without a trailing `*`, nothing but an optional final slash may follow.
  if (!pattern.rest && at < path.length - 1) return undefined;
  return {
    domain: code,
    via,
    path: end === path.length ? '/' : path.slice(end),
    cookiePath: pattern.prefix + code,
  };
}

/** The domain segment, percent-decoded exactly once. */
function decodeSegment(path: string, start: number, end: number): string {
  const raw = path.slice(start, end);
  if (raw.indexOf('%') < 0) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw MdError.invalidPath(path, 'it has malformed percent-encoding');
  }
}
