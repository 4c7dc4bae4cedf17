import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSite, type RedisLikeClient, redisCacheBackend } from '../src/index.js';
import { type RedisServer, startRedis } from './helpers/redis-server.js';

describe('redisCacheBackend on a real Redis', () => {
  let redis: RedisServer;
  let client: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    client = redis.client();
  });

  afterAll(async () => {
    await redis?.stop();
  });

  it('namespaces keys by domain, clears one domain only, and honours TTLs', async () => {
    const backend = redisCacheBackend(client as unknown as RedisLikeClient);
    const site = await createSite({
      cache: backend,
      domains: [{ name: 'acme' }, { name: 'acme-2' }, { name: 'globex' }],
    });
    const acme = site.domains.get('acme')!.cache;
    const acme2 = site.domains.get('acme-2')!.cache;
    const globex = site.domains.get('globex')!.cache;
    await acme.set('catalog', { items: ['anvil'] });
    await acme2.set('catalog', 'acme-2 value');
    await globex.set('catalog', { items: ['widget'] });
    expect(await acme.get('catalog')).toEqual({ items: ['anvil'] });
    expect(await globex.get('catalog')).toEqual({ items: ['widget'] });
    expect(await client.get('md:acme:catalog')).toBe('{"items":["anvil"]}');
    expect(await acme.get('md:globex:catalog')).toBeUndefined();
    for (let i = 0; i < 1200; i++) await acme.set(`bulk:${i}`, i);
    await acme.clear();
    expect(await acme.get('catalog')).toBeUndefined();
    expect(await acme.get('bulk:1199')).toBeUndefined();
    expect(await acme2.get('catalog')).toBe('acme-2 value');
    expect(await globex.get('catalog')).toEqual({ items: ['widget'] });
    await globex.set('short', 1, 50);
    expect(await globex.get('short')).toBe(1);
    await sleep(120);
    expect(await globex.get('short')).toBeUndefined();
    await globex.delete('catalog');
    expect(await globex.get('catalog')).toBeUndefined();
  });
});
