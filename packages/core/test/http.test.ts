import { createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  fromNodeRequest,
  parseCookieHeader,
  readJsonBody,
  readRequestBody,
  serializeCookie,
  withPath,
} from '../src/http/index.js';
import { MdError } from '../src/index.js';

/** Sends one real request and hands back what `read` made of the IncomingMessage the server saw. */
async function captured<T>(
  path: string,
  headers: Record<string, string | string[]>,
  read: (req: IncomingMessage) => T,
): Promise<T> {
  let seen: T | undefined;
  const server = createServer((req, res) => {
    seen = read(req);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
  await new Promise((resolve) => server.close(resolve));
  return seen!;
}

describe('parseCookieHeader', () => {
  it('parses, trims, unquotes and decodes; the first occurrence wins', () => {
    const cookies = parseCookieHeader(
      ' md_domain=acme; theme="dark"; md_domain=globex; n=a%20b; bad=%E0%A4%A',
    );
    expect({ ...cookies }).toEqual({ md_domain: 'acme', theme: 'dark', n: 'a b', bad: '%E0%A4%A' });
  });

  it('has no prototype, so "__proto__" is an ordinary cookie', () => {
    const cookies = parseCookieHeader('__proto__=x; constructor=y');
    expect(Object.entries(cookies)).toEqual([
      ['__proto__', 'x'],
      ['constructor', 'y'],
    ]);
    // Nothing is inherited: the map's prototype chain holds no names at all.
    const proto = Object.getPrototypeOf(cookies);
    expect(proto === null ? [] : Reflect.ownKeys(proto)).toEqual([]);
    expect(proto === null ? null : Object.getPrototypeOf(proto)).toBeNull();
    expect(['toString', 'hasOwnProperty', 'valueOf'].filter((name) => name in cookies)).toEqual([]);
  });

  it('answers an empty map for no header and skips parts without "="', () => {
    expect({ ...parseCookieHeader(undefined) }).toEqual({});
    expect({ ...parseCookieHeader('flag; =v; a=1') }).toEqual({ a: '1' });
  });
});

describe('serializeCookie', () => {
  it('writes Path, HttpOnly, Secure, SameSite and never Domain', () => {
    const cookie = serializeCookie('sid', 'a b', {
      path: '/stores/acme',
      httpOnly: true,
      secure: true,
      sameSite: 'strict',
      maxAge: 60.7,
    });
    expect(cookie).toBe('sid=a%20b; Max-Age=60; Path=/stores/acme; HttpOnly; Secure; SameSite=Strict');
    expect(cookie).not.toMatch(/domain=/i);
    // md's rule on top of the library: a Domain attribute never gets through, whatever the caller passes.
    const sneaky = {
      path: '/',
      httpOnly: false,
      secure: false,
      sameSite: 'lax',
      domain: 'platform.com',
    } as const;
    expect(serializeCookie('sid', 'x', sneaky as never)).toBe('sid=x; Path=/; SameSite=Lax');
  });

  it('refuses a name that is not an HTTP token', () => {
    expect(() =>
      serializeCookie('a;b', 'v', { path: '/', httpOnly: false, secure: false, sameSite: 'lax' }),
    ).toThrow(MdError);
  });
});

describe('withPath', () => {
  it('replaces the path and keeps the query string', () => {
    expect(withPath('/stores/acme/shop?page=2&q=a', '/shop')).toBe('/shop?page=2&q=a');
    expect(withPath('/stores/acme', '/')).toBe('/');
  });
});

describe('fromNodeRequest', () => {
  it('reads a real request: Host, path without query, headers, query, cookies, ip', async () => {
    const headers = {
      host: 'Acme.Example:8080',
      'x-tenant-id': 'globex',
      cookie: 'md_domain=acme; x=1',
      'x-forwarded-host': 'evil.example',
    };
    const { raw, req } = await captured('/stores/acme/x?tenant_id=globex&a=1', headers, (raw) => ({
      raw,
      req: fromNodeRequest(raw, 'custom'),
    }));
    expect(req.host).toBe('Acme.Example:8080');
    expect(req.path).toBe('/stores/acme/x');
    expect(req.headers.get('X-Tenant-Id')).toBe('globex');
    expect(req.headers.get('x-missing')).toBeUndefined();
    expect(req.query.get('tenant_id')).toBe('globex');
    expect(req.cookies.md_domain).toBe('acme');
    expect(req.ip).toBe('127.0.0.1');
    expect(req.kind).toBe('custom');
    expect(req.method).toBe('GET');
    expect(req.raw).toBe(raw);
  });

  it('uses X-Forwarded-Host (first value) only when trusted', async () => {
    const hosts = await captured(
      '/',
      { host: 'platform.test', 'x-forwarded-host': 'acme.example, proxy.internal' },
      (raw) => [
        fromNodeRequest(raw, 'custom').host,
        fromNodeRequest(raw, 'custom', { trustForwardedHost: true }).host,
      ],
    );
    expect(hosts).toEqual(['platform.test', 'acme.example']);
  });

  it('refuses a Host that is not visible ASCII, with or without the index of known hosts', async () => {
    const known = { findByHost: (host: string) => (host === 'acme.example' ? {} : undefined) };
    const read = (raw: IncomingMessage) => {
      try {
        return fromNodeRequest(raw, 'custom', {}, known).host;
      } catch (error) {
        return MdError.is(error) ? error.code : String(error);
      }
    };
    // Sent as raw bytes: Node reads the ü (0xc3 0xbc) as two Latin-1 characters.
    const latin1 = Buffer.from('b\u00fccher.example', 'utf8').toString('latin1');
    expect(await captured('/', { host: 'acme.example' }, read)).toBe('acme.example');
    expect(await captured('/', { host: latin1 }, read)).toBe('INVALID_HOST');
    const without = await captured('/', { host: latin1 }, (raw) => {
      try {
        return fromNodeRequest(raw, 'custom').host;
      } catch (error) {
        return MdError.is(error) ? error.code : String(error);
      }
    });
    expect(without).toBe('INVALID_HOST');
  });

  it('has an empty query and no cookies when the request carries none', async () => {
    const req = await captured('/a', { host: 'x.example' }, (raw) => fromNodeRequest(raw, 'koa'));
    expect(req.path).toBe('/a');
    expect([...(req.query as URLSearchParams).keys()]).toEqual([]);
    expect({ ...req.cookies }).toEqual({});
  });
});

describe('readRequestBody and readJsonBody', () => {
  const body = (...chunks: string[]) => Readable.from(chunks.map((c) => Buffer.from(c))) as never;

  it('reads the body as text, and refuses one over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    expect(await readRequestBody(body('a=1&', 'b=2'), 16)).toBe('a=1&b=2');
    const refused = await readRequestBody(body('x'.repeat(10), 'y'.repeat(10)), 16).catch((e: unknown) => e);
    expect([MdError.is(refused, 'PAYLOAD_TOO_LARGE'), (refused as MdError).status]).toEqual([true, 413]);
  });

  it('refuses a body whose Content-Length is over the limit before reading it', async () => {
    const stream = Object.assign(body('tiny'), { headers: { 'content-length': '999999' } });
    expect(MdError.is(await readRequestBody(stream, 16).catch((e: unknown) => e), 'PAYLOAD_TOO_LARGE')).toBe(
      true,
    );
  });

  it('parses JSON, keeps a body the framework parsed, and refuses what is not JSON with 400', async () => {
    expect(await readJsonBody(body('{"name":', '"acme"}'))).toEqual({ name: 'acme' });
    expect(await readJsonBody(body('  '))).toBeUndefined();
    expect(await readJsonBody(Object.assign(body('ignored'), { body: { parsed: true } }))).toEqual({
      parsed: true,
    });
    const refused = await readJsonBody(body('{nope')).catch((e: unknown) => e);
    expect([MdError.is(refused, 'INVALID_REQUEST'), (refused as MdError).status]).toEqual([true, 400]);
  });
});
