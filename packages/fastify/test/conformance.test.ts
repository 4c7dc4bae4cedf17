import { serializeCookie } from '@md/core/http';
import { describeAdapterConformance } from '@md/testing/adapter';
import Fastify from 'fastify';
import { mdFastify, mdRewriteUrl, requireFeature } from '../src/index.js';

describeAdapterConformance({
  name: 'fastify',
  async start(site, routes, options) {
    const app = Fastify({ rewriteUrl: mdRewriteUrl(site, options) });
    await app.register(mdFastify, { site, ...options });
    for (const route of routes) {
      const guard = route.feature === undefined ? {} : { preHandler: requireFeature(route.feature) };
      app.get(route.path, guard, async (request, reply) => {
        const answer = await route.handle({ domain: request.domain, url: request.url });
        for (const { name, value, options } of answer.cookies) {
          reply.header('set-cookie', serializeCookie(name, value, options));
        }
        return reply.code(answer.status).send(answer.body);
      });
    }
    const url = await app.listen({ port: 0, host: '127.0.0.1', backlog: 2048 });
    return { url, close: () => app.close() };
  },
});
