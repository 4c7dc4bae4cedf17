import { EventEmitter } from 'node:events';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  availability,
  cookieOptions,
  createSite,
  type DomainDefinition,
  type DomainProxy,
  getCurrentDomain,
  type IsolationStrategy,
  type Site,
} from '@md/core';
import { debugHeader } from '@md/observability';
import {
  cookieResolver,
  headerResolver,
  hostResolver,
  pathResolver,
  queryResolver,
  subdomainResolver,
} from '@md/resolvers';
import { tempDir } from '../temp.js';
import type { ConformanceReply, ConformanceRequest, ConformanceRoute } from './types.js';

/**
 * The entity manager the counting strategy hands out: it only says whose it is.
 *
 * @example
 * site.em.domain; // 'acme' inside a request for acme
 */
export interface FakeEntityManager {
  readonly domain: string;
}

/**
 * An isolation-strategy plugin test double (not a mocked ORM): `em()` records
 * which domain asked, so the suite can prove the entity manager is opened
 * lazily, at most once per request, for the request's own domain.
 *
 * @example
 * fixture.isolation.calls; // ['acme'] after one request for acme that used site.em
 */
export interface CountingIsolation extends IsolationStrategy<FakeEntityManager> {
  readonly calls: string[];
}

function countingIsolation(): CountingIsolation {
  const calls: string[] = [];
  return {
    name: 'counting',
    capabilities: { rowLevel: true },
    calls,
    init: async () => undefined,
    provision: async () => undefined,
    deprovision: async () => undefined,
    em: (domain: DomainProxy) => {
      calls.push(domain.name);
      return { domain: domain.name };
    },
    close: async () => undefined,
  };
}

/**
 * The 50 domains of the load test: `load-00` … `load-49`, each also reachable as `load-NN.example`.
 *
 * @example
 * await send(url, { host: `${LOAD_DOMAINS[7]}.platform.test`, path: '/load' });
 */
export const LOAD_DOMAINS: readonly string[] = Array.from(
  { length: 50 },
  (_, i) => `load-${String(i).padStart(2, '0')}`,
);

const DOMAINS: DomainDefinition[] = [
  { name: 'acme', hosts: ['acme.example'] },
  { name: 'globex', hosts: ['globex.example'] },
  { name: 'frozen', hosts: ['frozen.example'], status: 'suspended' },
  { name: 'closed', hosts: ['closed.example'], status: 'disabled' },
  ...LOAD_DOMAINS.map((name) => ({ name, hosts: [`${name}.example`] })),
];

/** How many `/load` handlers wait at the gate before all of them go on. */
export const LOAD_GATE = 200;

/**
 * The conformance site, its routes and what the routes measured.
 *
 * @example
 * const fixture = await createConformanceFixture();
 * const app = await harness.start(fixture.site, fixture.routes, {});
 */
export interface ConformanceFixture {
  readonly site: Site<FakeEntityManager>;
  readonly routes: readonly ConformanceRoute[];
  readonly isolation: CountingIsolation;
  /** Handlers of `/load` running right now, and the most seen at once. */
  readonly load: { inFlight: number; maxInFlight: number };
  close(): Promise<void>;
}

const reply = (body: unknown, cookies: ConformanceReply['cookies'] = []): ConformanceReply => ({
  status: 200,
  body,
  cookies,
});

/**
 * Options of {@link createConformanceFixture}.
 *
 * @example
 * await createConformanceFixture({ debugHeader: false });
 */
export interface ConformanceFixtureOptions {
  /** Install `@md/observability`'s `debugHeader()` policy (default `true`). */
  debugHeader?: boolean;
}

/**
 * Builds the site every adapter is tested against: every resolver mode in one
 * chain (host, subdomain of `platform.test`, path `/stores/:domain/*`, header
 * `x-tenant-id`, query `tenant_id`, cookie `md_domain`), `platform.test` as the
 * root host, a suspended and a disabled domain, the `availability` policy
 * with `/health` and `/billing/*` allowed, the debug header policy, and the
 * counting isolation strategy.
 *
 * @example
 * const fixture = await createConformanceFixture({ debugHeader: false });
 * // … start a server with fixture.site and fixture.routes …
 * await fixture.close();
 */
