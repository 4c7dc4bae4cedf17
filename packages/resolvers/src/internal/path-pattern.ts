import { MdError } from '@md/core';
import { findPathProblem } from './path-safety.js';

/** A path pattern compiled once, at resolver creation. */
export interface PathPattern {
  readonly source: string;
  /** Everything before the `:domain` segment, with its closing slash: `/stores/`. */
  readonly prefix: string;
  /** Literal segments after `:domain` that must follow it: `['shop']`. */
  readonly after: readonly string[];
  /** True when the pattern ends in `/*` (any rest); otherwise the path must end after `after`. */
  readonly rest: boolean;
  /** How error messages name where a bad code came from. */
  readonly errorSource: string;
}

const LITERAL = /^[A-Za-z0-9._~!$&'()+,;=@-]+$/;

/**
 * Compiles `/stores/:domain/shop/*`: one or more literal segments, exactly
 * one `:domain` segment, more literal segments, and an optional final `*`.
 * The domain may not be the first segment: with `/:domain/*` every path on
 * the host (`/favicon.ico`…) would be read as a domain code.
 */
export function compilePathPattern(source: string, resolverName: string): PathPattern {
  const fail = (reason: string) =>
    MdError.invalidOptions(
      `${resolverName}: path pattern ${JSON.stringify(source)} ${reason} (e.g. "/stores/:domain/*" or "/stores/:domain/shop/*")`,
    );
  if (typeof source !== 'string' || source.charCodeAt(0) !== 47) throw fail('must start with "/"');
  const segments = source.slice(1).split('/');
  let rest = false;
  if (segments[segments.length - 1] === '*') {
    rest = true;
    segments.pop();
  }
  const at = segments.indexOf(':domain');
  if (at < 0) throw fail('has no ":domain" segment');
  if (segments.indexOf(':domain', at + 1) >= 0) throw fail('has more than one ":domain" segment');
  if (at === 0) throw fail('must start with a literal segment before ":domain"');
  for (const [i, segment] of segments.entries()) {
    if (i === at) continue;
    if (!LITERAL.test(segment) || segment === '.' || segment === '..' || findPathProblem(`/${segment}`, 0)) {
      throw fail(`has a segment ${JSON.stringify(segment)} that is not a plain literal`);
    }
  }
  return {
    source,
    prefix: `/${segments.slice(0, at).join('/')}/`,
    after: segments.slice(at + 1),
    rest,
    errorSource: `path segment for ":domain" in "${source}"`,
  };
}
