import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSite } from '@md/core';
import { mdExpress } from '@md/express';
import { debugHeader } from '@md/observability';
import { hostResolver, pathResolver, subdomainResolver } from '@md/resolvers';
import express from 'express';

/**
 * Starts the hello-domain server on Express and answers its URL. Two domains,
 * reachable by subdomain (`acme.localhost:3000`) or by path
 * (`localhost:3000/stores/globex/`); plain `localhost` is the root domain.
 *
 * @example
 * const { url, close } = await start(3000);
 */
export async function start(port = 0): Promise<{ url: string; close: () => Promise<void> }> {
  const site = await createSite({
    resolvers: [hostResolver(), subdomainResolver({ baseDomains: ['localhost'] }), pathResolver()],
    domains: [
      { name: 'acme', branding: { name: 'Acme Outfitters' } },
      { name: 'globex', branding: { name: 'Globex Corporation' } },
    ],
    rootHosts: ['localhost', '127.0.0.1'],
    policies: [debugHeader()],
  });

  const app = express();
  app.use(mdExpress(site));
  app.get('/', (req, res) => {
    res.json({
      hello: req.domain.branding.name ?? req.domain.name,
      domain: req.domain.name,
      via: site.request?.via,
    });
  });

  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(port, '127.0.0.1', () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] === import.meta.filename) {
  const { url } = await start(Number(process.env.PORT ?? 3000));
  const port = new URL(url).port;
  console.log(
    `express: curl http://acme.localhost:${port}/  or  curl http://localhost:${port}/stores/globex/`,
  );
}
