import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSite, type DomainResolver, MdError, type RequestLike, rateLimit } from '../src/index.js';
import { type RedisServer, startRedis } from './helpers/redis-server.js';

const byLabel: DomainResolver = {
  name: 'label',
  resolve: (_req, { host, domains }) => {
    const code = host.split('.')[0]!;
    return domains.has(code) ? { domain: code, via: 'label' } : undefined;
  },
};

function request(host: string): RequestLike {
  return {
    host,
    path: '/',
    headers: { get: () => undefined },
    query: new URLSearchParams(),
    cookies: {},
    kind: 'custom',
  };
}

/** One app instance: its own site, its own Redis connection, its own limiter objects. */
async function instance(redis: RedisServer) {
  return createSite({
    resolvers: [byLabel],
    domains: [{ name: 'noisy' }, { name: 'quiet' }],
    policies: [rateLimit({ tiers: { default: { points: 30, duration: 60 } }, redis: redis.client() })],
  });
}

async function outcome(promise: unknown): Promise<'served' | 'limited'> {
  try {
    await promise;
    return 'served';
  } catch (error) {
    if (MdError.is(error, 'RATE_LIMITED')) return 'limited';
    throw error;
  }
}

describe('rateLimit with a Redis backend, on a real redis-server', () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    await redis?.stop();
  });

  it('makes three app instances enforce one limit for the fleet, not three', async () => {
    const sites = await Promise.all([instance(redis), instance(redis), instance(redis)]);
    // 90 overlapping requests for one domain, spread over the three instances.
    const answers = await Promise.all(
      Array.from({ length: 90 }, (_, i) => outcome(sites[i % 3]!.resolve(request('noisy.test')))),
    );
    expect(answers.filter((a) => a === 'served')).toHaveLength(30);
    expect(answers.filter((a) => a === 'limited')).toHaveLength(60);
    // Every instance refuses now, and the other domain keeps its own full budget.
    for (const site of sites) expect(await outcome(site.resolve(request('noisy.test')))).toBe('limited');
    const quiet = await Promise.all(sites.map((site) => outcome(site.resolve(request('quiet.test')))));
    expect(quiet).toEqual(['served', 'served', 'served']);
    // Removing the domain on one instance erases its counter for all of them.
    await sites[0]!.domains.remove('noisy');
    expect(await outcome(sites[1]!.resolve(request('noisy.test')))).toBe('served');
    await Promise.all(sites.map((site) => site.close()));
  });
});
