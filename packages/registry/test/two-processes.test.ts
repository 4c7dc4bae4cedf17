import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createDomainRegistry } from '../src/index.js';
import { freshUrl, waitFor } from './helpers.js';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts an app instance in a separate OS process and returns its HTTP URL. */
async function startInstance(registryUrl: string): Promise<{ url: string; pid: number }> {
  const child = fork(fileURLToPath(new URL('./fixtures/instance.ts', import.meta.url)), [registryUrl], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    execArgv: ['--import', 'tsx', '--conditions=source'],
    env: { ...process.env, MD_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`instance exited with ${code}`);
    }),
  ])) as [{ url: string; pid: number }];
  return message;
}

async function ask(url: string, host: string): Promise<{ status: number; code?: string; domain?: string }> {
  // fetch cannot set Host; node:http can.
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(`${url}/`, { headers: { host } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        const body = JSON.parse(text);
        resolve({ status: res.statusCode ?? 0, code: body.error?.code, domain: body.domain });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe.each(['postgres', 'sqlite'] as const)('two app processes sharing a %s registry', (kind) => {
  it('a change made by one instance reaches the other within a second, which then refuses the domain', async () => {
    const url = await freshUrl(kind);
    const registry = await createDomainRegistry({ url });
    const [a, b] = await Promise.all([startInstance(url), startInstance(url)]);
    expect(a.pid).not.toBe(b.pid);
    expect(a.pid).not.toBe(process.pid);
    try {
      expect((await ask(b.url, 'acme.test')).code).toBe('DOMAIN_NOT_FOUND');

      await registry.addDomain({ name: 'acme', hosts: ['acme.test'] });
      const added = await waitFor(async () => (await ask(b.url, 'acme.test')).domain === 'acme', 1000);
      await waitFor(async () => (await ask(a.url, 'acme.test')).domain === 'acme', 1000);

      await registry.suspend('acme');
      const suspended = await waitFor(
        async () => (await ask(b.url, 'acme.test')).code === 'DOMAIN_SUSPENDED',
        1000,
      );
      expect((await ask(b.url, 'acme.test')).status).toBe(403);

      await registry.resume('acme');
      await waitFor(async () => (await ask(b.url, 'acme.test')).status === 200, 1000);
      await registry.removeDomain('acme');
      const removed = await waitFor(
        async () => (await ask(b.url, 'acme.test')).code === 'DOMAIN_NOT_FOUND',
        1000,
      );
      await waitFor(async () => (await ask(a.url, 'acme.test')).status === 404, 1000);
      expect(Math.max(added, suspended, removed)).toBeLessThan(1000);
      console.info(
        `[${kind}] propagation ms: added ${added.toFixed(0)}, suspended ${suspended.toFixed(0)}, removed ${removed.toFixed(0)}`,
      );
    } finally {
      await registry.close();
    }
  });
});
