import { type Attack, attack, get, REFUSED_BY_NODE, refused, served } from './attack.js';

const frozen = (path: string) => get('frozen.example', path);
const platform = (path: string) => get('platform.test', path);
const badPath = (title: string, request: string) => attack(title, request, refused('INVALID_PATH'));
/** Served as a domain (the allow-list says so) but never by the route it tries to reach. */
const notAdmin = { status: 404, notRoute: 'admin', never: ['acme', 'globex'] } as const;

/** Paths that try to reach past the suspended allow-list, into another store, or carry bytes that are not UTF-8. */
export const PATH_ATTACKS: Attack[] = [
  // The suspended domain's allow-list is `/health` and `/billing/*`.
  attack(
    'the allow-list serves a suspended domain’s billing',
    frozen('/billing/invoices'),
    served('frozen', 'invoices'),
  ),
  attack('a suspended domain’s other pages are refused', frozen('/admin'), refused('DOMAIN_SUSPENDED', 403)),
  badPath('a ".." segment out of the allow-list', frozen('/billing/../admin')),
  badPath('an encoded ".." segment', frozen('/billing/%2e%2e/admin')),
  badPath('an upper-case encoded ".." segment', frozen('/billing/%2E%2E/admin')),
  badPath('a half-encoded ".." segment', frozen('/billing/.%2e/admin')),
  badPath('the other half-encoded ".." segment', frozen('/billing/%2e./admin')),
  badPath('".." and an encoded slash', frozen('/billing/..%2fadmin')),
  badPath('".." and an upper-case encoded slash', frozen('/billing/..%2Fadmin')),
  badPath('".." and a slash, all encoded', frozen('/billing/%2e%2e%2fadmin')),
  badPath('".." and an encoded backslash', frozen('/billing/..%5cadmin')),
  badPath('".." and a raw backslash', frozen('/billing/..\\admin')),
  badPath('a "." then a ".." segment', frozen('/billing/./../admin')),
  badPath('a double-encoded ".." segment', frozen('/billing/%252e%252e/admin')),
  badPath('a double-encoded ".." and slash', frozen('/billing/%252e%252e%252fadmin')),
  badPath('out of the health path', frozen('/health/../admin')),
  badPath('out of the health path, encoded', frozen('/health/%2e%2e/admin')),
  badPath('an encoded slash after the health path', frozen('/health%2f..%2fadmin')),
  badPath('two levels up from an allowed page', frozen('/billing/invoices/../../admin')),
  attack(
    '"..;" is a name, and the allow-list serves nothing behind it',
    frozen('/billing/..;/admin'),
    notAdmin,
  ),
  attack('an encoded "..;" is a name too', frozen('/billing/%2e%2e;/admin'), notAdmin),
  badPath('an empty segment before ".."', frozen('/billing//../admin')),
  badPath('a final encoded ".." segment', frozen('/billing/%2e%2e')),
  badPath('a final encoded "." segment', frozen('/billing/%2E')),
  attack(
    'an encoded unreserved letter is that letter, for md and the app alike',
    frozen('/b%69lling/invoices'),
    served('frozen', 'invoices', { url: '/billing/invoices' }),
  ),
  badPath('an encoded letter before ".."', frozen('/%62illing/../admin')),
  attack(
    'an encoded page name is still refused for a suspended domain',
    frozen('/%61dmin'),
    refused('DOMAIN_SUSPENDED', 403),
  ),
  badPath('an encoded NUL', frozen('/admin%00')),
  badPath('an encoded line feed', frozen('/admin%0a')),
  badPath('an encoded "#" then ".."', frozen('/billing/invoices%23/../../admin')),
  badPath('a raw "#" then ".."', frozen('/billing/invoices#/../../admin')),
  // Path mode: the clean path is what the allow-list checks.
  badPath('path mode: ".." out of the allow-list', platform('/stores/frozen/billing/../admin')),
  badPath('path mode: an encoded ".."', platform('/stores/frozen/billing/%2e%2e/admin')),
  badPath('path mode: ".." and an encoded slash', platform('/stores/frozen/billing/..%2fadmin')),
  badPath('path mode: two levels up, encoded slashes', platform('/stores/frozen/health/..%2f..%2fadmin')),
  attack(
    'path mode: the allow-list serves the clean path',
    platform('/stores/frozen/billing/invoices'),
    served('frozen', 'invoices', { url: '/billing/invoices' }),
  ),
  attack(
    'path mode: a suspended store’s other pages are refused',
    platform('/stores/frozen/admin'),
    refused('DOMAIN_SUSPENDED', 403),
  ),
  // No spelling of a path moves a request into another store.
  badPath('".." into another store, encoded', platform('/stores/acme/%2e%2e/globex/whoami')),
  badPath('".." and an encoded slash into another store', platform('/stores/acme/..%2fglobex/whoami')),
  badPath('an encoded slash in the store code', platform('/stores/acme%2f..%2fglobex/whoami')),
  badPath('".." as the store code', platform('/stores/%2e%2e/globex/whoami')),
  badPath('a raw ".." into another store', platform('/stores/acme/../globex/whoami')),
  attack(
    'an encoded letter in the store code is decoded once',
    platform('/stores/%61cme/whoami'),
    served('acme', 'whoami', { url: '/whoami' }),
  ),
  attack(
    'an upper-case store code is folded',
    platform('/stores/ACME/whoami'),
    served('acme', 'whoami', { url: '/whoami' }),
  ),
  badPath('a NUL after the store code', platform('/stores/acme%00/whoami')),
  badPath('a byte that is never UTF-8 after the store code', platform('/stores/acme/%ff/x')),
  badPath('an overlong dot after the store code', platform('/stores/acme/%c0%ae/x')),
  badPath('overlong dots into another store', platform('/stores/acme/%c0%ae%c0%ae/globex')),
  badPath('a three-byte overlong dot', platform('/stores/acme/%e0%80%ae/x')),
  badPath('an encoded surrogate', platform('/stores/acme/%ed%a0%80/x')),
  badPath('a five-byte sequence', platform('/stores/acme/%f8%88%80%80%80/x')),
  badPath('a cut-off UTF-8 sequence', platform('/stores/acme/%c3/x')),
  badPath('malformed percent-encoding', platform('/stores/acme/%zz/x')),
  badPath('a lone "%"', platform('/stores/acme/%')),
  badPath('a cut-off escape', platform('/stores/acme/x%2')),
  badPath('a double-encoded ".." after the store code', platform('/stores/acme/%252e%252e/globex')),
  badPath('backslashes into another store', platform('/stores/acme/x\\..\\..\\globex')),
  attack(
    'the root domain’s name as the store code',
    platform('/stores/_main_/whoami'),
    refused('INVALID_DOMAIN_NAME'),
  ),
  badPath('a double-encoded slash in the store code', platform('/stores/acme%252fglobex/whoami')),
  badPath('an upper-case encoded slash in the store code', platform('/stores/acme%2Fglobex/whoami')),
  // What an error repeats of what it was sent.
  attack(
    'a 4,000-character path on an unknown host: the 404 repeats at most 100 characters',
    get('nobody.example', `/${'a'.repeat(4000)}`),
    {
      ...refused('DOMAIN_NOT_FOUND', 404),
      maxMessage: 300,
    },
  ),
  attack(
    'a 4,000-character store code: the 400 repeats at most 100 characters',
    platform(`/stores/${'a'.repeat(4000)}/x`),
    {
      ...refused('INVALID_DOMAIN_NAME'),
      maxMessage: 400,
    },
  ),
  attack('1,000 bad bytes: the 400 repeats at most 100 characters', platform(`/x/${'%ff'.repeat(1000)}`), {
    ...refused('INVALID_PATH'),
    maxMessage: 300,
  }),
  attack('a raw non-ASCII byte in the target', frozen('/caf\u00e9'), REFUSED_BY_NODE),
  attack('a space in the target', frozen('/who ami'), REFUSED_BY_NODE),
];
