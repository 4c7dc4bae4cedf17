import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { handleRequest, type RequestOutcome } from '../src/http/index.js';
import { createSite, type Site, type SitePlugin } from '../src/index.js';

/** Serves one request through handleRequest and reports what it saw on the response. */
async function once(site: Site, host: string) {
  let finishListeners = -1;
  let outcome: RequestOutcome | undefined;
  const server = createServer((req, res) => {
    const before = res.listenerCount('finish');
    Promise.resolve(handleRequest(site, req, res, 'node')).then(
      (result) => {
        outcome = result;
        finishListeners = res.listenerCount('finish') - before;
        res.end();
      },
      (error: unknown) => res.destroy(error as Error),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
  await new Promise((resolve) => server.close(resolve));
  return { finishListeners, outcome };
}

describe('handleRequest', () => {
  it('does nothing per request for a feature the site did not ask for: no finish listener without an observer', async () => {
    const bare = await createSite();
    const { finishListeners, outcome } = await once(bare, 'any.example');
    expect([finishListeners, outcome?.resolved?.domain.name]).toEqual([0, '_main_']);

    const seen: Array<{ status: number; domain: string | undefined }> = [];
    const timing: SitePlugin = {
      name: 'timing',
      setup: (site) =>
        site.hooks.onResponse(({ status, resolved }) => seen.push({ status, domain: resolved?.domain.name })),
    };
    const observed = await createSite({ plugins: [timing] });
    expect((await once(observed, 'any.example')).finishListeners).toBe(1);
    expect(seen).toEqual([{ status: 200, domain: '_main_' }]);
  });

  it('lets a beforeResolve hook answer first, and an afterResolve hook answer a resolved request', async () => {
    const hooks: SitePlugin = {
      name: 'hooks',
      setup: (site) => {
        site.hooks.beforeResolve((req) =>
          req.host === 'early.example' ? { status: 202, headers: [], body: 'early' } : undefined,
        );
        site.hooks.afterResolve((resolved) => ({
          status: 200,
          headers: [['x-late', resolved.domain.name]],
          body: 'late',
        }));
      },
    };
    const site = await createSite({ plugins: [hooks] });
    expect((await once(site, 'early.example')).outcome?.answer).toEqual({
      status: 202,
      headers: [],
      body: 'early',
    });
    expect((await once(site, 'other.example')).outcome?.answer).toEqual({
      status: 200,
      headers: [['x-late', '_main_']],
      body: 'late',
    });
  });
});
