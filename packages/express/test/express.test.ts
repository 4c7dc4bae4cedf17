import { createServer, request } from 'node:http';
import { createSite } from '@md/core';
import { hostResolver } from '@md/resolvers';
import { listenOnLoopback } from '@md/testing/adapter';
import express from 'express';
import { expect, it } from 'vitest';
import { mdExpress } from '../src/index.js';

// Express-only: body parsers call next() from stream events, a classic place to lose the context.
it('keeps the domain context through express.json() on a body that arrives late', async () => {
  const site = await createSite({
    resolvers: [hostResolver()],
    domains: [{ name: 'acme', hosts: ['acme.example'] }],
  });
  const app = express();
  app.use(mdExpress(site));
  app.use(express.json());
  app.post('/orders', (req, res) => {
    res.json({ domain: req.domain.name, current: site.currentDomain, body: req.body, url: req.originalUrl });
  });
  const running = await listenOnLoopback(createServer(app));
  try {
    const { port } = new URL(running.url);
    const text = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/orders',
          method: 'POST',
          headers: { host: 'acme.example', 'content-type': 'application/json' },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk) => {
            body += chunk;
          });
          res.on('end', () => resolve(body));
        },
      );
      req.on('error', reject);
      req.write('{"item":');
      // The rest of the body comes in a later tick, from outside any domain.
      setTimeout(() => req.end('"boots"}'), 20);
    });
    expect(JSON.parse(text)).toEqual({
      domain: 'acme',
      current: 'acme',
      body: { item: 'boots' },
      url: '/orders',
    });
  } finally {
    await running.close();
  }
});
