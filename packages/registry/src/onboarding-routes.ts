import {
  type Awaitable,
  type DomainDefinition,
  type DomainPatch,
  type DomainProxy,
  MdError,
  normalizeHost,
  type Site,
} from '@md/core';
import type { HttpAnswer } from '@md/core/http';
import type { DomainRegistry, RegistryDomain } from './domain-registry.js';
import { domainSummary } from './domain-summary.js';
import { followRegistry, type RegistryFollower } from './follow-registry.js';
import { offboardDomain, onboardDomain } from './onboarding.js';

/** A request to an admin route, as `@md/admin` hands it over. */
export interface AdminRouteRequest {
  method: string;
  path: string;
  query?: { get(name: string): string | null };
  body?: unknown;
}

/**
 * What the onboarding routes need of an admin API: its prefix and a way to
 * add routes. `@md/admin`'s `AdminApi` fits as is.
 */
export interface AdminRoutes {
  readonly prefix: string;
  route(
    method: string,
    pattern: string,
    handler: (req: AdminRouteRequest, params: Record<string, string>) => unknown,
  ): unknown;
}

/** What the first-admin hook gets: the new domain, its site, and the request's `admin` field. */
export interface FirstAdminContext {
  domain: DomainProxy;
  site: Site<unknown>;
  /** The `admin` object of the create request (e.g. `{ email, password }`), as sent. */
  input: unknown;
}

/** Options of {@link mountOnboarding}. */
export interface OnboardingRoutesOptions {
  site: Site<unknown>;
  registry: DomainRegistry;
  /**
   * Creates the domain's first admin user after provisioning, inside
   * `site.run(domain)`; what it returns is sent back as `admin` (never a
   * password). A throw undoes the whole creation.
   */
  createFirstAdmin?: (context: FirstAdminContext) => Awaitable<unknown>;
  /** Proves a host belongs to the domain before it is marked verified (a DNS TXT record…). */
  checkHost?: (host: string, domain: string) => Awaitable<boolean>;
  /** The follower keeping this site in line with the registry (default: a new one). */
  follower?: RegistryFollower;
}

/**
 * Adds the runtime onboarding routes to the admin API (under its prefix and
 * token): `POST /domains` (register + provision + first admin, through
 * `onboardDomain`, rolled back on failure), `GET|PATCH /domains/:domain`,
 * `POST /domains/:domain/hosts`, `POST /domains/:domain/hosts/:host/verify`,
 * `DELETE /domains/:domain/hosts/:host`, `POST /domains/:domain/suspend|resume`
 * and `DELETE /domains/:domain?confirm=<domain>` (through `offboardDomain`).
 * Every change goes to the registry first (other instances follow it) and is
 * applied to this site before the answer, so a created domain answers at once.
 *
 * @example
 * import { adminApi } from '@md/admin';
 * const admin = adminApi({ token: process.env.MD_ADMIN_TOKEN! });
 * const site = await createSite({ domains: registry, plugins: [admin] });
 * mountOnboarding(admin, { site, registry });
 */
