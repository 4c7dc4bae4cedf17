import { describe, expect, it } from 'vitest';
import { createSite, type DomainResolver, MdError, normalizeHost, type SitePlugin } from '../src/index.js';
import { normalizePath } from '../src/resolution/normalize-path.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return MdError.is(error) ? error.code : `not an MdError: ${String(error)}`;
  }
  return undefined;
}

/** What the WHATWG URL parser (Node's URL) makes of a host, one trailing dot and the port dropped. */
function whatwg(host: string): string | undefined {
  try {
    return new URL(`http://${host}/`).hostname.replace(/\.$/, '');
  } catch {
    return undefined;
  }
}

const ACCEPTED: Array<[string, string]> = [
  ['acme.example', 'acme.example'],
  ['WWW.Acme.COM.:8080', 'www.acme.com'],
  ['Bücher.example', 'xn--bcher-kva.example'],
  ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
  ['xn--ls8h.la', 'xn--ls8h.la'],
  ['ＡＢＣ.com', 'abc.com'],
  ['a。b.com', 'a.b.com'],
  ['[::1]', '[::1]'],
  ['[0:0::1]', '[::1]'],
  ['[0:0:0:0:0:0:0:1]:3000', '[::1]'],
  ['[::FFFF:1.2.3.4]', '[::ffff:102:304]'],
  ['127.0.0.1:3000', '127.0.0.1'],
  ['0x7f.1', '127.0.0.1'],
  ['127.1', '127.0.0.1'],
  ['0177.0.0.1', '127.0.0.1'],
  ['2130706433', '127.0.0.1'],
  ['1.2.3.4.', '1.2.3.4'],
  ['localhost:0', 'localhost'],
  ['_dmarc.acme.com', '_dmarc.acme.com'],
];

const REFUSED: Array<[string, string]> = [
  ['', 'empty'],
  ['[]', 'empty IPv6 literal'],
  ['[www.example.com]', 'a name in brackets'],
  ['[Bücher]', 'a non-ASCII name in brackets'],
  ['[::1', 'an unclosed literal'],
  ['[::1]x', 'something after a literal'],
  ['[::1]:99999', 'a port over 65535'],
  ['[fe80::1%25eth0]', 'a zone id'],
  ['::1', 'an IPv6 address without brackets'],
  ['xn--a.example', 'punycode that decodes to nothing valid'],
  ['xn--1ug.example', 'an encoded zero-width joiner'],
  ['xn--ab-m1t.example', 'a zero-width joiner inside an encoded label'],
  ['xn--zn7c.example', 'an encoded U+FFFD'],
  ['xn--wca.example', 'the encoding of an upper-case letter (not the canonical form)'],
  ['xn--.example', 'an empty punycode label'],
  ['a\u200db.example', 'a zero-width joiner'],
  ['\ufffd.example', 'U+FFFD'],
  ['example.1', 'a last label that is a number'],
  ['x.0x', 'a last label WHATWG reads as a hex number'],
  ['1.2.3.4.5', 'five IPv4 parts'],
  ['4294967296', 'an IPv4 number over 32 bits'],
  ['1.2.3.256', 'an IPv4 part over 255'],
  ['a*b.com', 'a character WHATWG allows but a host name cannot have'],
  ['a,b.com', 'a comma'],
  ['a..b.com', 'an empty label'],
  ['.acme.com', 'a leading dot'],
  ['acme.com..', 'two trailing dots'],
  ['-acme.com', 'a label starting with "-"'],
  ['acme-.com', 'a label ending with "-"'],
  ['acme.com:', 'an empty port'],
  ['acme.com:x', 'a port that is not a number'],
  ['a:1:2', 'a colon outside a literal'],
  ['acme.com/x', 'a path'],
  ['acme.com?x', 'a query'],
  ['user@acme.com', 'credentials'],
  ['ac%41me.com', 'percent-encoding'],
  ['acme .com', 'a space'],
  ['acme\u0000.com', 'a NUL'],
  [`${'a'.repeat(64)}.com`, 'a label over 63'],
  [`${'a.'.repeat(127)}com`, 'over 253 characters'],
];

