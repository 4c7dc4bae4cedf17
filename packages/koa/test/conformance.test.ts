import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { type AdapterHarness, describeAdapterConformance, listenOnLoopback } from '@md/testing/adapter';
import Koa from 'koa';
import Koa2 from 'koa2';
import { describe, expect, it } from 'vitest';
import { mdKoa, requireFeature } from '../src/index.js';

function harness(name: string, App: typeof Koa): AdapterHarness {
  return {
    name,
    async start(site, routes, options) {
      const app = new App();
      app.use(mdKoa(site, options));
      app.use(async (ctx) => {
        // Koa has no router: match on ctx.path, as koa-router does.
        const route = routes.find((r) => r.path === ctx.path);
        if (route === undefined) return;
        const handle = async () => {
          const reply = await route.handle({ domain: ctx.state.domain, url: ctx.url });
          for (const { name, value, options } of reply.cookies) ctx.cookies.set(name, value, options);
          ctx.status = reply.status;
          ctx.body = reply.body;
        };
        if (route.feature === undefined) return handle();
        await requireFeature(route.feature)(ctx, handle);
      });
      return listenOnLoopback(createServer(app.callback()));
    },
  };
}

describeAdapterConformance(harness('koa@3', Koa));
describeAdapterConformance(harness('koa@2', Koa2));

describe('the two Koa majors under test', () => {
  it('are really Koa 3 and Koa 2', () => {
    const require = createRequire(import.meta.url);
    expect(require('koa/package.json').version).toMatch(/^3\./);
    expect(require('koa2/package.json').version).toMatch(/^2\./);
  });
});
