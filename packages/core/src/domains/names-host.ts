import { domainToASCII, domainToUnicode } from 'node:url';
import { MdError } from '../errors/md-error.js';

// Anything that could smuggle a path, credentials, a query, an escape or whitespace into a host.
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const FORBIDDEN_HOST_CHARS = /[\s/\\?#@%<>"'`{}|^\u0000-\u001f\u007f]/;
const PORT = /^\d{1,5}$/;
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** Distinct raw hosts the slow path remembers (IP literals, IDNs, ports); the cache is emptied when full. */
const CACHE_LIMIT = 1024;
const cache = new Map<string, string>();

/**
 * The careful half of `normalizeHost`, for every host that is not already
 * plain lower-case ASCII: the port is split off (and checked), one trailing
 * dot removed, and the rest parsed by the WHATWG URL host parser (Node's
 * `URL`), so md and every browser agree on which host a spelling names:
 * IPv6 literals are validated and canonicalised (`[0:0::1]` is `[::1]`),
 * IPv4 number forms too (`0x7f.1` is `127.0.0.1`), IDNs become punycode.
 * md then refuses what WHATWG would accept but a host name cannot be here:
 * `xn--` labels that are not the canonical encoding of a valid Unicode
 * label (`xn--a`, an encoded zero-width joiner or U+FFFD), labels outside
 * `[a-z0-9_-]` or starting or ending with `-`, empty labels, and lengths
 * over 63 per label or 253 in all. Successful answers are cached per raw
 * string (bounded).
 */
export function normalizeHostSlow(raw: string): string {
  const cached = cache.get(raw);
  if (cached !== undefined) return cached;
  const host = parse(raw);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(raw, host);
  return host;
}

function parse(raw: string): string {
  if (raw.length > 261) throw MdError.invalidHost(raw, 'it is longer than 253 characters');
  if (FORBIDDEN_HOST_CHARS.test(raw)) {
    throw MdError.invalidHost(
      raw,
      'it contains a space, control, path or other character a host cannot have',
    );
  }
  if (raw.charCodeAt(0) === 91) return ipv6(raw);
  if (raw.includes('[') || raw.includes(']'))
    throw MdError.invalidHost(raw, 'a bracket outside an IPv6 literal');
  let host = raw;
  const colon = host.lastIndexOf(':');
  if (colon >= 0) {
    checkPort(raw, host.slice(colon + 1));
    host = host.slice(0, colon);
    if (host.includes(':')) throw MdError.invalidHost(raw, 'a colon outside an IPv6 literal');
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host.length === 0) throw MdError.invalidHost(raw, 'it is empty');
  let ascii: string;
  try {
    ascii = new URL(`http://${host}/`).hostname;
  } catch {
    throw MdError.invalidHost(
      raw,
      'it is not a host name, an IPv4 address or an internationalised domain name a URL can hold',
    );
  }
  if (IPV4.test(ascii)) return ascii;
  if (ascii.length > 253) throw MdError.invalidHost(raw, 'it is longer than 253 characters');
  for (const label of ascii.split('.')) checkLabel(raw, label);
  return ascii;
}

function ipv6(raw: string): string {
  const end = raw.indexOf(']');
  if (end < 0) throw MdError.invalidHost(raw, 'an IPv6 literal is not closed');
  checkPortPart(raw, raw.slice(end + 1));
  const literal = raw.slice(0, end + 1);
  if (literal.indexOf('[', 1) >= 0) throw MdError.invalidHost(raw, 'a bracket inside an IPv6 literal');
  try {
    return new URL(`http://${literal}/`).hostname;
  } catch {
    throw MdError.invalidHost(raw, 'the bracketed part is not an IPv6 address');
  }
}

function checkPortPart(raw: string, rest: string): void {
  if (rest === '') return;
  if (rest.charCodeAt(0) !== 58) throw MdError.invalidHost(raw, 'only a port may follow an IPv6 literal');
  checkPort(raw, rest.slice(1));
}

function checkPort(raw: string, port: string): void {
  if (!PORT.test(port) || Number(port) > 65535) {
    throw MdError.invalidHost(raw, 'the port is not a number from 0 to 65535');
  }
}

function checkLabel(raw: string, label: string): void {
  if (label.length === 0) throw MdError.invalidHost(raw, 'it has an empty label');
  if (label.length > 63) throw MdError.invalidHost(raw, 'a label is longer than 63 characters');
  if (!LABEL.test(label)) {
    throw MdError.invalidHost(
      raw,
      'a label has a character other than a-z, 0-9, "_" and "-", or starts or ends with "-"',
    );
  }
  if (label.startsWith('xn--')) {
    // WHATWG URL passes `xn--` labels through unchecked: decode them and hold the
    // Unicode form to the same rules, so an encoding cannot smuggle what its Unicode form is refused for.
    const unicode = domainToUnicode(label);
    if (unicode === label || domainToASCII(unicode) !== label) {
      throw MdError.invalidHost(
        raw,
        `the label "${label.slice(0, 63)}" is not the punycode of a valid internationalised label`,
      );
    }
  }
}