describe('normalizeHost agrees with the WHATWG URL host parser or refuses', () => {
  it.each(ACCEPTED)('%s -> %s, as WHATWG URL reads it', (raw, host) => {
    expect(normalizeHost(raw)).toBe(host);
    expect(normalizeHost(raw)).toBe(whatwg(raw.replace(/:\d*$/, '')));
  });

  it.each(REFUSED)('%s is refused (%s)', (raw) => {
    expect(codeOf(() => normalizeHost(raw))).toBe('INVALID_HOST');
  });

  it('never answers another host than WHATWG for anything it accepts', () => {
    const corpus = [
      ...ACCEPTED.map(([raw]) => raw),
      ...REFUSED.map(([raw]) => raw),
      'EXAMPLE.com',
      '0300.0250.0.1',
      '0xc0.0xa8.0.1',
      '192.168.1',
      '1e100.net',
      '[::ffff:7f00:1]',
      '[2001:DB8::0:1]',
      'faß.de',
      'xn--fa-hia.de',
      'ab--cd.com',
      'münchen.de',
      'xn--mnchen-3ya.de',
      'Ⅸ.example',
    ];
    const disagreements = corpus.flatMap((raw) => {
      let ours: string | undefined;
      try {
        ours = normalizeHost(raw);
      } catch {
        return [];
      }
      const withoutPort = raw.startsWith('[') ? raw.slice(0, raw.indexOf(']') + 1) : raw.replace(/:\d*$/, '');
      return ours === whatwg(withoutPort) ? [] : [{ raw, ours, whatwg: whatwg(withoutPort) }];
    });
    expect(disagreements).toEqual([]);
  });

  it('a domain can never own two spellings of one address: they normalise alike and conflict', async () => {
    const site = await createSite({ domains: [{ name: 'acme', hosts: ['[::1]', '127.0.0.1'] }] });
    for (const spelling of ['[0:0::1]', '[0000::0001]:80', '0x7f.1', '2130706433', '127.1']) {
      expect(codeOf(() => site.domains.register({ name: 'globex', hosts: [spelling] }))).toBe(
        'HOST_CONFLICT',
      );
    }
    expect(codeOf(() => site.domains.register({ name: 'globex', hosts: ['0x7f.2', '127.0.0.2'] }))).toBe(
      'INVALID_DOMAIN_DEFINITION',
    );
  });
});

