import { createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  createRequestLike,
  MdError,
  parseCookieHeader,
  readRequestBody,
  serializeCookie,
  withPath,
} from '../src/index.js';

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
    expect(Object.getPrototypeOf(cookies)).toBeNull();
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
    expect(cookie).toBe('sid=a%20b; Path=/stores/acme; Max-Age=60; HttpOnly; Secure; SameSite=Strict');
    expect(cookie).not.toMatch(/domain=/i);
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

describe('createRequestLike', () => {
  it('reads a real request: Host, path without query, headers, query, cookies, ip', async () => {
    const headers = {
      host: 'Acme.Example:8080',
      'x-tenant-id': 'globex',
      cookie: 'md_domain=acme; x=1',
      'x-forwarded-host': 'evil.example',
    };
    const { raw, req } = await captured('/stores/acme/x?tenant_id=globex&a=1', headers, (raw) => ({
      raw,
      req: createRequestLike(raw, 'custom'),
    }));
    expect(req.host).toBe('Acme.Example:8080');
    expect(req.path).toBe('/stores/acme/x');
    expect(req.headers.get('X-Tenant-Id')).toBe('globex');
    expect(req.headers.get('x-missing')).toBeUndefined();
    expect(req.query.get('tenant_id')).toBe('globex');
    expect(req.cookies.md_domain).toBe('acme');
    expect(req.ip).toBe('127.0.0.1');
    expect(req.kind).toBe('custom');
    expect(req.raw).toBe(raw);
  });

  it('uses X-Forwarded-Host (first value) only when trusted', async () => {
    const hosts = await captured(
      '/',
      { host: 'platform.test', 'x-forwarded-host': 'acme.example, proxy.internal' },
      (raw) => [
        createRequestLike(raw, 'custom').host,
        createRequestLike(raw, 'custom', { trustForwardedHost: true }).host,
      ],
    );
    expect(hosts).toEqual(['platform.test', 'acme.example']);
  });

  it('has an empty query and no cookies when the request carries none', async () => {
    const req = await captured('/a', { host: 'x.example' }, (raw) => createRequestLike(raw, 'koa'));
    expect(req.path).toBe('/a');
    expect([...(req.query as URLSearchParams).keys()]).toEqual([]);
    expect({ ...req.cookies }).toEqual({});
  });
});

describe('readRequestBody', () => {
  const body = (...chunks: string[]) => Readable.from(chunks.map((c) => Buffer.from(c))) as never;

  it('reads the body as text, and refuses one over the limit with INVALID_REQUEST', async () => {
    expect(await readRequestBody(body('a=1&', 'b=2'), 16)).toBe('a=1&b=2');
    const refused = await readRequestBody(body('x'.repeat(10), 'y'.repeat(10)), 16).catch((e: unknown) => e);
    expect(MdError.is(refused, 'INVALID_REQUEST')).toBe(true);
  });
});
