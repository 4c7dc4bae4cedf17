import { timingSafeEqual } from 'node:crypto';
import { MdError, type PluginSite, type SitePlugin } from '@md/core';
import { type HttpAnswer, type NodeRequest, readJsonBody, toHttpAnswer } from '@md/core/http';
import { siteHealth } from './health.js';
import { type AdminHandler, type AdminRequest, isAnswer, RouteTable } from './route-table.js';

/** What the admin API needs to serve `GET /metrics`: `@md/observability`'s `DomainMetrics` fits. */
export interface MetricsSource {
  readonly contentType: string;
  text(): Promise<string>;
}

/**
 * Options of {@link adminApi}.
 *
 * @example
 * adminApi({ token: process.env.MD_ADMIN_TOKEN!, prefix: '/_admin', metrics: obs.metrics });
 */
export interface AdminApiOptions {
  /** Where the admin API is mounted (default `/_md`). */
  prefix?: string;
  /**
   * The bearer token every admin request must send (`Authorization: Bearer <token>`).
   * Required: an admin API without a token of at least 16 characters is refused at creation.
   */
  token: string;
  /** Path of the per-domain health check answered on every domain's host (default `/health`; `false` to turn off). */
  healthPath?: string | false;
  /** Serve `GET <prefix>/metrics` from these metrics (e.g. `observability().metrics`). */
  metrics?: MetricsSource | undefined;
}

const UNAUTHORIZED_FIX = 'send "Authorization: Bearer <token>" with the site\'s admin token';

/**
 * The admin API, a site plugin: every request under its prefix (default
 * `/_md`) is answered by it before resolution, on any host, behind a bearer
 * token, and runs in the root domain: `GET /health` (every domain),
 * `GET /health/:domain`, `GET /domains`, and `GET /metrics` when given
 * metrics. More routes (onboarding, see `@md/admin/onboarding`) are added
 * with `route`. It also answers the per-domain health check (`GET /health`
 * on a domain's own host, after the site's policies) without a token.
 *
 * @example
 * const admin = adminApi({ token: process.env.MD_ADMIN_TOKEN! });
 * const site = await createSite({ plugins: [admin] });
 * app.use(mdExpress(site)); // curl -H 'authorization: Bearer …' http://localhost:3000/_md/domains
 */
export class AdminApi implements SitePlugin {
  readonly name = 'admin';
  readonly prefix: string;
  readonly healthPath: string | undefined;
  readonly #token: Buffer;
  readonly #routes = new RouteTable();
  readonly #metrics: MetricsSource | undefined;
  #site: PluginSite | undefined;

  constructor(options: AdminApiOptions) {
    if (typeof options?.token !== 'string' || options.token.length < 16) {
      throw MdError.invalidOptions('the admin API needs a token of at least 16 characters (options.token)');
    }
    const prefix = options.prefix ?? '/_md';
    if (!/^\/[a-zA-Z0-9_\-/]*[a-zA-Z0-9_-]$/.test(prefix)) {
      throw MdError.invalidOptions(`admin prefix ${JSON.stringify(prefix)} must look like "/_md"`);
    }
    this.prefix = prefix;
    this.healthPath = options.healthPath === false ? undefined : (options.healthPath ?? '/health');
    this.#token = Buffer.from(options.token);
    this.#metrics = options.metrics;
  }

  /** @internal Called by `createSite`: mounts the built-in routes and the two hooks. */
  setup(site: PluginSite): void {
    if (this.#site !== undefined) throw MdError.invalidOptions('an adminApi() plugin belongs to one site');
    this.#site = site;
    const metrics = this.#metrics;
    if (metrics !== undefined) {
      this.route('GET', '/metrics', async () => ({
        status: 200,
        headers: [['content-type', metrics.contentType]],
        body: await metrics.text(),
      }));
    }
    this.route('GET', '/health', async () => healthAnswer(await siteHealth(site)));
    this.route('GET', '/health/:domain', async (_req, { domain }) =>
      healthAnswer(await siteHealth(site, domain)),
    );
    this.route('GET', '/domains', () => ({
      domains: [...site.domains].map((d) => ({ ...d.toJSON(), features: [...d.features] })),
    }));
    site.hooks.beforeResolve((request) => (this.owns(request.path) ? this.#fromNode(request) : undefined));
    const healthPath = this.healthPath;
    if (healthPath !== undefined) {
      site.hooks.afterResolve(async (resolved, request) =>
        resolved.path === healthPath && request.method === 'GET'
          ? healthAnswer(await siteHealth(site, resolved.domain.name))
          : undefined,
      );
    }
  }

  /** Adds a route under the prefix; `:name` segments become parameters. */
  route(method: string, pattern: string, handler: AdminHandler): this {
    this.#routes.add(method, pattern, handler);
    return this;
  }

  /** True when a request path belongs to the admin API. */
  owns(path: string): boolean {
    return path === this.prefix || path.startsWith(`${this.prefix}/`);
  }

  /**
   * Answers an admin request: 401 without the right token, 404 for an unknown
   * route, the route's answer otherwise; errors go through core's status
   * table. Runs in the root domain.
   */
  async handle(req: AdminRequest): Promise<HttpAnswer> {
    try {
      const site = this.#site;
      if (site === undefined)
        throw MdError.invalidOptions('add the admin API to createSite({ plugins: [admin] })');
      if (!this.#authorized(req.headers.get('authorization'))) {
        throw MdError.unauthorized('The admin API', UNAUTHORIZED_FIX);
      }
      const method = req.method.toUpperCase();
      const segments = req.path.slice(this.prefix.length).split('/').filter(Boolean).map(decodeURIComponent);
      const route = this.#routes.match(method, segments);
      if (route === undefined) throw MdError.routeNotFound(method, req.path);
      const answer = await site.run(site.rootDomain, () => route.handler(req, route.params));
      return isAnswer(answer) ? answer : { status: 200, headers: [], body: answer };
    } catch (error) {
      return toHttpAnswer(error);
    }
  }

  async #fromNode(request: NodeRequest): Promise<HttpAnswer> {
    let body: unknown;
    try {
      // Only an authorised request gets its body read.
      const authorized = this.#authorized(request.headers.get('authorization'));
      body =
        !authorized || request.method === 'GET' || request.method === 'HEAD'
          ? undefined
          : await readJsonBody(request.raw);
    } catch (error) {
      return toHttpAnswer(error);
    }
    const { method, path, headers, query } = request;
    return this.handle({ method, path, headers, query, body });
  }

  #authorized(header: string | null | undefined): boolean {
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
    const given = Buffer.from(header.slice(7));
    return given.length === this.#token.length && timingSafeEqual(given, this.#token);
  }
}

/**
 * Creates the admin API plugin (see {@link AdminApi}).
 *
 * @example
 * const admin = adminApi({ token: 'a-long-random-admin-token' });
 * await createSite({ plugins: [admin] });
 */
export function adminApi(options: AdminApiOptions): AdminApi {
  return new AdminApi(options);
}

function healthAnswer(health: { ok: boolean }): HttpAnswer {
  return { status: health.ok ? 200 : 503, headers: [], body: health };
}