describe('normalizePath: one path, or a refusal', () => {
  it.each([
    ['/', '/'],
    ['/shop/products', '/shop/products'],
    ['/b%69lling/x', '/billing/x'],
    ['/%7Euser/%41', '/~user/A'],
    ['/a%20b/100%25', '/a%20b/100%25'],
    ['/caf%C3%A9', '/caf%C3%A9'],
    ['/%F0%9F%92%A9', '/%F0%9F%92%A9'],
    ['/files/...', '/files/...'],
    ['/.well-known/x', '/.well-known/x'],
    ['/a/', '/a/'],
    ['/a;b=c', '/a;b=c'],
  ])('%s -> %s', (raw, path) => {
    expect(normalizePath(raw)).toBe(path);
  });

  it.each([
    ['/billing/../admin', 'a ".." segment'],
    ['/billing/%2e%2e/admin', 'an encoded ".." segment'],
    ['/billing/.%2E/admin', 'a half-encoded ".." segment'],
    ['/billing/./admin', 'a "." segment'],
    ['/billing/..', 'a final ".." segment'],
    ['/billing/..%2fadmin', 'an encoded slash'],
    ['/billing%2Fadmin', 'an upper-case encoded slash'],
    ['/billing%5cadmin', 'an encoded backslash'],
    ['/billing\\admin', 'a backslash'],
    ['/billing/%252e%252e/admin', 'a double-encoded dot'],
    ['/a%00b', 'an encoded NUL'],
    ['/a%0d%0ab', 'encoded CR LF'],
    ['/a b', 'a space'],
    ['/a#b', 'a fragment'],
    ['/caf\u00e9', 'a raw non-ASCII character'],
    ['/a%zz', 'malformed percent-encoding'],
    ['/a%2', 'a cut-off escape'],
    ['/stores/acme/%ff/x', 'a byte that is never UTF-8'],
    ['/stores/acme/%c0%ae', 'an overlong dot'],
    ['/%e0%80%af', 'an overlong slash'],
    ['/%ed%a0%80', 'an encoded surrogate'],
    ['/%f4%90%80%80', 'a code point over U+10FFFF'],
    ['/%c3', 'a cut-off sequence'],
    ['/%c3x', 'a lead byte without its continuation'],
    ['/%80', 'a lone continuation byte'],
  ])('%s is INVALID_PATH (%s)', (raw) => {
    expect(codeOf(() => normalizePath(raw))).toBe('INVALID_PATH');
  });

  it('repeats at most 100 characters of a refused path in its message', () => {
    let message = '';
    try {
      normalizePath(`/${'a'.repeat(8000)}/../x`);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.length).toBeLessThan(300);
    expect(message).toContain('"." or ".." segment');
  });

  it('hand-made requests are normalised by site.resolve too, and the answer keeps the path as received', async () => {
    const site = await createSite({
      rootHosts: ['platform.test'],
      resolvers: [{ name: 'none', resolve: () => undefined }],
    });
    const request = (path: string) => ({
      host: 'platform.test',
      path,
      headers: { get: () => undefined },
      query: new URLSearchParams(),
      cookies: {},
      kind: 'custom',
    });
    const resolved = await site.resolve(request('/b%69lling/x'));
    expect([resolved.path, resolved.originalPath, resolved.rewritten]).toEqual([
      '/billing/x',
      '/b%69lling/x',
      true,
    ]);
    expect(codeOf(() => site.resolve(request('/billing/../admin')))).toBe('INVALID_PATH');
  });
});

describe('hosts the platform keeps can never be claimed by a domain', () => {
  const subdomain: DomainResolver = {
    name: 'subdomain',
    resolve: () => undefined,
    reserved: { domains: ['platform.com'] },
  };
  const admin: SitePlugin = { name: 'admin', setup: () => undefined, reserved: { hosts: ['ops.internal'] } };

  it('root hosts, base domains and everything under them, and plugin hosts are HOST_RESERVED, in any spelling', async () => {
    const site = await createSite({
      resolvers: [subdomain],
      plugins: [admin],
      rootHosts: ['admin.platform.com', 'central.example'],
      domains: [{ name: 'acme' }],
    });
    for (const host of [
      'central.example',
      'CENTRAL.example.',
      'admin.platform.com',
      'platform.com',
      'www.platform.com',
      'globex.platform.com',
      'x.globex.platform.com',
      'ops.internal',
      'OPS.internal:443',
    ]) {
      expect(
        codeOf(() => site.domains.register({ name: 'evil', hosts: [host] })),
        host,
      ).toBe('HOST_RESERVED');
      await expect(site.domains.update('acme', { hosts: [host] })).rejects.toMatchObject({
        code: 'HOST_RESERVED',
      });
    }
    // Look-alikes are not the platform's.
    site.domains.register({
      name: 'fine',
      hosts: ['platform.com.evil.net', 'myplatform.com', 'central.example.org'],
    });
    expect(site.domains.get('acme')!.hosts).toEqual([]);
  });

  it('the root domain may own root hosts, and a store that claims a reserved host changes nothing', async () => {
    const site = await createSite({
      rootHosts: ['central.example'],
      root: { hosts: ['central.example'] },
      resolvers: [subdomain],
    });
    expect(site.domains.root.hosts).toEqual(['central.example']);
    await expect(
      createSite({ resolvers: [subdomain], domains: [{ name: 'evil', hosts: ['acme.platform.com'] }] }),
    ).rejects.toMatchObject({ code: 'HOST_RESERVED' });
  });

  it('a reservation that is not a host is INVALID_OPTIONS when the site is made', async () => {
    const bad: SitePlugin = { name: 'bad', setup: () => undefined, reserved: { hosts: ['a/b'] } };
    await expect(createSite({ plugins: [bad] })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });
});
