import { MdError } from '../errors/md-error.js';

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** RFC 3986 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~". */
function isUnreserved(v: number): boolean {
  return (
    (v >= 97 && v <= 122) ||
    (v >= 65 && v <= 90) ||
    (v >= 48 && v <= 57) ||
    v === 45 ||
    v === 46 ||
    v === 95 ||
    v === 126
  );
}

/** How many continuation bytes a UTF-8 lead byte needs, and the range its first one must fall in (Unicode table 3-7). */
function utf8Lead(v: number): { more: number; low: number; high: number } | undefined {
  if (v >= 0xc2 && v <= 0xdf) return { more: 1, low: 0x80, high: 0xbf };
  if (v === 0xe0) return { more: 2, low: 0xa0, high: 0xbf };
  if (v === 0xed) return { more: 2, low: 0x80, high: 0x9f };
  if (v >= 0xe1 && v <= 0xef) return { more: 2, low: 0x80, high: 0xbf };
  if (v === 0xf0) return { more: 3, low: 0x90, high: 0xbf };
  if (v >= 0xf1 && v <= 0xf3) return { more: 3, low: 0x80, high: 0xbf };
  if (v === 0xf4) return { more: 3, low: 0x80, high: 0x8f };
  return undefined;
}

const fail = (path: string, reason: string) => MdError.invalidPath(path, reason);

/** The ASCII characters that send a path to the careful scan: controls, space, `#`, `%`, `.`, `\`. */
const LOOK_CLOSER = new Uint8Array(0x7f);
for (let c = 0; c <= 0x20; c++) LOOK_CLOSER[c] = 1;
for (const c of [35, 37, 46, 92]) LOOK_CLOSER[c] = 1;

/**
 * The one path every resolver, policy, plugin hook and framework sees,
 * made once per request: percent-encoded unreserved characters are decoded
 * (`/%62illing` is `/billing`, RFC 3986 §6.2.2.2), and a path whose meaning
 * layers could disagree on is refused with `INVALID_PATH` (400) instead of
 * being served: a `.` or `..` segment in any spelling (`%2e%2e`, `.%2E`),
 * an encoded slash or backslash (`%2f`, `%5c`), a raw backslash, a
 * double-encoded dot, slash or backslash (`%252e`…), a raw or encoded control
 * character, a raw space or non-ASCII byte, a `#`, malformed percent-encoding,
 * and percent-encoded bytes that are not UTF-8 (`%ff`, the overlong `%c0%ae`,
 * surrogates). Browsers already remove dot segments and never send the rest
 * (WHATWG URL), so only hand-made requests are refused. Other escapes are
 * kept as they came. One scan; a path with nothing to decode is answered as
 * is, with no allocation.
 *
 * @example
 * normalizePath('/b%69lling/x');      // '/billing/x'
 * normalizePath('/billing/../admin'); // throws INVALID_PATH
 */
export function normalizePath(path: string): string {
  // Most paths hold nothing to decode or refuse: one tight scan answers them as they are.
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c >= 0x7f || LOOK_CLOSER[c] === 1) return carefully(path);
  }
  return path;
}

function carefully(path: string): string {
  const length = path.length;
  let out: string | undefined;
  let copied = 0;
  let dots = 0;
  let other = false;
  let pending = 0;
  let low = 0x80;
  let high = 0xbf;
  for (let i = 0; i <= length; i++) {
    const c = i < length ? path.charCodeAt(i) : 47;
    if (pending > 0 && c !== 37) throw fail(path, 'it has percent-encoded bytes that are not UTF-8');
    if (c === 47) {
      if (!other && (dots === 1 || dots === 2)) throw fail(path, 'it has a "." or ".." segment');
      dots = 0;
      other = false;
    } else if (c === 46) {
      dots++;
    } else if (c === 37) {
      const hi = i + 2 < length ? hexValue(path.charCodeAt(i + 1)) : -1;
      const lo = hi < 0 ? -1 : hexValue(path.charCodeAt(i + 2));
      if (lo < 0) throw fail(path, 'it has malformed percent-encoding');
      const v = hi * 16 + lo;
      if (pending > 0) {
        if (v < low || v > high) throw fail(path, 'it has percent-encoded bytes that are not UTF-8');
        pending--;
        low = 0x80;
        high = 0xbf;
      } else if (v >= 0x80) {
        const lead = utf8Lead(v);
        if (lead === undefined) throw fail(path, 'it has percent-encoded bytes that are not UTF-8');
        ({ more: pending, low, high } = lead);
      } else if (v === 0x2f || v === 0x5c) {
        throw fail(path, 'it has an encoded slash or backslash (%2f, %5c)');
      } else if (v < 0x20 || v === 0x7f) {
        throw fail(path, 'it has an encoded control character');
      } else if (v === 0x25 && isDangerousEscape(path, i + 3)) {
        throw fail(path, 'it has a double-encoded dot, slash or backslash (%252e, %252f, %255c)');
      } else if (isUnreserved(v)) {
        out = (out ?? '') + path.slice(copied, i) + String.fromCharCode(v);
        copied = i + 3;
      }
      if (v === 0x2e) dots++;
      else other = true;
      i += 2;
    } else if (c === 92) {
      throw fail(path, 'it has a backslash');
    } else if (c === 35) {
      throw fail(path, 'it has a "#" (a fragment is never sent to a server)');
    } else if (c <= 0x20 || c >= 0x7f) {
      throw fail(path, 'it has a space, control or non-ASCII character (percent-encode it as UTF-8)');
    } else {
      other = true;
    }
  }
  return out === undefined ? path : out + path.slice(copied);
}

/** True when `path` at `at` spells `2e`, `2f` or `5c` (any case): the tail of `%252e` and friends. */
function isDangerousEscape(path: string, at: number): boolean {
  const a = path.charCodeAt(at);
  const b = path.charCodeAt(at + 1) | 0x20;
  return (a === 50 && (b === 101 || b === 102)) || (a === 53 && b === 99);
}
