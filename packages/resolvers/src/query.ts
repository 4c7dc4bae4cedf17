import { type DomainResolver, MdError, type RequestLike } from '@md/core';
import { createRequestValueResolver } from './internal/request-value.js';

/**
 * Options of {@link queryResolver}: off unless `enabled`; `trust` and
 * `paths` limit which callers and routes may name a domain by parameter.
 *
 * @example
 * queryResolver({ enabled: true, param: 'org', paths: ['/preview/*'] });
 */
export interface QueryResolverOptions {
  /** The query parameter carrying the domain code (default `'tenant_id'`). */
  param?: string;
  /** Off unless `true`: anyone can put a parameter in a link. */
  enabled?: boolean;
  /** When given, the parameter counts only for requests it returns `true` for. */
  trust?: (req: RequestLike) => boolean;
  /** When given, the parameter counts only on these paths (`/preview` exactly, `/preview/*` as a prefix). */
  paths?: string[];
  /** The resolver's name, also reported as `via` (default `'query'`). */
  name?: string;
}

/**
 * The query resolver: `?tenant_id=acme` names the domain `acme`, for
 * previews, support tools and local development. Off by default, because a
 * link can carry any parameter (and gets shared, bookmarked and logged):
 * enable it and limit it with `trust` and `paths`. The first value of the
 * parameter is folded to lower case and must be a domain code (400
 * `INVALID_DOMAIN_NAME` otherwise); a code nobody registered is left to the
 * next resolver. Low trust.
 *
 * @example
 * queryResolver({ enabled: process.env.NODE_ENV !== 'production', paths: ['/preview/*'] });
 * // GET /preview/home?tenant_id=acme -> 'acme' via 'query'
 */
export function queryResolver({
  param = 'tenant_id',
  enabled = false,
  trust,
  paths,
  name = 'query',
}: QueryResolverOptions = {}): DomainResolver {
  if (typeof param !== 'string' || param === '') {
    throw MdError.invalidOptions(`${name}: param must be a query parameter name, e.g. "tenant_id"`);
  }
  return createRequestValueResolver({
    name,
    enabled,
    trust,
    paths,
    source: `query parameter "${param}"`,
    read: (req) => req.query.get(param),
  });
}
