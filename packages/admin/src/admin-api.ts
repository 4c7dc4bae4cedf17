import { timingSafeEqual } from 'node:crypto';
import { MdError, normalizeHost, type PluginSite, type Reservations, type SitePlugin } from '@md/core';
import { type HttpAnswer, type NodeRequest, readJsonBody, toHttpAnswer } from '@md/core/http';
import { type SiteHealth, siteHealth } from './health.js';
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
 * adminApi({ token: process.env.MD_ADMIN_TOKEN!, prefix: '/_admin', hosts: ['admin.platform.com'] });
 */
export interface AdminApiOptions {
  /** Where the admin API is mounted (default `/_md`). */
  prefix?: string;
  /**
   * The bearer token every admin request must send (`Authorization: Bearer <token>`).
   * Required: an admin API without a token of at least 16 characters is refused at creation.
   */
  token: string;
  /**
   * The hosts the admin API answers on (default: the site's `rootHosts`; every
   * host on a site without resolvers, where every host is the root domain).
   * On any other host its prefix is an ordinary path of the domain. These
   * hosts are reserved: no domain can claim them.
   */
  hosts?: string[];
  /** How long an admin request's body may take to arrive (default 10,000 ms); later is `408 REQUEST_TIMEOUT`. */
  bodyTimeoutMs?: number;
  /** Path of the per-domain health check answered on every domain's host (default `/health`; `false` to turn off). */
  healthPath?: string | false;
  /** Serve `GET <prefix>/metrics` from these metrics (e.g. `observability().metrics`). */
  metrics?: MetricsSource | undefined;
}

const UNAUTHORIZED_FIX = 'send "Authorization: Bearer <token>" with the site\'s admin token';
const NO_HOSTS =
  'the admin API answers only on the site\'s rootHosts, and this site has none: pass createSite({ rootHosts: ["admin.example.com"] }) or adminApi({ hosts: [...] })';

/**
 * The admin API, a site plugin: requests under its prefix (default `/_md`)
 * on its hosts (the site's root hosts by default) are answered by it before
 * resolution, behind a bearer token checked from the headers before any
 * body is read, and run in the root domain: `GET /health` (every domain,
 * by a cheap existence probe), `GET /health/:domain` (the domain's data,
 * with error details), `GET /domains`, and `GET /metrics` when given
 * metrics. More routes (onboarding, see `@md/registry`) are added with
 * `route`. It also answers the per-domain health check (`GET /health` on a
 * domain's own host, after the site's policies) without a token, saying only
 * `ok` or `unavailable`.
 *
 * @example
 * const admin = adminApi({ token: process.env.MD_ADMIN_TOKEN! });
 * const site = await createSite({ plugins: [admin], rootHosts: ['admin.platform.com'] });
 * app.use(mdExpress(site)); // curl -H 'authorization: Bearer …' http://admin.platform.com/_md/domains
 */
export class AdminApi implements SitePlugin {
  readonly name = 'admin';
  readonly prefix: string;
  readonly healthPath: string | undefined;
  readonly reserved: Reservations;
  readonly #token: Buffer;
  readonly #routes = new RouteTable();
  readonly #metrics: MetricsSource | undefined;
  readonly #hosts: ReadonlySet<string> | undefined;
  readonly #bodyTimeoutMs: number;
  #site: PluginSite | undefined;
  /** Where the admin API answers; undefined: on every host. */
  #answersOn: ReadonlySet<string> | undefined;

