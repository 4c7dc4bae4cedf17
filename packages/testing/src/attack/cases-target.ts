import { type Attack, attack, get, REFUSED_BY_NODE, refused, served } from './attack.js';
import { rawRequest } from './raw-client.js';

/** Request-targets that name a host of their own (absolute-form) or are not a path at all. */
export const TARGET_ATTACKS: Attack[] = [
  attack(
    'an absolute-form target naming another domain than Host',
    get('acme.example', 'http://globex.example/whoami'),
    refused('INVALID_HOST'),
  ),
  attack(
    'an absolute-form target naming the Host is served on its path',
    get('acme.example', 'http://acme.example/whoami'),
    served('acme', 'whoami', { url: '/whoami' }),
  ),
  attack(
    'an absolute-form target in another spelling of the Host',
    get('acme.example', 'http://ACME.example:80/whoami'),
    served('acme', 'whoami', { url: '/whoami' }),
  ),
  attack('an upper-case scheme', get('acme.example', 'HTTP://acme.example/whoami'), served('acme')),
  attack(
    'an https target naming another domain',
    get('acme.example', 'https://globex.example/whoami'),
    refused('INVALID_HOST'),
  ),
  attack(
    'credentials in an absolute-form target',
    get('acme.example', 'http://user@acme.example/whoami'),
    refused('INVALID_HOST'),
  ),
  attack(
    'credentials naming another host',
    get('acme.example', 'http://acme.example@globex.example/whoami'),
    refused('INVALID_HOST'),
  ),
  attack(
    'user and password in the target',
    get('acme.example', 'http://user:pw@globex.example/whoami'),
    refused('INVALID_HOST'),
  ),
  attack('another scheme', get('acme.example', 'ftp://acme.example/whoami'), refused('INVALID_PATH')),
  attack(
    'a subdomain target with another subdomain as Host',
    get('acme.platform.test', 'http://globex.platform.test/whoami'),
    refused('INVALID_HOST'),
  ),
  attack(
    'a path-mode target with a custom host as Host',
    get('acme.example', 'http://platform.test/stores/globex/whoami'),
    refused('INVALID_HOST'),
  ),
  attack(
    'a custom-host target with the root host as Host',
    get('platform.test', 'http://acme.example/stores/globex/whoami'),
    refused('INVALID_HOST'),
  ),
  attack(
    'two spellings of ::1 as target and Host',
    get('[0:0::1]', 'http://[::1]/whoami'),
    served('loopback', 'whoami', { url: '/whoami' }),
  ),
  attack(
    'two spellings of 127.0.0.1 as target and Host',
    get('127.0.0.1', 'http://0x7f.1/whoami'),
    served('loopback'),
  ),
  attack(
    'an absolute-form target without a Host (HTTP/1.0)',
    rawRequest({ target: 'http://acme.example/whoami', version: 'HTTP/1.0' }),
    served('acme'),
  ),
  attack(
    'an absolute-form target against another Host (HTTP/1.0)',
    rawRequest({ target: 'http://globex.example/whoami', host: 'acme.example', version: 'HTTP/1.0' }),
    refused('INVALID_HOST'),
  ),
  attack(
    'an absolute-form target keeps its query',
    get('acme.example', 'http://acme.example/whoami?x=1'),
    served('acme', 'whoami', { url: '/whoami?x=1' }),
  ),
  attack('an absolute-form target with no path', get('acme.example', 'http://acme.example'), {
    status: 404,
    never: ['globex'],
  }),
  attack(
    'a network-path target is a path, never the host it looks like',
    get('acme.example', '//globex.example/whoami'),
    { status: 404, never: ['globex'] },
  ),
  attack('a target that is not a path', get('acme.example', 'whoami'), REFUSED_BY_NODE),
  attack('an asterisk target with GET', get('acme.example', '*'), refused('INVALID_PATH')),
  attack(
    'dot segments in an absolute-form target',
    get('acme.example', 'http://acme.example/../globex/whoami'),
    refused('INVALID_PATH'),
  ),
  attack(
    'encoded dot segments in an absolute-form target',
    get('acme.example', 'http://acme.example/%2e%2e/whoami'),
    refused('INVALID_PATH'),
  ),
  attack(
    'a bad port in an absolute-form target',
    get('acme.example', 'http://acme.example:99999/whoami'),
    refused('INVALID_HOST'),
  ),
  attack(
    'an empty authority in an absolute-form target',
    get('acme.example', 'http:///whoami'),
    refused('INVALID_HOST'),
  ),
];
