import { type ChildProcess, spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSite, type RedisLikeClient, redisCacheBackend } from '../src/index.js';

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// A real Redis server (Debian's redis-server, installed by scripts/test.sh), never a stand-in.
describe('redisCacheBackend on a real Redis', () => {
  let server: ChildProcess;
  let client: Redis;

  beforeAll(async () => {
    const port = await freePort();
    server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    // Wait until the server accepts connections, then connect once.
    for (let i = 0; !(await accepts(port)); i++) {
      if (i > 100) throw new Error(`redis-server did not start on port ${port}`);
      await sleep(50);
    }
    client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    client?.disconnect();
    server?.kill();
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