export function mountOnboarding(admin: AdminRoutes, options: OnboardingRoutesOptions): RegistryFollower {
  const { site, registry, createFirstAdmin, checkHost } = options;
  const follower = options.follower ?? followRegistry(site, registry);
  const context = { site, registry, sync: () => follower.sync() };
  const owned = async (code: string): Promise<RegistryDomain> => {
    const domain = await registry.get(code);
    if (domain === undefined) throw MdError.domainNotFound(code);
    return domain;
  };
  const changed = async (domain: Promise<RegistryDomain>) => {
    const updated = await domain;
    await follower.sync();
    return view(updated);
  };
  async function hostOf(code: string, raw: string): Promise<string> {
    const host = normalizeHost(raw);
    if ((await registry.findByHost(host))?.domain !== code) throw MdError.hostNotFound(host);
    return host;
  }

  admin.route('POST', '/domains', async function createDomain(req) {
    const body = objectBody(req);
    const definition = definitionOf(body);
    const firstAdmin =
      createFirstAdmin && ((domain: DomainProxy) => createFirstAdmin({ domain, site, input: body.admin }));
    const result = await onboardDomain(context, definition, { seed: body.seed === true, firstAdmin });
    return {
      status: 201,
      headers: [['location', `${admin.prefix}/domains/${definition.name}`]],
      body: { domain: view(result.domain), admin: result.admin, ms: Math.round(result.ms) },
    } satisfies HttpAnswer;
  });

  admin.route('GET', '/domains/:domain', async (_req, { domain }) => view(await owned(domain!)));

  admin.route('PATCH', '/domains/:domain', async function updateDomain(req, { domain }) {
    const body = objectBody(req);
    const patch: DomainPatch = {};
    for (const key of ['status', 'attributes', 'features', 'preferences', 'branding', 'hosts'] as const) {
      if (key in body) (patch as Record<string, unknown>)[key] = body[key];
    }
    if (typeof body.displayName === 'string') {
      patch.branding = {
        ...(patch.branding ?? (await owned(domain!)).definition.branding),
        name: body.displayName,
      };
    }
    return changed(registry.updateDomain(domain!, patch));
  });

  admin.route('POST', '/domains/:domain/hosts', async function addHost(req, { domain }) {
    const body = objectBody(req);
    if (typeof body.host !== 'string') throw invalid('send { "host": "shop.example.com" }');
    const host = await registry.addHost(domain!, body.host, { verified: body.verified === true });
    await follower.sync();
    return { status: 201, headers: [], body: host } satisfies HttpAnswer;
  });

  admin.route('POST', '/domains/:domain/hosts/:host/verify', async function verifyHost(_req, params) {
    const host = await hostOf(params.domain!, params.host!);
    if (checkHost !== undefined && !(await checkHost(host, params.domain!))) {
      throw invalid(
        `host "${host}" could not be verified for domain "${params.domain}": check its DNS records and try again`,
      );
    }
    const verified = await registry.verifyHost(host);
    await follower.sync();
    return verified;
  });

  admin.route('DELETE', '/domains/:domain/hosts/:host', async function removeHost(_req, params) {
    await registry.removeHost(await hostOf(params.domain!, params.host!));
    await follower.sync();
    return { status: 204, headers: [], body: '' } satisfies HttpAnswer;
  });

  admin.route('POST', '/domains/:domain/suspend', (_req, { domain }) => changed(registry.suspend(domain!)));
  admin.route('POST', '/domains/:domain/resume', (_req, { domain }) => changed(registry.resume(domain!)));

  admin.route('DELETE', '/domains/:domain', async function deleteDomain(req, { domain }) {
    const body = req.body as { confirm?: unknown; keepData?: unknown } | undefined;
    const keepData = req.query?.get('keepData') === 'true' || body?.keepData === true;
    await offboardDomain(context, domain!, { confirm: req.query?.get('confirm') ?? body?.confirm, keepData });
    return { status: 204, headers: [], body: '' } satisfies HttpAnswer;
  });

  return follower;
}

function view(d: RegistryDomain) {
  const { preferences, branding } = d.definition;
  return { ...domainSummary(d), preferences, branding, createdAt: d.createdAt, updatedAt: d.updatedAt };
}

function objectBody(req: AdminRouteRequest): Record<string, unknown> {
  const body = req.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid('send a JSON object body with content-type application/json');
  }
  return body as Record<string, unknown>;
}

function invalid(reason: string): MdError {
  return MdError.invalidRequest(`onboarding: ${reason}`);
}

function definitionOf(body: Record<string, unknown>): DomainDefinition {
  if (typeof body.name !== 'string') throw invalid('"name" (the domain code, e.g. "acme") is required');
  const definition: DomainDefinition = { name: body.name };
  for (const key of ['hosts', 'status', 'attributes', 'features', 'preferences', 'branding'] as const) {
    if (body[key] !== undefined) (definition as unknown as Record<string, unknown>)[key] = body[key];
  }
  if (typeof body.displayName === 'string')
    definition.branding = { ...definition.branding, name: body.displayName };
  return definition;
}
