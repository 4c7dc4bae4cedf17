import { domainToASCII } from 'node:url';
import { MdError } from '../errors/md-error.js';

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

const ASCII_HOST = /^[a-z0-9.-]+$/;
// Anything that could smuggle a path, credentials, a query or whitespace into a host.
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const FORBIDDEN_HOST_CHARS = /[\s/\\?#@%<>"'`{}|^\u0000-\u001f\u007f]/;
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * Normalises a Host header value: lower case, port and trailing dot removed,
 * IDN converted to punycode, and rejects anything that is not a host name
 * (path characters, spaces, control characters, over 253 characters, labels
 * over 63). Throws `INVALID_HOST`.
 *
 * @example
 * normalizeHost('WWW.Acme.COM.:8080'); // 'www.acme.com'
 * normalizeHost('bücher.example');     // 'xn--bcher-kva.example'
 */
export function normalizeHost(raw: string): string {
  let host = raw;
  // Fast path: the common already-normal host costs one regex test.
  if (ASCII_HOST.test(host) && host.length <= 253 && host.charCodeAt(host.length - 1) !== 46) {
    if (host.charCodeAt(0) === 46 || host.includes('..')) throw MdError.invalidHost(raw, 'empty label');
    return checkLabels(host, raw);
  }
  if (typeof host !== 'string' || host.length === 0) throw MdError.invalidHost(String(raw), 'it is empty');
  if (host.length > 260) throw MdError.invalidHost(raw, 'it is longer than 253 characters');
  if (FORBIDDEN_HOST_CHARS.test(host)) {
    throw MdError.invalidHost(
      raw,
      'it contains a space, control, path or other character a host cannot have',
    );
  }
  if (host.startsWith('[')) {
    // IPv6 literal, optionally with a port: [::1]:3000
    const end = host.indexOf(']');
    if (end < 0) throw MdError.invalidHost(raw, 'an IPv6 literal is not closed');
    const rest = host.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) throw MdError.invalidHost(raw, 'bad port');
    return host.slice(0, end + 1).toLowerCase();
  }
  const colon = host.lastIndexOf(':');
  if (colon >= 0) {
    const port = host.slice(colon + 1);
    if (!/^\d{1,5}$/.test(port)) throw MdError.invalidHost(raw, 'the port is not a number');
    host = host.slice(0, colon);
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  host = host.toLowerCase();
  if (!ASCII_HOST.test(host)) {
    const ascii = domainToASCII(host);
    if (ascii === '') throw MdError.invalidHost(raw, 'it is not a valid internationalised domain name');
    host = ascii;
  }
  if (host.length === 0) throw MdError.invalidHost(raw, 'it is empty');
  if (host.length > 253) throw MdError.invalidHost(raw, 'it is longer than 253 characters');
  return checkLabels(host, raw);
}

function checkLabels(host: string, raw: string): string {
  let start = 0;
  for (let i = 0; i <= host.length; i++) {
    if (i === host.length || host.charCodeAt(i) === 46) {
      const len = i - start;
      if (len === 0) throw MdError.invalidHost(raw, 'it has an empty label');
      if (len > 63) throw MdError.invalidHost(raw, 'a label is longer than 63 characters');
      start = i + 1;
    }
  }
  if (host.startsWith('-') || host.includes('-.') || host.includes('.-') || host.endsWith('-')) {
    if (!host.split('.').every((l) => LABEL.test(l))) {
      throw MdError.invalidHost(raw, 'a label starts or ends with "-"');
    }
  }
  return host;
}
