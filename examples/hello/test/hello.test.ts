import { send } from '@md/testing/adapter';
import { describe, expect, it } from 'vitest';
import { start as startExpress } from '../src/express.js';
import { start as startFastify } from '../src/fastify.js';
import { start as startKoa } from '../src/koa.js';

describe.each([
  ['express', startExpress],
  ['fastify', startFastify],
  ['koa', startKoa],
])('examples/hello/src/%s.ts', (_name, start) => {
  it('greets two domains, by subdomain and by path, and the root domain on localhost', async () => {
    const { url, close } = await start(0);
    try {
      const acme = await send(url, { host: 'acme.localhost', path: '/' });
      const globex = await send(url, { host: 'localhost', path: '/stores/globex/' });
      const root = await send(url, { host: 'localhost', path: '/' });
      expect([acme, globex, root].map((r) => [r.status, r.headers['x-md-domain'], r.body])).toEqual([
        [200, 'acme; via=subdomain', { hello: 'Acme Outfitters', domain: 'acme', via: 'subdomain' }],
        [200, 'globex; via=path', { hello: 'Globex Corporation', domain: 'globex', via: 'path' }],
        [200, '_main_; via=root', { hello: '_main_', domain: '_main_', via: 'root' }],
      ]);
    } finally {
      await close();
    }
  });
});
