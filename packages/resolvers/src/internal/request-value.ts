import { type DomainResolver, MdError, type RequestLike } from '@md/core';
import { toDomainCode } from './domain-code.js';
import { compilePathList } from './path-list.js';

/** @internal What the header and query resolvers share. */
export interface RequestValueOptions {
  name: string;
  enabled: boolean;
  trust: ((req: RequestLike) => boolean) | undefined;
  paths: readonly string[] | undefined;
  /** Where the value comes from, for error messages: `header "x-tenant-id"`. */
  source: string;
  read(req: RequestLike): unknown;
}

/**
 * Builds a resolver that reads a domain code from a client-controlled value
 * (a header or a query parameter). It answers only when enabled, on an
 * allowed path, for a trusted caller, and for a registered domain, in that
 * order, so a disabled resolver costs one branch and never reads the request.
 */
export function createRequestValueResolver(options: RequestValueOptions): DomainResolver {
  const { name, enabled, trust, source, read } = options;
  if (typeof enabled !== 'boolean') throw MdError.invalidOptions(`${name}: "enabled" must be true or false`);
  if (trust !== undefined && typeof trust !== 'function') {
    throw MdError.invalidOptions(`${name}: "trust" must be a function (req) => boolean`);
  }
  const paths = options.paths === undefined ? undefined : compilePathList(options.paths, `${name}: paths`);
  return {
    name,
    resolve: function resolveRequestValue(req, ctx) {
      if (!enabled) return undefined;
      if (paths !== undefined && !paths.matches(req.path)) return undefined;
      const value = read(req);
      if (typeof value !== 'string' || value === '') return undefined;
      if (trust !== undefined && trust(req) !== true) return undefined;
      const code = toDomainCode(value, source);
      return ctx.domains.has(code) ? { domain: code, via: name } : undefined;
    },
  };
}