  constructor(options: AdminApiOptions) {
    if (typeof options?.token !== 'string' || options.token.length < 16) {
      throw MdError.invalidOptions('the admin API needs a token of at least 16 characters (options.token)');
    }
    const prefix = options.prefix ?? '/_md';
    if (!/^\/[a-zA-Z0-9_\-/]*[a-zA-Z0-9_-]$/.test(prefix) || prefix.includes('//')) {
      throw MdError.invalidOptions(`admin prefix ${JSON.stringify(prefix)} must look like "/_md"`);
    }
    const { hosts, bodyTimeoutMs = 10_000 } = options;
    if (hosts !== undefined && (!Array.isArray(hosts) || hosts.length === 0)) {
      throw MdError.invalidOptions(
        'adminApi: hosts must list at least one host, e.g. ["admin.platform.com"]',
      );
    }
    if (!Number.isInteger(bodyTimeoutMs) || bodyTimeoutMs < 1) {
      throw MdError.invalidOptions('adminApi: bodyTimeoutMs must be a whole number of milliseconds >= 1');
    }
    this.prefix = prefix;
    this.healthPath = options.healthPath === false ? undefined : (options.healthPath ?? '/health');
    this.#hosts = hosts === undefined ? undefined : new Set(hosts.map(hostOption));
    this.reserved = { hosts: [...(this.#hosts ?? [])] };
    this.#bodyTimeoutMs = bodyTimeoutMs;
    this.#token = Buffer.from(options.token);
    this.#metrics = options.metrics;
  }

  /** @internal Called by `createSite`: mounts the built-in routes and the two hooks. */
  setup(site: PluginSite): void {
    if (this.#site !== undefined) throw MdError.invalidOptions('an adminApi() plugin belongs to one site');
    this.#answersOn = this.#hosts ?? (site.resolvers.length === 0 ? undefined : site.rootHosts);
    if (this.#answersOn?.size === 0) throw MdError.invalidOptions(NO_HOSTS);
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
    site.hooks.beforeResolve((request) => (this.#answers(request) ? this.#fromNode(request) : undefined));
    const healthPath = this.healthPath;
    if (healthPath !== undefined) {
      site.hooks.afterResolve(async (resolved, request) =>
        resolved.path === healthPath && request.method === 'GET'
          ? publicHealth(await siteHealth(site, resolved.domain.name))
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
   * Answers an admin request: 401 without the right token, 400 for a path
   * that is not valid percent-encoding, 404 for an unknown route, the
   * route's answer otherwise; errors go through core's status table. Runs in
   * the root domain.
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
      const segments = req.path.slice(this.prefix.length).split('/').filter(Boolean).map(decodeSegment);
      const route = this.#routes.match(method, segments);
      if (route === undefined) throw MdError.routeNotFound(method, req.path);
      const answer = await site.run(site.rootDomain, () => route.handler(req, route.params));
      return isAnswer(answer) ? answer : { status: 200, headers: [], body: answer };
    } catch (error) {
      return toHttpAnswer(error);
    }
  }

  /** Its prefix, on its hosts: a request elsewhere is an ordinary request of whichever domain it names. */
  #answers(request: NodeRequest): boolean {
    if (!this.owns(request.path)) return false;
    const hosts = this.#answersOn;
    if (hosts === undefined) return true;
    try {
      return hosts.has(normalizeHost(request.host));
    } catch {
      return false; // resolution answers the bad host
    }
  }

  async #fromNode(request: NodeRequest): Promise<HttpAnswer> {
    const { method, path, headers, query } = request;
    // The token first, from the headers: an unauthorised request never has its body read,
    // and its connection is closed rather than kept waiting for a body nobody will read.
    if (!this.#authorized(headers.get('authorization'))) {
      const refused = await this.handle({ method, path, headers, query });
      return hasBody(request)
        ? { ...refused, headers: [...refused.headers, ['connection', 'close']] }
        : refused;
    }
    let body: unknown;
    try {
      body =
        method === 'GET' || method === 'HEAD'
          ? undefined
          : await readJsonBody(request.raw, undefined, this.#bodyTimeoutMs);
    } catch (error) {
      return toHttpAnswer(error);
    }
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

function hasBody(request: NodeRequest): boolean {
  const { headers } = request.raw;
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] ?? '0') !== '0';
}

function hostOption(host: string): string {
  try {
    return normalizeHost(host);
  } catch (error) {
    throw MdError.invalidOptions(`adminApi: hosts: ${JSON.stringify(host)} is not a host name`, error);
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw MdError.invalidPath(segment, 'it has malformed percent-encoding');
  }
}

const NO_STORE: HttpAnswer['headers'] = [['cache-control', 'no-store']];

/** The operator's answer, behind the token: every checked domain, error texts included. */
function healthAnswer(health: SiteHealth): HttpAnswer {
  return { status: health.ok ? 200 : 503, headers: NO_STORE, body: health };
}

/** A domain's public answer, without a token: only whether it is up, never why not. */
function publicHealth(health: SiteHealth): HttpAnswer {
  return health.ok
    ? { status: 200, headers: NO_STORE, body: { status: 'ok' } }
    : { status: 503, headers: NO_STORE, body: { status: 'unavailable' } };
}
