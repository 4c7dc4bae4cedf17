import type { DomainCookieOptions, DomainProxy, Site } from '@md/core';
import type { AdapterOptions } from '@md/core/http';

/**
 * What a conformance route sees of a request, read through the framework's own typed access.
 *
 * @example
 * await route.handle({ domain: req.domain, url: req.url }); // Express
 */
export interface ConformanceRequest {
  /** The adapter's typed domain: `req.domain`, `request.domain` or `ctx.state.domain`. */
  readonly domain: DomainProxy | undefined;
  /** The URL the framework routed (path and query): the clean one in path mode. */
  readonly url: string;
}

/**
 * A cookie a conformance route asks the harness to set with the framework's own cookie API.
 *
 * @example
 * for (const { name, value, options } of reply.cookies) ctx.cookies.set(name, value, options); // Koa
 */
export interface ConformanceCookie {
  readonly name: string;
  readonly value: string;
  readonly options: DomainCookieOptions;
}

/**
 * What a conformance route answers; the harness writes it as JSON with the framework's API.
 *
 * @example
 * res.status(reply.status).json(reply.body); // Express
 */
export interface ConformanceReply {
  readonly status: number;
  readonly body: unknown;
  readonly cookies: readonly ConformanceCookie[];
}

/**
 * One GET route of the conformance app, registered by the harness on the framework's router.
 *
 * @example
 * for (const route of routes) app.get(route.path, async (request) => …); // Fastify
 */
export interface ConformanceRoute {
  /** An exact path such as `/shop/products`. */
  readonly path: string;
  /** Guard the route with the adapter's `requireFeature(site, feature)`. */
  readonly feature?: string;
  handle(request: ConformanceRequest): Promise<ConformanceReply>;
}

/**
 * A server the harness started on 127.0.0.1.
 *
 * @example
 * const url = await app.listen({ port: 0, host: '127.0.0.1' });
 * return { url, close: () => app.close() };
 */
export interface RunningApp {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * How the suite drives one adapter: `start` builds a framework app with the
 * adapter installed for `site` (passing `options` to it), registers `routes`
 * on the framework's router as GET routes, and listens on 127.0.0.1 port 0.
 *
 * @example
 * describeAdapterConformance({ name: 'koa', start: async (site, routes, options) => … });
 */
export interface AdapterHarness {
  /** Shown in the suite's title, e.g. `'express'` or `'koa@2'`. */
  readonly name: string;
  start(site: Site, routes: readonly ConformanceRoute[], options: AdapterOptions): Promise<RunningApp>;
}
