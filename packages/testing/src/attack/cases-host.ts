import { type Attack, attack, get, REFUSED_BY_NODE, refused, served } from './attack.js';
import { rawRequest } from './raw-client.js';

const host = (value: string) => get(value, '/whoami');
/** UTF-8 bytes written one per character, as a client that sends raw UTF-8 in a header does. */
const utf8 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

/** Requests that cannot be attributed to exactly one host, or spell one host another way. */
export const HOST_ATTACKS: Attack[] = [
  // Two Host headers (RFC 9112 §3.2): 400, never the first or the second.
  attack(
    'two identical Host headers',
    get('acme.example', '/whoami', [['Host', 'acme.example']]),
    refused('INVALID_HOST'),
  ),
  attack(
    'two Host headers naming two domains',
    get('acme.example', '/whoami', [['Host', 'globex.example']]),
    refused('INVALID_HOST'),
  ),
  attack(
    'a second Host header in lower case',
    get('globex.example', '/whoami', [['host', 'acme.example']]),
    refused('INVALID_HOST'),
  ),
  attack(
    'a second Host header in upper case',
    get('acme.example', '/whoami', [['HOST', 'globex.example']]),
    refused('INVALID_HOST'),
  ),
  attack(
    'a second, empty Host header',
    get('acme.example', '/whoami', [['Host', '']]),
    refused('INVALID_HOST'),
  ),
  attack(
    'a root host and a subdomain as two Host headers',
    get('platform.test', '/whoami', [['Host', 'initech.platform.test']]),
    refused('INVALID_HOST'),
  ),
  attack(
    'two Host headers apart from each other',
    get('acme.example', '/whoami', [
      ['Accept', '*/*'],
      ['Host', 'globex.example'],
    ]),
    refused('INVALID_HOST'),
  ),
  attack(
    'two hosts in one Host header, comma and space',
    host('acme.example, globex.example'),
    refused('INVALID_HOST'),
  ),
  attack(
    'two hosts in one Host header, comma only',
    host('acme.example,globex.example'),
    refused('INVALID_HOST'),
  ),
  // IPv6 literals: validated and canonicalised like WHATWG URL.
  attack('[::1] reaches the domain that owns it', host('[::1]'), served('loopback')),
  attack('[0:0::1] is the same address as [::1]', host('[0:0::1]'), served('loopback')),
  attack(
    'the long form of ::1 with a port',
    host('[0000:0000:0000:0000:0000:0000:0000:0001]:8080'),
    served('loopback'),
  ),
  attack(
    'an IPv4-mapped address is another host',
    host('[::ffff:127.0.0.1]'),
    refused('DOMAIN_NOT_FOUND', 404),
  ),
  attack('an empty IPv6 literal', host('[]'), refused('INVALID_HOST')),
  attack('a name in brackets', host('[www.example.com]'), refused('INVALID_HOST')),
  attack('a non-ASCII name in brackets', host(utf8('[Bücher]')), refused('INVALID_HOST')),
  attack('an IPv6 literal that is not closed', host('[::1'), refused('INVALID_HOST')),
  attack('a port over 65535 after a literal', host('[::1]:99999'), refused('INVALID_HOST')),
  attack('a name glued to a literal', host('[::1]acme'), refused('INVALID_HOST')),
  attack('a zone id in a literal', host('[fe80::1%25eth0]'), refused('INVALID_HOST')),
  attack('two ports after a literal', host('[::1]:80:80'), refused('INVALID_HOST')),
  attack('three colons in a literal', host('[:::1]'), refused('INVALID_HOST')),
  attack('an IPv6 address without brackets', host('::1'), refused('INVALID_HOST')),
  // IPv4 number forms: one address, one host.
  attack('127.0.0.1 reaches the domain that owns it', host('127.0.0.1'), served('loopback')),
  attack('hex and short form 0x7f.1', host('0x7f.1'), served('loopback')),
  attack('short form 127.1', host('127.1'), served('loopback')),
  attack('one 32-bit number', host('2130706433'), served('loopback')),
  attack('octal parts', host('0177.0.0.1'), served('loopback')),
  attack('one hex number', host('0x7f000001'), served('loopback')),
  attack('a trailing dot after an address', host('127.0.0.1.'), served('loopback')),
  attack('five IPv4 parts', host('1.2.3.4.5'), refused('INVALID_HOST')),
  attack('an IPv4 number over 32 bits', host('4294967296'), refused('INVALID_HOST')),
  attack('an IPv4 part over 255', host('127.0.0.256'), refused('INVALID_HOST')),
  attack('a name whose last label is a number', host('acme.1'), refused('INVALID_HOST')),
  // Punycode is held to the rules of its Unicode form.
  attack('xn--a decodes to nothing valid', host('xn--a.platform.test'), refused('INVALID_HOST')),
  attack('an encoded zero-width joiner', host('xn--1ug.platform.test'), refused('INVALID_HOST')),
  attack('an encoded U+FFFD', host('xn--zn7c.example'), refused('INVALID_HOST')),
  attack(
    'a zero-width joiner inside an encoded label',
    host('acme.xn--ab-m1t.example'),
    refused('INVALID_HOST'),
  ),
  attack('the encoding of an upper-case letter', host('xn--wca.example'), refused('INVALID_HOST')),
  attack('an empty punycode label', host('xn--.platform.test'), refused('INVALID_HOST')),
  attack('raw UTF-8 in the Host header', host(utf8('ａｃｍｅ.example')), refused('INVALID_HOST')),
  attack('a raw Latin-1 byte in the Host header', host('b\u00fccher.example'), refused('INVALID_HOST')),
  // Spellings of a registered host.
  attack('upper case', host('ACME.EXAMPLE'), served('acme')),
  attack('a trailing dot', host('acme.example.'), served('acme')),
  attack('a port', host('acme.example:8080'), served('acme')),
  // Characters a host cannot have.
  attack('a path in the host', host('acme.example/x'), refused('INVALID_HOST')),
  attack('a backslash in the host', host('acme.example\\x'), refused('INVALID_HOST')),
  attack('a query in the host', host('acme.example?x'), refused('INVALID_HOST')),
  attack('a fragment in the host', host('acme.example#x'), refused('INVALID_HOST')),
  attack('credentials in the host', host('user@acme.example'), refused('INVALID_HOST')),
  attack('percent-encoding in the host', host('acme.example%2f'), refused('INVALID_HOST')),
  attack('a star in the host', host('a*b.example'), refused('INVALID_HOST')),
  attack('a port that is not a number', host('acme.example:x'), refused('INVALID_HOST')),
  attack('a port over 65535', host('acme.example:99999'), refused('INVALID_HOST')),
  attack('a label starting with "-"', host('-acme.example'), refused('INVALID_HOST')),
  attack('an empty label', host('acme..example'), refused('INVALID_HOST')),
  attack('a leading dot', host('.acme.example'), refused('INVALID_HOST')),
  attack('a label over 63 characters', host(`${'a'.repeat(64)}.example`), refused('INVALID_HOST')),
  attack('a host of 300 characters, echoed at most 100', host(`${'a.'.repeat(150)}example`), {
    ...refused('INVALID_HOST'),
    maxMessage: 300,
  }),
  attack('a tab inside the host', host('acme\texample'), refused('INVALID_HOST')),
  attack('an empty Host header', host(''), refused('INVALID_HOST')),
  attack(
    'HTTP/1.0 without a Host header',
    rawRequest({ target: '/whoami', version: 'HTTP/1.0' }),
    refused('INVALID_HOST'),
  ),
  attack('HTTP/1.1 without a Host header', rawRequest({ target: '/whoami' }), REFUSED_BY_NODE),
  // Hosts nobody owns, and headers nobody trusts.
  attack(
    'X-Forwarded-Host is not trusted',
    get('platform.test', '/whoami', [['X-Forwarded-Host', 'acme.example']]),
    served('_main_'),
  ),
  attack(
    'X-Forwarded-Host on an unknown host',
    get('nobody.example', '/whoami', [['X-Forwarded-Host', 'acme.example']]),
    refused('DOMAIN_NOT_FOUND', 404),
  ),
  attack('an unregistered subdomain', host('ghost.platform.test'), refused('DOMAIN_NOT_FOUND', 404)),
  attack(
    'a base domain as a prefix of another',
    host('acme.platform.test.evil.example'),
    refused('DOMAIN_NOT_FOUND', 404),
  ),
  attack('a reserved label of the base domain', host('www.platform.test'), refused('DOMAIN_NOT_FOUND', 404)),
  attack(
    'a label that cannot be a domain code',
    host('_dmarc.platform.test'),
    refused('INVALID_DOMAIN_NAME'),
  ),
];
