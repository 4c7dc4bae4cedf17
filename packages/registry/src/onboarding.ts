import {
  type AdminApi,
  type AdminRequest,
  type AdminResponse,
  type Awaitable,
  type DomainDefinition,
  type DomainPatch,
  type DomainProxy,
  MdError,
  normalizeHost,
  type Site,
} from '@md/core';
import type { DomainRegistry, RegistryDomain } from './domain-registry.js';
import { domainSummary } from './domain-summary.js';
import { followRegistry, type RegistryFollower } from './follow-registry.js';

/** What the first-admin hook gets: the new domain, its site, and the request's `admin` field. */
export interface FirstAdminContext {
  domain: DomainProxy;
  site: Site<unknown>;
  /** The `admin` object of the create request (e.g. `{ email, password }`), as sent. */
  input: unknown;
}

/** Options of {@link mountOnboarding}. */
export interface OnboardingOptions {
  site: Site<unknown>;
  registry: DomainRegistry;
  /**
   * Creates the domain's first admin user after provisioning. Runs inside
   * `site.run(domain)` (so `site.em` is the new domain's); what it returns is
   * sent back as `admin` (never return a password). A throw undoes the whole
   * creation.
   */
  createFirstAdmin?: (context: FirstAdminContext) => Awaitable<unknown>;
  /**
   * Proves a host belongs to the domain before it is marked verified (a DNS
   * TXT record, a file on the host…). Without it, verifying is the operator's word.
   */
  checkHost?: (host: string, domain: string) => Awaitable<boolean>;
  /** The follower keeping this site in line with the registry (default: a new one). */
  follower?: RegistryFollower;
}

/**
 * Adds the runtime onboarding routes to the admin API (all under its prefix
 * and bearer token): `POST /domains` (register + provision + first admin),
 * `GET|PATCH /domains/:domain`, `POST /domains/:domain/hosts`,
 * `POST /domains/:domain/hosts/:host/verify`, `DELETE /domains/:domain/hosts/:host`,
 * `POST /domains/:domain/suspend|resume`, and `DELETE /domains/:domain?confirm=<domain>`.
 * Every change is written to the registry first (other instances follow it)
 * and applied to this site before the answer, so a created domain answers at
 * once. A failed creation is rolled back: no half-created domain stays.
 *
 * @example
 * const admin = createAdminApi(site, { token: process.env.MD_ADMIN_TOKEN! });
 * mountOnboarding(admin, {
 *   site,
 *   registry,
 *   createFirstAdmin: async ({ input }) => {
 *     const user = site.em.create(User, { email: (input as { email: string }).email, role: 'admin' });
 *     await site.em.flush();
 *     return { id: user.id };
 *   },
 * });
 */
export function mountOnboarding(admin: AdminApi, options: OnboardingOptions): RegistryFollower {
  const { site, registry, createFirstAdmin, checkHost } = options;
  const follower = options.follower ?? followRegistry(site, registry);

  const owned = async (code: string): Promise<RegistryDomain> => {
    const domain = await registry.get(code);
    if (domain === undefined) throw MdError.domainNotFound(code);
    return domain;
  };
  const view = (d: RegistryDomain) => ({
    ...domainSummary(d),
    preferences: d.definition.preferences,
    branding: d.definition.branding,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  });

  admin.route('POST', '/domains', async function createDomain(req) {
    const body = objectBody(req);
    const started = performance.now();
    const definition = definitionOf(body);
    const created = await registry.addDomain(definition);
    let provisioned = false;
    try {
      await follower.sync();
      if (site.isolation !== undefined) {
        await site.provision(definition.name, { seed: body.seed === true });
        provisioned = true;
      }
      let adminResult: unknown;
      if (createFirstAdmin !== undefined) {
        const domain = site.domains.require(definition.name);
        adminResult = await site.run(definition.name, () =>
          createFirstAdmin({ domain, site, input: body.admin }),
        );
      }
      return {
        status: 201,
        headers: [['location', `${admin.prefix}/domains/${definition.name}`]],
        body: { domain: view(created), admin: adminResult, ms: Math.round(performance.now() - started) },
      } satisfies AdminResponse;
    } catch (error) {
      // Undo in reverse: data first, then the registry row, then this site.
      if (provisioned) {
        await site.deprovision(definition.name, { confirm: definition.name }).catch(() => undefined);
      }
      await registry.removeDomain(definition.name).catch(() => undefined);
      await follower.sync().catch(() => undefined);
      throw error;
    }
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
    const updated = await registry.updateDomain(domain!, patch);
    await follower.sync();
    return view(updated);
  });

  admin.route('POST', '/domains/:domain/hosts', async function addHost(req, { domain }) {
    const body = objectBody(req);
    if (typeof body.host !== 'string') throw invalidRequest('send { "host": "shop.example.com" }');
    const host = await registry.addHost(domain!, body.host, { verified: body.verified === true });
    await follower.sync();
    return { status: 201, headers: [], body: host } satisfies AdminResponse;
  });

  admin.route('POST', '/domains/:domain/hosts/:host/verify', async function verifyHost(_req, params) {
    const host = await hostOf(params.domain!, params.host!);
    if (checkHost !== undefined && !(await checkHost(host, params.domain!))) {
      throw invalidRequest(
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
    return { status: 204, headers: [], body: '' } satisfies AdminResponse;
  });

  admin.route('POST', '/domains/:domain/suspend', async (_req, { domain }) => {
    const updated = await registry.suspend(domain!);
    await follower.sync();
    return view(updated);
  });

  admin.route('POST', '/domains/:domain/resume', async (_req, { domain }) => {
    const updated = await registry.resume(domain!);
    await follower.sync();
    return view(updated);
  });

  admin.route('DELETE', '/domains/:domain', async function deleteDomain(req, { domain }) {
    const code = domain!;
    const body = req.body as { confirm?: unknown; keepData?: unknown } | undefined;
    const confirm = req.query?.get('confirm') ?? body?.confirm;
    if (confirm !== code) throw MdError.confirmationRequired('Deleting', code);
    await owned(code);
    const keepData = req.query?.get('keepData') === 'true' || body?.keepData === true;
    if (site.isolation !== undefined && !keepData && site.domains.has(code)) {
      await site.deprovision(code, { confirm: code });
    }
    await registry.removeDomain(code);
    await follower.sync();
    return { status: 204, headers: [], body: '' } satisfies AdminResponse;
  });

  async function hostOf(code: string, raw: string): Promise<string> {
    const host = normalizeHost(raw);
    const owner = await registry.findByHost(host);
    if (owner?.domain !== code) throw MdError.hostNotFound(host);
    return host;
  }

  return follower;
}

function objectBody(req: AdminRequest): Record<string, unknown> {
  const body = req.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidRequest('send a JSON object body with content-type application/json');
  }
  return body as Record<string, unknown>;
}

function invalidRequest(reason: string): MdError {
  return new MdError('INVALID_REQUEST', `Invalid onboarding request: ${reason}.`, { details: { reason } });
}

function definitionOf(body: Record<string, unknown>): DomainDefinition {
  if (typeof body.name !== 'string')
    throw invalidRequest('"name" (the domain code, e.g. "acme") is required');
  const definition: DomainDefinition = { name: body.name };
  for (const key of ['hosts', 'status', 'attributes', 'features', 'preferences', 'branding'] as const) {
    if (body[key] !== undefined) (definition as unknown as Record<string, unknown>)[key] = body[key];
  }
  if (typeof body.displayName === 'string')
    definition.branding = { ...definition.branding, name: body.displayName };
  return definition;
}
