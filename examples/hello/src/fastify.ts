import { createSite } from '@md/core';
import { mdFastify, mdRewriteUrl } from '@md/fastify';
import { debugHeader } from '@md/observability';
import { hostResolver, pathResolver, subdomainResolver } from '@md/resolvers';
import Fastify from 'fastify';

/**
 * Starts the hello-domain server on Fastify and answers its URL. Two domains,
 * reachable by subdomain (`acme.localhost:3000`) or by path
 * (`localhost:3000/stores/globex/`, routed before Fastify's router by
 * `mdRewriteUrl`); plain `localhost` is the root domain.
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

  const app = Fastify({ rewriteUrl: mdRewriteUrl(site) });
  await app.register(mdFastify, { site });
  app.get('/', async (request) => ({
    hello: request.domain.branding.name ?? request.domain.name,
    domain: request.domain.name,
    via: site.request?.via,
  }));

  const url = await app.listen({ port, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

if (process.argv[1] === import.meta.filename) {
  const { url } = await start(Number(process.env.PORT ?? 3000));
  const port = new URL(url).port;
  console.log(
    `fastify: curl http://acme.localhost:${port}/  or  curl http://localhost:${port}/stores/globex/`,
  );
}
