function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Finds what makes a raw (percent-encoded) path unsafe to split into a domain
 * and a clean path, looking from `from` (the index of a `/`) to the end, in
 * one pass with no allocation. Returns the reason, or `undefined` when the
 * path is safe. Unsafe: an empty segment (`//`, a trailing slash is fine), a
 * `.` or `..` segment in any spelling (`%2e`, `.%2E`…), a raw backslash, an
 * encoded slash or backslash (`%2f`, `%5c`), a double-encoded dot, slash or
 * backslash (`%252e`…), a raw or encoded control character, and malformed
 * percent-encoding.
 */
export function findPathProblem(path: string, from: number): string | undefined {
  const length = path.length;
  let segmentStart = from + 1;
  let dots = 0;
  let other = false;
  for (let i = from + 1; i <= length; i++) {
    const c = i < length ? path.charCodeAt(i) : 47;
    if (c === 47) {
      if (i === segmentStart && i < length) return 'it has an empty segment ("//")';
      if (!other && (dots === 1 || dots === 2)) return 'it has a "." or ".." segment';
      segmentStart = i + 1;
      dots = 0;
      other = false;
    } else if (c === 46) {
      dots++;
    } else if (c === 37) {
      const high = i + 2 < length ? hexValue(path.charCodeAt(i + 1)) : -1;
      const low = high < 0 ? -1 : hexValue(path.charCodeAt(i + 2));
      if (low < 0) return 'it has malformed percent-encoding';
      const value = high * 16 + low;
      if (value === 0x2f || value === 0x5c) return 'it has an encoded slash or backslash (%2f, %5c)';
      if (value < 0x20 || value === 0x7f) return 'it has an encoded control character';
      if (value === 0x25 && isDangerousEscape(path, i + 3)) {
        return 'it has a double-encoded dot, slash or backslash (%252e, %252f, %255c)';
      }
      if (value === 0x2e) dots++;
      else other = true;
      i += 2;
    } else if (c === 92) {
      return 'it has a backslash';
    } else if (c < 0x20 || c === 0x7f) {
      return 'it has a control character';
    } else {
      other = true;
    }
  }
  return undefined;
}

/** True when `path` at `at` spells `2e`, `2f` or `5c` (any case): the tail of `%252e` and friends. */
function isDangerousEscape(path: string, at: number): boolean {
  const a = path.charCodeAt(at);
  const b = path.charCodeAt(at + 1) | 0x20;
  return (a === 50 && (b === 101 || b === 102)) || (a === 53 && b === 99);
}
