import { type DomainResolver, MdError, type RequestLike } from '@md/core';
import { createRequestValueResolver } from './internal/request-value.js';

/**
 * Options of {@link headerResolver}: off unless `enabled`; `trust` and
 * `paths` limit which callers and routes may name a domain by header.
 *
 * @example
 * headerResolver({ enabled: true, header: 'x-org', paths: ['/internal/*'] });
 */
export interface HeaderResolverOptions {
  /** The header carrying the domain code (default `'x-tenant-id'`; matched case-insensitively). */
  header?: string;
  /** Off unless `true`: any client can send a header. */
  enabled?: boolean;
  /** When given, the header counts only for requests it returns `true` for (e.g. an internal caller's IP). */
  trust?: (req: RequestLike) => boolean;
  /** When given, the header counts only on these paths (`/internal/sync` exactly, `/internal/*` as a prefix). */
  paths?: string[];
  /** The resolver's name, also reported as `via` (default `'header'`). */
  name?: string;
}

/**
 * The header resolver: `X-Tenant-ID: acme` names the domain `acme`, for
 * service-to-service calls and API gateways that already know the tenant.
 * Off by default, because any client can set a header: enable it and limit it
 * with `trust` (which callers) and `paths` (which routes). A path with dot
 * segments or encoded slashes never matches `paths`. The value is folded to
 * lower case and must be a domain code (400 `INVALID_DOMAIN_NAME` otherwise);
 * a code nobody registered is left to the next resolver. Low trust unless
 * `trust` checks something the client cannot forge.
 *
 * @example
 * headerResolver({
 *   enabled: true,
 *   paths: ['/internal/*'],
 *   trust: (req) => req.ip === '10.0.0.5',
 * });
 * // GET /internal/sync, X-Tenant-ID: ACME, from 10.0.0.5 -> 'acme' via 'header'
 */
export function headerResolver({
  header = 'x-tenant-id',
  enabled = false,
  trust,
  paths,
  name = 'header',
}: HeaderResolverOptions = {}): DomainResolver {
  if (typeof header !== 'string' || header === '') {
    throw MdError.invalidOptions(`${name}: header must be a header name, e.g. "x-tenant-id"`);
  }
  const key = header.toLowerCase();
  return createRequestValueResolver({
    name,
    enabled,
    trust,
    paths,
    source: `header "${key}"`,
    read: (req) => req.headers.get(key),
  });
}
