import { join } from 'node:path';
import { type AdminApi, adminApi } from '@md/admin';
import { assertSessionDomain, availability, createSite, type MdEvents, rateLimit, type Site } from '@md/core';
import { toHttpAnswer } from '@md/core/http';
import { type MdLogger, type Observability, observability } from '@md/observability';
import { hostResolver } from '@md/resolvers';
import { tempDir } from '../temp.js';
import type { ConformanceReply, ConformanceRoute } from './types.js';

/** The admin token of the policy fixture. */
export const POLICY_ADMIN_TOKEN = 'policy-suite-admin-token-0123456789';

/** One log line the capturing logger saw: its bindings merged with its fields. */
export type LogLine = Record<string, unknown> & { level: string; msg?: string };

/** A pino-shaped logger that keeps every line in memory, bindings included. */
function capturingLogger(lines: LogLine[], bindings: Record<string, unknown> = {}): MdLogger {
  const write = (level: string) => (obj: object | string, msg?: string) => {
    const fields = typeof obj === 'string' ? { msg: obj } : { ...obj, ...(msg === undefined ? {} : { msg }) };
    lines.push({ ...bindings, ...fields, level });
  };
  return {
    child: (more) => capturingLogger(lines, { ...bindings, ...more }),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    debug: write('debug'),
  };
}

/** Everything the policy suite's site is made of. */
export interface PolicyFixture {
  site: Site;
  admin: AdminApi;
  observability: Observability;
  routes: ConformanceRoute[];
  logs: LogLine[];
  security: Array<MdEvents['security:cross-domain'][0]>;
}

const ok = (body: unknown): ConformanceReply => ({ status: 200, body, cookies: [] });

/** Runs a route body and answers its MdError through core's status table, as an app would. */
async function guarded(fn: () => Promise<unknown>): Promise<ConformanceReply> {
  try {
    return ok(await fn());
  } catch (error) {
    const { status, body } = toHttpAnswer(error);
    return { status, body, cookies: [] };
  }
}

/**
 * The site of the policy suite: host resolution, the availability and rate
 * limit policies, observability with a capturing logger, the admin API, five
 * domains (one noisy, one quiet, one suspended) and the routes the suite asks.
 *
 * @example
 * const fixture = await createPolicyFixture();
 */
export async function createPolicyFixture(): Promise<PolicyFixture> {
  const logs: LogLine[] = [];
  const security: PolicyFixture['security'] = [];
  const obs = observability({ logger: capturingLogger(logs) });
  const admin = adminApi({ token: POLICY_ADMIN_TOKEN, metrics: obs.metrics });
  const site = await createSite({
    resolvers: [hostResolver()],
    rootHosts: ['platform.example'],
    plugins: [obs, admin],
    filesRoot: join(tempDir('md-policies-'), 'files'),
    policies: [
      availability({ allow: ['/health', '/billing/*'] }),
      rateLimit({ tiers: { default: { points: 10_000, duration: 1 } } }),
    ],
    domains: [
      {
        name: 'acme',
        hosts: ['acme.example'],
        features: ['reports'],
        branding: { name: 'Acme', primaryColor: '#c0392b', logoUrl: '/logo/acme.svg' },
      },
      { name: 'globex', hosts: ['globex.example'], branding: { name: 'Globex', primaryColor: '#15803d' } },
      { name: 'noisy', hosts: ['noisy.example'], attributes: { rateLimit: { points: 5, duration: 5 } } },
      { name: 'quiet', hosts: ['quiet.example'], attributes: { rateLimit: { points: 1000, duration: 1 } } },
      { name: 'paused', hosts: ['paused.example'], status: 'suspended' },
    ],
  });
  site.events.on('security:cross-domain', (e) => security.push(e));
  for (const name of ['acme', 'globex']) {
    await site.domains.get(name)!.files.write('hello.txt', `hello from ${name}`);
  }
  const query = (url: string) => new URLSearchParams(url.split('?')[1] ?? '');
  const routes: ConformanceRoute[] = [
    { path: '/ping', handle: async () => ok({ domain: site.currentDomain }) },
    { path: '/billing/pay', handle: async () => ok({ domain: site.currentDomain, billing: true }) },
    {
      path: '/reports',
      feature: 'reports',
      handle: async () => ok({ domain: site.currentDomain, report: 'ok' }),
    },
    { path: '/branding', handle: async () => ok(site.domain.toJSON()) },
    {
      path: '/cache/put',
      handle: async (r) =>
        guarded(() => site.domain.cache.set('k', query(r.url).get('value')).then(() => 'stored')),
    },
    { path: '/cache/get', handle: async () => ok({ value: (await site.domain.cache.get('k')) ?? null }) },
    {
      path: '/files',
      handle: async (r) => guarded(() => site.domain.files.readText(query(r.url).get('path') ?? '')),
    },
    {
      path: '/session',
      handle: async (r) =>
        guarded(async () => {
          const q = query(r.url);
          assertSessionDomain({ domain: q.get('domain') ?? '', user: q.get('user') ?? '' });
          return 'same domain';
        }),
    },
    {
      path: '/log',
      handle: async () => {
        await new Promise((r) => setTimeout(r, 2));
        obs.log.info({ marker: 'policy-suite' }, 'hello');
        return ok({ logged: true });
      },
    },
  ];
  return { site, admin, observability: obs, routes, logs, security };
}
