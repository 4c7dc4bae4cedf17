import { MdError } from '@md/core';

/**
 * Folds `value` to a domain code and checks it against
 * `^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$` in one pass, without a regex or an
 * allocation for the common (already lower-case) value. Only ASCII `A-Z` is
 * folded: `String#toLowerCase` alone would turn the Kelvin sign (U+212A) into
 * an ASCII `k` and let a look-alike name a real domain.
 *
 * Throws `INVALID_DOMAIN_NAME` (400) naming `source`.
 */
export function toDomainCode(value: string, source: string): string {
  const length = value.length;
  if (length < 3 || length > 50) throw MdError.invalidDomainCode(value, source);
  let upper = false;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) continue;
    if (c >= 65 && c <= 90) {
      upper = true;
      continue;
    }
    if (c === 45 && i !== 0 && i !== length - 1) continue;
    throw MdError.invalidDomainCode(value, source);
  }
  return upper ? value.toLowerCase() : value;
}
