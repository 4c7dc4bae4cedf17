import { type Attack, attack, get, refused, served } from './attack.js';

const withCookie = (host: string, cookie: string) => get(host, '/whoami', [['Cookie', cookie]]);

/** The cookie resolver chooses a domain only on the hosts configured for it (here the root host). */
export const COOKIE_ATTACKS: Attack[] = [
  attack(
    'a cookie on an unknown host',
    withCookie('nobody.example', 'md_domain=acme'),
    refused('DOMAIN_NOT_FOUND', 404),
  ),
  attack(
    'a cookie on a reserved label of the base domain',
    withCookie('www.platform.test', 'md_domain=acme'),
    refused('DOMAIN_NOT_FOUND', 404),
  ),
  attack(
    'a cookie on an unregistered subdomain',
    withCookie('ghost.platform.test', 'md_domain=acme'),
    refused('DOMAIN_NOT_FOUND', 404),
  ),
  attack(
    'a cookie on the api label',
    withCookie('api.platform.test', 'md_domain=acme'),
    refused('DOMAIN_NOT_FOUND', 404),
  ),
  attack(
    'a cookie on an unknown address',
    withCookie('[::2]', 'md_domain=acme'),
    refused('DOMAIN_NOT_FOUND', 404),
  ),
  attack(
    'a cookie on a look-alike of the root host',
    withCookie('platform.test.evil.example', 'md_domain=acme'),
    refused('DOMAIN_NOT_FOUND', 404),
  ),
  attack(
    'a cookie on a bad punycode host',
    withCookie('xn--a.platform.test', 'md_domain=acme'),
    refused('INVALID_HOST'),
  ),
  attack(
    'a cookie with two Cookie headers on an unknown host',
    get('nobody.example', '/whoami', [
      ['Cookie', 'md_domain=acme'],
      ['Cookie', 'md_domain=globex'],
    ]),
    refused('DOMAIN_NOT_FOUND', 404),
  ),
  attack(
    'the cookie chooses on the root host it is configured for',
    withCookie('platform.test', 'md_domain=acme'),
    served('acme'),
  ),
  attack(
    'an upper-case cookie value is folded',
    withCookie('platform.test', 'md_domain=ACME'),
    served('acme'),
  ),
  attack(
    'a tampered cookie value',
    withCookie('platform.test', 'md_domain=../acme'),
    refused('INVALID_DOMAIN_NAME'),
  ),
  attack(
    'the root domain’s name in the cookie',
    withCookie('platform.test', 'md_domain=_main_'),
    refused('INVALID_DOMAIN_NAME'),
  ),
  attack(
    'a cookie naming a suspended domain',
    withCookie('platform.test', 'md_domain=frozen'),
    refused('DOMAIN_SUSPENDED', 403),
  ),
  attack(
    'the first of two md_domain cookies counts',
    withCookie('platform.test', 'md_domain=acme; md_domain=globex'),
    served('acme'),
  ),
  attack('a custom host beats the cookie', withCookie('acme.example', 'md_domain=globex'), served('acme')),
  attack(
    'a subdomain beats the cookie',
    withCookie('initech.platform.test', 'md_domain=globex'),
    served('initech'),
  ),
  attack(
    'a suspended domain’s host beats the cookie',
    withCookie('frozen.example', 'md_domain=acme'),
    refused('DOMAIN_SUSPENDED', 403),
  ),
  attack(
    'a cookie of a removed domain on the root host falls back to the root domain',
    withCookie('platform.test', 'md_domain=ghost'),
    served('_main_'),
  ),
];
