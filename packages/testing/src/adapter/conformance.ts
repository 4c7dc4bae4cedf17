import { Agent } from 'node:http';
import { tryGetCurrentDomain } from '@md/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeHttpAttacks } from '../attack/describe-http-attacks.js';
import { describeAttributionConformance } from './attribution.js';
import {
  ALLOWED,
  answer,
  type Case,
  COOKIES,
  ERRORS,
  expectedAnswer,
  MODES,
  parseSetCookies,
} from './cases.js';
import { type ConformanceFixture, createConformanceFixture, LOAD_DOMAINS, LOAD_GATE } from './fixture.js';
import { send } from './http-client.js';
import { describePolicyConformance } from './policies.js';
import type { AdapterHarness, RunningApp } from './types.js';

/**
 * The adapter conformance suite: one behaviour for every md adapter, written
 * once. It starts real servers on 127.0.0.1 through `harness.start` and talks
 * to them over real sockets with node:http (so it can send any `Host`):
 * every resolver mode and the clean-path rewrite, error mapping to
 * `{ error: { code, message } }` with core's statuses, the allow-list of
 * suspended domains, cookie scoping, the debug header, the domain context
 * deep inside handlers, the lazily opened entity manager, and 1,000
 * overlapping requests over 50 domains whose handlers await timers and I/O.
 * Every test compares whole answers, so a change of behaviour fails the same
 * way in every adapter.
 *
 * @example
 * describeAdapterConformance({
 *   name: 'express',
 *   async start(site, routes, options) {
 *     const app = express();
 *     app.use(mdExpress(site, options));
 *     for (const route of routes) app.get(route.path, async (req, res) => { … });
 *     return listenOnLoopback(createServer(app));
 *   },
 * });
 */
export function describeAdapterConformance(harness: AdapterHarness): void {
  describePolicyConformance(harness);
  describeAttributionConformance(harness);
  describeHttpAttacks(harness);
  describe(`adapter conformance: ${harness.name}`, () => {
    const agent = new Agent({ keepAlive: true });
    let fixture: ConformanceFixture;
    let app: RunningApp;
    const get = (c: Case) => send(app.url, { ...c, agent });

    beforeAll(async () => {
      fixture = await createConformanceFixture();
      app = await harness.start(fixture.site, fixture.routes, {});
    });

    afterAll(async () => {
      agent.destroy();
      await app?.close();
      await fixture?.close();
    });

    describe('resolves every mode, with typed access and the domain context deep inside the handler', () => {
      it.each(MODES)('$title', async (c) => {
        expect(answer(await get(c))).toEqual(expectedAnswer(c));
      });
    });

    describe('maps errors through core’s status table to { error: { code, message } }', () => {
      it.each(ERRORS)('$title -> $status $code', async (c) => {
        const res = await get(c);
        expect({
          status: res.status,
          json: /^application\/json/.test(String(res.headers['content-type'])),
          debug: res.headers['x-md-domain'],
          body: res.body,
        }).toEqual({
          status: c.status,
          json: true,
          debug: undefined,
          body: { error: { code: c.code, message: expect.stringMatching(/\S/) } },
        });
      });
    });

    describe('keeps the unavailableAllowList open for suspended and disabled domains', () => {
      it.each(ALLOWED)('$title', async (c) => {
        expect(answer(await get(c))).toEqual(expectedAnswer(c));
      });
    });

    describe('scopes cookies: host-only, Path=/stores/<code> in path mode', () => {
      it.each(COOKIES)('$title -> Path=$cookiePath', async (c) => {
        const res = await get(c);
        const cookies = [res.headers['set-cookie'] ?? []].flat();
        expect({ status: res.status, cookies: parseSetCookies(cookies) }).toEqual({
          status: 200,
          cookies: [
            {
              name: 'sid',
              value: 'acme',
              path: c.cookiePath,
              domain: undefined,
              httpOnly: true,
              sameSite: 'lax',
            },
          ],
        });
      });
    });

    describe('opens the entity manager lazily', () => {
      it('a request that never touches site.em opens none; one that touches it twice opens one', async () => {
        fixture.isolation.calls.length = 0;
        expect((await get({ title: '', host: 'acme.example', path: '/whoami' })).status).toBe(200);
        expect(fixture.isolation.calls).toEqual([]);
        const res = await get({ title: '', host: 'acme.example', path: '/data' });
        expect(answer(res)).toEqual({
          status: 200,
          debug: 'acme; via=host',
          body: { em: 'acme', same: true, opened: true },
        });
        expect(fixture.isolation.calls).toEqual(['acme']);
      });

      it('overlapping requests each open their own domain’s entity manager once', async () => {
        fixture.isolation.calls.length = 0;
        const domains = LOAD_DOMAINS.slice(0, 10);
        const answers = await Promise.all(
          domains.map((d) => get({ title: '', host: `${d}.platform.test`, path: '/data' })),
        );
        expect(answers.map((res) => res.body)).toEqual(
          domains.map((em) => ({ em, same: true, opened: true })),
        );
        expect([...fixture.isolation.calls].sort()).toEqual(domains);
      });
    });

    it('keeps 1,000 overlapping requests over 50 domains apart while handlers await timers and I/O', async () => {
      const modes = [
        (d: string) => ({ host: `${d}.example`, path: '/load' }),
        (d: string) => ({ host: `${d}.platform.test`, path: '/load' }),
        (d: string) => ({ host: 'platform.test', path: `/stores/${d}/load` }),
        (d: string) => ({ host: 'platform.test', path: '/load', headers: { 'x-tenant-id': d } }),
      ];
      fixture.load.maxInFlight = 0;
      const requests = Array.from({ length: 1000 }, (_, i) => {
        const domain = LOAD_DOMAINS[i % LOAD_DOMAINS.length]!;
        return { domain, ...modes[i % modes.length]!(domain) };
      });
      const answers = await Promise.all(requests.map((r) => get({ title: '', ...r })));
      const wrong = answers.flatMap((res, i) => {
        const domain = requests[i]!.domain;
        const want = { status: 200, typed: domain, current: domain, seen: Array(6).fill(domain) };
        const body = res.body as { typed?: string; current?: string; seen?: string[] };
        const got = { status: res.status, typed: body.typed, current: body.current, seen: body.seen };
        return JSON.stringify(got) === JSON.stringify(want) ? [] : [{ request: requests[i], got }];
      });
      expect(wrong).toEqual([]);
      // The requests really overlapped inside the handlers, not one after another.
      expect(fixture.load.maxInFlight).toBeGreaterThanOrEqual(LOAD_GATE);
      expect(tryGetCurrentDomain()).toBeUndefined();
    });

    describe('without a debug header, behind a trusted proxy', () => {
      let other: ConformanceFixture;
      let otherApp: RunningApp;

      beforeAll(async () => {
        other = await createConformanceFixture({ debugHeader: false });
        otherApp = await harness.start(other.site, other.routes, { trustForwardedHost: true });
      });

      afterAll(async () => {
        await otherApp?.close();
        await other?.close();
      });

      it('sends no debug header and resolves X-Forwarded-Host when the adapter is told to trust it', async () => {
        const res = await send(otherApp.url, {
          host: 'platform.test',
          path: '/whoami',
          headers: { 'x-forwarded-host': 'acme.example' },
          agent,
        });
        expect(answer(res)).toEqual({ ...expectedAnswer({ ...MODES[0]! }), debug: undefined });
      });
    });
  });
}
