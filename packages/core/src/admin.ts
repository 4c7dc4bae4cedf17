import { timingSafeEqual } from 'node:crypto';
import { MdError } from './errors.js';
import { type Site, toErrorResponse } from './site.js';
import type { Awaitable } from './types.js';

/** A request to the admin API, as any adapter can build it. */
export interface AdminRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  headers: { get(name: string): string | null | undefined };
  query?: { get(name: string): string | null };
  /** The parsed JSON body, when there is one. */
  body?: unknown;
}

/** What the admin API answers; adapters send it as is. */
export interface AdminResponse {
  status: number;
  headers: ReadonlyArray<readonly [string, string]>;
  /** A string is sent as text, anything else as JSON. */
  body: unknown;
}

/** One admin route handler: gets the request and the route's parameters. */
export type AdminHandler = (
  req: AdminRequest,
  params: Record<string, string>,
) => Awaitable<AdminResponse | unknown>;

export interface AdminApiOptions {
  /** Where the admin API is mounted (default `/_md`). */
  prefix?: string;
  /**
   * The bearer token every admin request must send (`Authorization: Bearer <token>`).
   * Required: an admin API without a token is refused at creation.
   */
  token: string;
  /** Path of the per-domain health check answered on every domain's host (default `/health`; `false` to turn off). */
  healthPath?: string | false;
}

interface Route {
  method: string;
  segments: string[];
  handler: AdminHandler;
}

/**
 * The framework-neutral admin API every adapter mounts under a prefix
 * (default `/_md`), protected by a bearer token: `GET /metrics` (Prometheus
 * text), `GET /health` (every domain), `GET /health/:domain`, `GET /domains`.
 * More routes (onboarding, hosts, suspend/resume) are added with `route`.
 * It also answers the per-domain health check (`GET /health` on a domain's
 * own host) without a token.
 *
 * @example
 * const admin = createAdminApi(site, { token: process.env.MD_ADMIN_TOKEN! });
 * app.use(mdExpress(site, { admin }));
 * // curl -H 'authorization: Bearer …' http://localhost:3000/_md/metrics
 */
export class AdminApi {
  readonly prefix: string;
  readonly healthPath: string | undefined;
  readonly #token: Buffer;
  readonly #routes: Route[] = [];
  readonly #site: Site<unknown>;

  constructor(site: Site<unknown>, options: AdminApiOptions) {
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
    this.#site = site;
    this.route('GET', '/metrics', async () => ({
      status: 200,
      headers: [['content-type', site.metrics.contentType]],
      body: await site.metrics.text(),
    }));
    this.route('GET', '/health', async () => healthResponse(await site.health()));
    this.route('GET', '/health/:domain', async (_req, { domain }) =>
      healthResponse(await site.health(domain)),
    );
    this.route('GET', '/domains', () => ({
      domains: [...site.domains].map((d) => ({ ...d.toJSON(), features: [...d.features] })),
    }));
  }

  /** Adds a route under the prefix; `:name` segments become parameters. */
  route(method: string, pattern: string, handler: AdminHandler): this {
    this.#routes.push({
      method: method.toUpperCase(),
      segments: pattern.split('/').filter(Boolean),
      handler,
    });
    return this;
  }

  /** True when a request path belongs to the admin API. */
  owns(path: string): boolean {
    return path === this.prefix || path.startsWith(`${this.prefix}/`);
  }

  /**
   * Answers an admin request: 401 without the right token, 404 for an unknown
   * route, the route's answer otherwise; errors go through the status table.
   * Runs in the root domain.
   */
  async handle(req: AdminRequest): Promise<AdminResponse> {
    try {
      if (!this.#authorized(req.headers.get('authorization'))) {
        throw new MdError(
          'UNAUTHORIZED',
          'The admin API needs "Authorization: Bearer <token>" with the site\'s admin token.',
        );
      }
      const segments = req.path.slice(this.prefix.length).split('/').filter(Boolean).map(decodeURIComponent);
      for (const route of this.#routes) {
        const params = match(route, req.method.toUpperCase(), segments);
        if (params === undefined) continue;
        const answer = await this.#site.run(this.#site.rootDomain, () => route.handler(req, params));
        return isResponse(answer) ? answer : { status: 200, headers: [], body: answer };
      }
      throw new MdError('ROUTE_NOT_FOUND', `The admin API has no route ${req.method} ${req.path}.`);
    } catch (error) {
      const { status, body, headers } = toErrorResponse(error);
      return { status, headers, body };
    }
  }

  /** The per-domain health check, for the current domain. */
  async domainHealth(domain: string): Promise<AdminResponse> {
    return healthResponse(await this.#site.health(domain));
  }

  #authorized(header: string | null | undefined): boolean {
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
    const given = Buffer.from(header.slice(7));
    return given.length === this.#token.length && timingSafeEqual(given, this.#token);
  }
}

/**
 * Creates the admin API of a site (see {@link AdminApi}).
 *
 * @example
 * const admin = createAdminApi(site, { token: 'a-long-random-admin-token' });
 */
export function createAdminApi(site: Site<unknown>, options: AdminApiOptions): AdminApi {
  return new AdminApi(site, options);
}

function healthResponse(health: { ok: boolean }): AdminResponse {
  return { status: health.ok ? 200 : 503, headers: [], body: health };
}

function match(route: Route, method: string, segments: string[]): Record<string, string> | undefined {
  if (route.method !== method || route.segments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const want = route.segments[i]!;
    const got = segments[i]!;
    if (want.startsWith(':')) params[want.slice(1)] = got;
    else if (want !== got) return undefined;
  }
  return params;
}

function isResponse(value: unknown): value is AdminResponse {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as AdminResponse).status === 'number' &&
    Array.isArray((value as AdminResponse).headers) &&
    'body' in value
  );
}
