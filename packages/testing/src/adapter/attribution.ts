import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ATTACK_ADMIN_TOKEN,
  ATTACK_BODY_TIMEOUT_MS,
  type AttackFixture,
  BROKEN_DATABASE_ERROR,
  createAttackFixture,
} from '../attack/fixture.js';
import { type RawResponse, rawRequest, sendRaw } from '../attack/raw-client.js';
import type { AdapterHarness, RunningApp } from './types.js';

type Headers = ReadonlyArray<readonly [string, string]>;

/** Status, md's error code and the domain whose route answered: what the suite compares. */
function who(res: RawResponse): { status: number; code: string | null; domain: string | null } {
  const body = (res.body ?? {}) as { domain?: unknown; error?: { code?: unknown } };
  const code = typeof body === 'object' ? body.error?.code : undefined;
  const domain = typeof body === 'object' ? body.domain : undefined;
  return {
    status: res.status,
    code: typeof code === 'string' ? code : null,
    domain: typeof domain === 'string' ? domain : null,
  };
}

const refused = (code: string, status = 400) => ({ status, code, domain: null });
const served = (domain: string) => ({ status: 200, code: null, domain });

/**
 * The request-attribution part of the adapter conformance suite, one named
 * test per guarantee: a request is served as a domain only when it can be
 * attributed to exactly that domain (one `Host`, a target that agrees with
 * it, host spellings read as WHATWG URL reads them), the platform's hosts
 * cannot be claimed, the cookie chooses only on its hosts, one normalised
 * path reaches the allow-list and the app, the admin API answers only under
 * its prefix on its hosts with the token checked first, and public health
 * says nothing but ok. Over raw sockets, through the adapter under test.
 * Called by `describeAdapterConformance`.
 *
 * @example
 * describeAttributionConformance(harness);
 */
