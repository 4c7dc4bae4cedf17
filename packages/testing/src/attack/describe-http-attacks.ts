import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterHarness, RunningApp } from '../adapter/types.js';
import { type Attack, expected, observed } from './attack.js';
import { ADMIN_ATTACKS } from './cases-admin.js';
import { COOKIE_ATTACKS } from './cases-cookie.js';
import { HOST_ATTACKS } from './cases-host.js';
import { PATH_ATTACKS } from './cases-path.js';
import { TARGET_ATTACKS } from './cases-target.js';
import { type AttackFixture, createAttackFixture } from './fixture.js';
import { sendRaw } from './raw-client.js';

/** Every hostile request of the suite, by what it attacks. */
export const HTTP_ATTACKS: Readonly<Record<string, readonly Attack[]>> = {
  'request attribution: the Host header': HOST_ATTACKS,
  'request attribution: the request-target': TARGET_ATTACKS,
  'paths: the allow-list, other stores, encodings': PATH_ATTACKS,
  'the cookie resolver': COOKIE_ATTACKS,
  'the admin API and health': ADMIN_ATTACKS,
};

/** How many hostile requests the suite sends to each adapter. */
export const HTTP_ATTACK_COUNT = Object.values(HTTP_ATTACKS).reduce((n, list) => n + list.length, 0);

/**
 * The HTTP attack suite: every hostile request in {@link HTTP_ATTACKS}
 * (over 150) sent as raw bytes over `node:net` to a real server the
 * harness starts with the adapter under test, so the suite controls what
 * `node:http` would tidy up: two `Host` headers, absolute-form targets,
 * IPv6, IPv4 and punycode spellings, dot segments and encoded slashes
 * against the suspended allow-list and between stores, bytes that are not
 * UTF-8, cookies on hosts they are not for, the admin API off its hosts or
 * prefix, with wrong tokens and bodies that never come, and public health
 * that must not leak. Each request is one test named after what it tries;
 * each compares whole answers (status, md's code, who served it), so an
 * adapter that behaves differently fails the same way.
 *
 * @example
 * describeHttpAttacks({ name: 'express', start: async (site, routes, options) => … });
 */
export function describeHttpAttacks(harness: AdapterHarness): void {
  describe(`HTTP attacks on ${harness.name}`, () => {
    let fixture: AttackFixture;
    let app: RunningApp;

    beforeAll(async () => {
      fixture = await createAttackFixture();
      app = await harness.start(fixture.site, fixture.routes, {});
    });

    afterAll(async () => {
      await app?.close();
      await fixture?.site.close();
    });

    it(`sends at least 150 hostile requests (${HTTP_ATTACK_COUNT}), every title unique`, () => {
      const titles = Object.values(HTTP_ATTACKS).flatMap((list) => list.map((a) => a.title));
      expect(HTTP_ATTACK_COUNT).toBeGreaterThanOrEqual(150);
      expect(new Set(titles).size).toBe(titles.length);
    });

    for (const [topic, attacks] of Object.entries(HTTP_ATTACKS)) {
      describe(topic, () => {
        it.each(attacks)('$title', async ({ request, expect: want }) => {
          const res = await sendRaw(app.url, request, { awaitClose: want.closed !== undefined });
          expect(observed(want, res)).toEqual(expected(want));
        });
      });
    }
  });
}
