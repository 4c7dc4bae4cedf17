import type { IncomingMessage } from 'node:http';
import { normalizeHost } from '../domains/names.js';
import { MdError } from '../errors/md-error.js';

const ABSOLUTE = /^https?:\/\//i;

/** What an absolute-form target says, once it agrees with the `Host` header. */
export interface AbsoluteTarget {
  /** The host the request names (the target's authority when there is no `Host` header). */
  readonly host: string;
  /** The target's path in origin-form (`/x` of `http://acme.com/x`), not yet normalised. */
  readonly path: string;
}

/**
 * Reads a request-target that is not a path (`rawPath` does not start with
 * `/`), refusing what cannot be attributed to one host: an absolute-form
 * target (`GET http://acme.com/x`, RFC 9112 §3.2.2) whose authority names
 * another host than `Host` (or has userinfo, or another scheme than
 * http/https), and anything else but `*` for `OPTIONS`. Never runs for an
 * origin-form target.
 */
export function readOtherTarget(method: string | undefined, rawPath: string, host: string): AbsoluteTarget {
  if (rawPath === '*' && method === 'OPTIONS') return { host, path: rawPath };
  if (!ABSOLUTE.test(rawPath)) {
    throw MdError.invalidPath(rawPath, 'the request target is not a path ("/…") nor an absolute http(s) URL');
  }
  const start = rawPath.indexOf('//') + 2;
  const slash = rawPath.indexOf('/', start);
  const authority = rawPath.slice(start, slash < 0 ? rawPath.length : slash);
  const path = slash < 0 ? '/' : rawPath.slice(slash);
  if (authority.includes('@'))
    throw MdError.invalidHost(authority, 'an absolute-form target may not carry credentials');
  if (host === '') return { host: authority, path };
  if (normalizeHost(authority) !== normalizeHost(host)) {
    throw MdError.invalidHost(
      host,
      `the request target names another host (${JSON.stringify(authority.slice(0, 100))}); send the two alike, or a path as the target`,
    );
  }
  return { host, path };
}

/**
 * Refuses a Host header that is not visible ASCII: on the wire a host is
 * ASCII (an IDN travels as punycode), and Node reads other bytes as
 * Latin-1, which another layer would read as something else.
 */
export function assertAsciiHost(host: string): string {
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) {
      throw MdError.invalidHost(
        host,
        'a Host header is visible ASCII: send an internationalised name as punycode (xn--…)',
      );
    }
  }
  return host;
}

/**
 * The `Host` header (RFC 9112 §3.2), refusing a request that sends two: one scan of
 * `rawHeaders`, no allocation, the value read there (not through `req.headers`, which
 * Node builds on first use).
 */
export function singleHost(req: IncomingMessage): string {
  const raw = req.rawHeaders;
  let host: string | undefined;
  let count = 0;
  // rawHeaders is [name, value, name, value…]; names keep the client's case.
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    // h, o, s, t in any case, without comparing strings (names are never internalised).
    if (
      name.length === 4 &&
      (name.charCodeAt(0) | 0x20) === 104 &&
      (name.charCodeAt(1) | 0x20) === 111 &&
      (name.charCodeAt(2) | 0x20) === 115 &&
      (name.charCodeAt(3) | 0x20) === 116 &&
      count++ === 0
    )
      host = raw[i + 1];
  }
  if (count > 1) throw MdError.invalidHost(host ?? '', 'the request has two Host headers (RFC 9112 §3.2)');
  return host ?? '';
}