export function describeAttributionConformance(harness: AdapterHarness): void {
  describe(`request attribution through ${harness.name}`, () => {
    let fixture: AttackFixture;
    let app: RunningApp;
    const send = (host: string | undefined, target: string, headers: Headers = [], more = {}) =>
      sendRaw(app.url, rawRequest({ target, ...(host === undefined ? {} : { host }), headers, ...more }));
    const bearer = ['Authorization', `Bearer ${ATTACK_ADMIN_TOKEN}`] as const;

    beforeAll(async () => {
      fixture = await createAttackFixture();
      app = await harness.start(fixture.site, fixture.routes, {});
    });

    afterAll(async () => {
      await app?.close();
      await fixture?.site.close();
    });

    it('a request with two Host headers is refused with 400 INVALID_HOST, served as neither domain', async () => {
      expect(who(await send('acme.example', '/whoami'))).toEqual(served('acme'));
      for (const second of ['globex.example', 'acme.example']) {
        expect(who(await send('acme.example', '/whoami', [['Host', second]]))).toEqual(
          refused('INVALID_HOST'),
        );
      }
      expect(who(await send('platform.test', '/_md/domains', [bearer, ['host', 'platform.test']]))).toEqual(
        refused('INVALID_HOST'),
      );
    });

    it('an absolute-form target is served on its path when it names the Host, and refused with 400 when it names another host', async () => {
      const same = await send('acme.example', 'http://ACME.example:80/whoami?x=1');
      expect({ ...who(same), url: (same.body as { url?: string }).url }).toEqual({
        ...served('acme'),
        url: '/whoami?x=1',
      });
      expect(who(await send('acme.example', 'http://globex.example/whoami'))).toEqual(
        refused('INVALID_HOST'),
      );
      expect(who(await send('platform.test', 'http://initech.platform.test/whoami'))).toEqual(
        refused('INVALID_HOST'),
      );
      expect(who(await send(undefined, 'http://globex.example/whoami', [], { version: 'HTTP/1.0' }))).toEqual(
        served('globex'),
      );
    });

    it('IPv6 and IPv4 spellings of one address reach the one domain that owns it; invalid literals are 400', async () => {
      for (const spelling of [
        '[::1]',
        '[0:0::1]',
        '[0000::0001]:8080',
        '127.0.0.1',
        '0x7f.1',
        '127.1',
        '2130706433',
      ]) {
        expect(who(await send(spelling, '/whoami')), spelling).toEqual(served('loopback'));
      }
      for (const bad of ['[]', '[www.example.com]', '[::1', '1.2.3.4.5', 'example.1']) {
        expect(who(await send(bad, '/whoami')), bad).toEqual(refused('INVALID_HOST'));
      }
    });

    it('an xn-- label is held to the rules of its Unicode form: xn--a, an encoded ZWJ or U+FFFD are 400', async () => {
      for (const bad of [
        'xn--a.platform.test',
        'xn--1ug.platform.test',
        'xn--zn7c.example',
        'xn--wca.example',
      ]) {
        expect(who(await send(bad, '/whoami')), bad).toEqual(refused('INVALID_HOST'));
      }
    });

    it('a domain can never claim a root host, a base domain or a host under it, or a path-mode host', async () => {
      const { domains } = fixture.site;
      for (const host of [
        'platform.test',
        'PLATFORM.test.',
        'www.platform.test',
        'globex.platform.test',
        'x.acme.platform.test',
      ]) {
        expect(() => domains.register({ name: 'hijack', hosts: [host] }), host).toThrowError(
          expect.objectContaining({ code: 'HOST_RESERVED' }),
        );
        await expect(domains.update('acme', { hosts: ['acme.example', host] })).rejects.toMatchObject({
          code: 'HOST_RESERVED',
        });
      }
      expect(domains.has('hijack')).toBe(false);
      expect(who(await send('platform.test', '/whoami'))).toEqual(served('_main_'));
      expect(who(await send('platform.test', '/stores/globex/whoami'))).toEqual(served('globex'));
      expect(who(await send('acme.example', '/whoami'))).toEqual(served('acme'));
    });

    it('the cookie chooses a domain only on the hosts configured for it', async () => {
      const cookie = ['Cookie', 'md_domain=acme'] as const;
      expect(who(await send('platform.test', '/whoami', [cookie]))).toEqual(served('acme'));
      for (const host of ['nobody.example', 'www.platform.test', 'ghost.platform.test']) {
        expect(who(await send(host, '/whoami', [cookie])), host).toEqual(refused('DOMAIN_NOT_FOUND', 404));
      }
    });

    it('dot segments and encoded slashes never reach past the suspended allow-list', async () => {
      expect(who(await send('frozen.example', '/billing/invoices'))).toEqual(served('frozen'));
      expect(who(await send('frozen.example', '/admin'))).toEqual(refused('DOMAIN_SUSPENDED', 403));
      for (const path of [
        '/billing/../admin',
        '/billing/%2e%2e/admin',
        '/billing/..%2fadmin',
        '/health/%2E%2E/admin',
      ]) {
        expect(who(await send('frozen.example', path)), path).toEqual(refused('INVALID_PATH'));
        expect(who(await send('platform.test', `/stores/frozen${path}`)), path).toEqual(
          refused('INVALID_PATH'),
        );
      }
    });

    it('invalid UTF-8 after the store code is 400 INVALID_PATH', async () => {
      for (const tail of ['%ff/x', '%c0%ae', '%c0%ae%c0%ae/globex', '%ed%a0%80']) {
        expect(who(await send('platform.test', `/stores/acme/${tail}`)), tail).toEqual(
          refused('INVALID_PATH'),
        );
      }
    });

    it('a 404 repeats at most 100 characters of the path it was sent', async () => {
      const res = await send('nobody.example', `/${'x'.repeat(8000)}`);
      const message = (res.body as { error: { message: string } }).error.message;
      expect(who(res)).toEqual(refused('DOMAIN_NOT_FOUND', 404));
      expect(message).toContain('x'.repeat(99));
      expect(message).not.toContain('x'.repeat(101));
    });

    it('the admin API checks the token from the headers before reading any body', async () => {
      const announced = [
        ['Content-Length', '1000000'],
        ['Connection', 'keep-alive'],
      ] as const;
      for (const auth of [[], [['Authorization', 'Bearer wrong-token-0123456789abc']]] as Headers[]) {
        const res = await sendRaw(
          app.url,
          rawRequest({
            method: 'POST',
            target: '/_md/domains',
            host: 'platform.test',
            headers: [...auth, ...announced],
          }),
          { awaitClose: true },
        );
        expect({ ...who(res), fast: res.ms < ATTACK_BODY_TIMEOUT_MS, closed: res.closed }).toEqual({
          ...refused('UNAUTHORIZED', 401),
          fast: true,
          closed: true,
        });
      }
    });

    it('an admin request whose body never comes is answered 408 within the timeout, and its connection closed', async () => {
      const res = await sendRaw(
        app.url,
        rawRequest({
          method: 'POST',
          target: '/_md/domains',
          host: 'platform.test',
          headers: [bearer, ['Content-Length', '100'], ['Connection', 'keep-alive']],
        }),
        { awaitClose: true },
      );
      expect({ ...who(res), closed: res.closed }).toEqual({
        ...refused('REQUEST_TIMEOUT', 408),
        closed: true,
      });
      expect(res.ms).toBeGreaterThanOrEqual(ATTACK_BODY_TIMEOUT_MS - 50);
      expect(res.ms).toBeLessThan(ATTACK_BODY_TIMEOUT_MS + 2000);
    });

    it('the admin API answers on root hosts only, under its own prefix, never through path mode', async () => {
      const listed = await send('platform.test', '/_md/domains', [bearer]);
      expect(listed.status).toBe(200);
      for (const [host, path] of [
        ['acme.example', '/_md/domains'],
        ['initech.platform.test', '/_md/domains'],
        ['platform.test', '/stores/acme/_md/domains'],
        ['platform.test', '/store/acme/_md/domains'],
      ] as const) {
        const res = await send(host, path, [bearer]);
        expect(
          { status: res.status, listing: JSON.stringify(res.body).includes('loopback') },
          `${host}${path}`,
        ).toEqual({
          status: 404,
          listing: false,
        });
      }
    });

    it('a bad percent-encoding in an admin path is 400, not 500', async () => {
      for (const path of ['/_md/health/%ff', '/_md/health/%zz', '/_md/health/%c0%ae']) {
        expect(who(await send('platform.test', path, [bearer])), path).toEqual(refused('INVALID_PATH'));
      }
    });

    it('public per-domain /health says only ok or unavailable; the details are behind the token', async () => {
      const down = await send('broken.example', '/health');
      expect({ status: down.status, body: down.body }).toEqual({
        status: 503,
        body: { status: 'unavailable' },
      });
      const up = await send('acme.example', '/health');
      expect({ status: up.status, body: up.body }).toEqual({ status: 200, body: { status: 'ok' } });
      const details = await send('platform.test', '/_md/health/broken', [bearer]);
      expect({ status: details.status, body: details.body }).toEqual({
        status: 503,
        body: {
          ok: false,
          domains: { broken: { ok: false, ms: expect.any(Number), error: BROKEN_DATABASE_ERROR } },
        },
      });
    });
  });
}