export async function createConformanceFixture(
  options: ConformanceFixtureOptions = {},
): Promise<ConformanceFixture> {
  const isolation = countingIsolation();
  const site = await createSite<FakeEntityManager>({
    resolvers: [
      hostResolver(),
      subdomainResolver({ baseDomains: ['platform.test'] }),
      pathResolver(),
      headerResolver({ enabled: true }),
      queryResolver({ enabled: true }),
      cookieResolver(),
    ],
    domains: DOMAINS,
    rootHosts: ['platform.test'],
    policies: [
      availability({ allow: ['/health', '/billing/*'] }),
      ...(options.debugHeader === false ? [] : [debugHeader()]),
    ],
    isolation,
  });
  const dir = tempDir('md-adapter-');
  const file = join(dir, 'payload.txt');
  await writeFile(file, 'payload');
  // Ticks from outside every domain: a listener runs with no context of its own.
  const ticker = new EventEmitter().setMaxListeners(0);
  const interval = setInterval(() => ticker.emit('tick'), 1);
  const load = { inFlight: 0, maxInFlight: 0 };
  // The first /load handlers wait at a gate that the 200th opens (or a timer, on a slow machine),
  // so hundreds of handlers are suspended at once and resume together, woken from another request.
  let openGate: () => void = () => undefined;
  let gate: Promise<void> | undefined;

  async function deepest(depth: number): Promise<string> {
    if (depth === 0) return getCurrentDomain().name;
    await new Promise((resolve) => setImmediate(resolve));
    return deepest(depth - 1);
  }

  async function whoami(route: string, req: ConformanceRequest): Promise<ConformanceReply> {
    await sleep(1);
    return reply({
      route,
      typed: req.domain?.name ?? null,
      current: site.currentDomain,
      deep: await deepest(3),
      via: site.request?.via ?? null,
      url: req.url,
    });
  }

  async function loadHandler(req: ConformanceRequest): Promise<ConformanceReply> {
    load.inFlight++;
    load.maxInFlight = Math.max(load.maxInFlight, load.inFlight);
    try {
      const seen: string[] = [];
      gate ??= new Promise<void>((resolve) => {
        openGate = resolve;
        setTimeout(resolve, 5000).unref();
      });
      if (load.inFlight >= LOAD_GATE) openGate();
      await gate;
      seen.push(getCurrentDomain().name);
      await sleep(Math.floor(Math.random() * 10));
      seen.push(getCurrentDomain().name);
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(site.currentDomain);
      await readFile(file);
      seen.push(getCurrentDomain().name);
      await new Promise((resolve) => ticker.once('tick', resolve));
      seen.push(site.currentDomain);
      await sleep(Math.floor(Math.random() * 5));
      seen.push(getCurrentDomain().name);
      return reply({ typed: req.domain?.name ?? null, current: site.currentDomain, seen });
    } finally {
      load.inFlight--;
    }
  }

  const routes: ConformanceRoute[] = [
    { path: '/whoami', handle: (req) => whoami('whoami', req) },
    { path: '/shop/products', handle: (req) => whoami('products', req) },
    { path: '/health', handle: (req) => whoami('health', req) },
    { path: '/billing/invoices', handle: (req) => whoami('invoices', req) },
    {
      path: '/set-cookie',
      handle: async () =>
        reply({ ok: true }, [{ name: 'sid', value: site.currentDomain, options: cookieOptions() }]),
    },
    {
      path: '/data',
      handle: async () => {
        const first = site.em;
        await sleep(1);
        const second = site.em;
        return reply({ em: first.domain, same: first === second, opened: site.emOpened });
      },
    },
    { path: '/load', handle: loadHandler },
  ];

  return {
    site,
    routes,
    isolation,
    load,
    async close() {
      clearInterval(interval);
      await site.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
