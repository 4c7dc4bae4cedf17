import { MdError } from '../errors/md-error.js';
import { normalizeHostSlow } from './names-host.js';

/** The pattern every domain name (code) must match; the root domain `_main_` is the only exception. */
export const DOMAIN_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$/;

/** True when `name` is a valid domain code. */
export function isValidDomainName(name: unknown): name is string {
  return typeof name === 'string' && DOMAIN_NAME_PATTERN.test(name);
}

/**
 * Returns `name` when it is a valid domain code, otherwise throws
 * `INVALID_DOMAIN_NAME`.
 *
 * @example
 * assertDomainName('acme'); // 'acme'
 * assertDomainName('../x'); // throws MdError INVALID_DOMAIN_NAME
 */
export function assertDomainName(name: unknown): string {
  if (!isValidDomainName(name)) throw MdError.invalidDomainName(name);
  return name;
}

/**
 * Normalises a Host header value (or a host in a definition or an option)
 * the way the WHATWG URL host parser does, or refuses it: lower case, port
 * and one trailing dot removed, IDN converted to punycode, IPv6 literals
 * and IPv4 number forms canonicalised (`[0:0::1]` → `[::1]`, `0x7f.1` →
 * `127.0.0.1`), `xn--` labels checked like their Unicode form. Refuses
 * anything that is not a host name: path or other forbidden characters,
 * spaces, control characters, over 253 characters, labels over 63, empty
 * labels, labels starting or ending with `-`, invalid IP literals. Throws
 * `INVALID_HOST`. Plain lower-case ASCII names answer after one scan, with no
 * allocation; every other spelling goes through Node's `URL` once and is
 * remembered (a bounded cache).
 *
 * @example
 * normalizeHost('WWW.Acme.COM.:8080'); // 'www.acme.com'
 * normalizeHost('bücher.example');     // 'xn--bcher-kva.example'
 * normalizeHost('[0:0::1]:3000');      // '[::1]'
 * normalizeHost('0x7f.1');             // '127.0.0.1'
 */
export function normalizeHost(raw: string): string {
  if (typeof raw !== 'string' || raw.length === 0)
    throw MdError.invalidHost(String(raw ?? ''), 'it is empty');
  return isPlainHost(raw) ? raw : normalizeHostSlow(raw);
}

/**
 * True when `host` is already in the form WHATWG would answer and md accepts:
 * `[a-z0-9.-]` only, at most 253 characters, labels of 1 to 63 characters not
 * starting or ending with `-`, no `xn--` label (those are decoded and checked
 * on the slow path) and a last label that does not start with a digit (which
 * WHATWG reads as an IPv4 number).
 */
function isPlainHost(host: string): boolean {
  const length = host.length;
  if (length > 253) return false;
  let start = 0;
  for (let i = 0; i <= length; i++) {
    const c = i < length ? host.charCodeAt(i) : 46;
    if (c === 46) {
      const size = i - start;
      if (size === 0 || size > 63) return false;
      if (host.charCodeAt(start) === 45 || host.charCodeAt(i - 1) === 45) return false;
      // `--` in third and fourth place (`xn--`): punycode is decoded and checked on the slow path.
      if (size >= 4 && host.charCodeAt(start + 2) === 45 && host.charCodeAt(start + 3) === 45) return false;
      if (i === length && host.charCodeAt(start) <= 57) return false;
      start = i + 1;
    } else if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45)) {
      return false;
    }
  }
  return true;
}
