/**
 * Every error md raises, with the HTTP status each one maps to. This table is
 * the single source of truth: adapters answer with `httpStatusOf(code)`, and
 * `docs/errors.md` lists exactly these codes (a test keeps the two in sync).
 */
export const ERROR_STATUS = {
  // registry and configuration
  INVALID_DOMAIN_NAME: 400,
  DUPLICATE_DOMAIN: 409,
  HOST_CONFLICT: 409,
  INVALID_DOMAIN_DEFINITION: 400,
  ROOT_DOMAIN_PROTECTED: 400,
  DUPLICATE_PLUGIN: 500,
  INVALID_OPTIONS: 500,
  UNKNOWN_SERVICE: 500,
  DUPLICATE_SERVICE: 500,
  STORE_INVALID: 500,
  STORE_UNAVAILABLE: 503,
  HOST_NOT_FOUND: 404,
  // request resolution
  DOMAIN_NOT_FOUND: 404,
  DOMAIN_SUSPENDED: 403,
  DOMAIN_DISABLED: 403,
  INVALID_HOST: 400,
  INVALID_PATH: 400,
  INVALID_REQUEST: 400,
  // context
  NO_CURRENT_DOMAIN: 500,
  // policies
  FEATURE_DISABLED: 403,
  RATE_LIMITED: 429,
  CROSS_DOMAIN_ACCESS: 403,
  PATH_ESCAPE: 400,
  UNAUTHORIZED: 401,
  ROUTE_NOT_FOUND: 404,
  // data isolation
  ISOLATION_NOT_CONFIGURED: 500,
  TENANT_MISMATCH: 403,
  PROVISION_FAILED: 500,
  MIGRATION_FAILED: 500,
  CONFIRMATION_REQUIRED: 400,
  CONNECTION_BUDGET_EXHAUSTED: 503,
  // anything else
  INTERNAL_ERROR: 500,
} as const satisfies Record<string, number>;

/** The literal union of every md error code. */
export type MdErrorCode = keyof typeof ERROR_STATUS;

/** The HTTP status an error code maps to (500 for anything that is not an MdError). */
export function httpStatusOf(code: MdErrorCode | undefined): number {
  return code === undefined ? 500 : ERROR_STATUS[code];
}

export interface MdErrorOptions {
  cause?: unknown;
  /** Structured facts about the failure (domain, host, path…); safe to log, never secrets. */
  details?: Record<string, unknown>;
}

/**
 * The one error class of md. Every failure carries a `code` from
 * {@link ERROR_STATUS}, a message that says how to fix it, and an optional
 * `cause`. Prefer the named constructors (`MdError.domainNotFound(…)`).
 *
 * @example
 * try { site.run('nope', fn) } catch (e) {
 *   if (MdError.is(e, 'DOMAIN_NOT_FOUND')) console.log(e.status); // 404
 * }
 */
export class MdError extends Error {
  override readonly name = 'MdError';
  readonly code: MdErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: MdErrorCode, message: string, options: MdErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  /** The HTTP status for this error, from the one status table. */
  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /** True when `error` is an MdError (optionally with the given code). */
  static is<TCode extends MdErrorCode>(error: unknown, code?: TCode): error is MdError & { code: TCode } {
    return error instanceof MdError && (code === undefined || error.code === code);
  }

  /** The JSON body adapters send: `{ error: { code, message } }`. */
  toJSON(): { error: { code: MdErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }

  static invalidDomainName(name: unknown): MdError {
    return new MdError(
      'INVALID_DOMAIN_NAME',
      `Invalid domain name ${JSON.stringify(name)}: a domain name is 3 to 50 characters of lower-case a-z, 0-9 and "-", and starts and ends with a letter or digit (e.g. "acme" or "clinic-42").`,
      { details: { name } },
    );
  }

  static duplicateDomain(name: string): MdError {
    return new MdError(
      'DUPLICATE_DOMAIN',
      `Domain "${name}" is already registered. Use site.domains.update("${name}", …) to change it, or remove it first.`,
      { details: { name } },
    );
  }

  static hostConflict(host: string, owner: string, claimant: string): MdError {
    return new MdError(
      'HOST_CONFLICT',
      `Host "${host}" already belongs to domain "${owner}" and cannot also be given to "${claimant}". Remove it from "${owner}" first.`,
      { details: { host, owner, claimant } },
    );
  }

  static invalidDefinition(name: string, reason: string): MdError {
    return new MdError('INVALID_DOMAIN_DEFINITION', `Domain "${name}" has an invalid definition: ${reason}`, {
      details: { name, reason },
    });
  }

  static rootDomainProtected(root: string, action: string): MdError {
    return new MdError(
      'ROOT_DOMAIN_PROTECTED',
      `The root domain "${root}" cannot be ${action}: it holds the shared resources every other domain falls back to.`,
      { details: { root, action } },
    );
  }

  static duplicatePlugin(kind: string, name: string): MdError {
    return new MdError(
      'DUPLICATE_PLUGIN',
      `Two ${kind} plugins are named "${name}". Plugin names must be unique within a site: give one of them another name.`,
      { details: { kind, name } },
    );
  }

  static invalidOptions(reason: string): MdError {
    return new MdError('INVALID_OPTIONS', `Invalid md options: ${reason}`, { details: { reason } });
  }

  static domainNotFound(name: string, details: Record<string, unknown> = {}): MdError {
    return new MdError(
      'DOMAIN_NOT_FOUND',
      `Domain "${name}" is not registered. Register it with site.domains.register({ name: "${name}" }) or check the spelling.`,
      { details: { name, ...details } },
    );
  }

  static notResolved(host: string, path: string): MdError {
    return new MdError(
      'DOMAIN_NOT_FOUND',
      `No domain answers host "${host}" and path "${path}". Register the host on a domain, or add it to rootHosts to serve the root domain there.`,
      { details: { host, path } },
    );
  }

  static domainUnavailable(name: string, status: 'suspended' | 'disabled'): MdError {
    return new MdError(
      status === 'suspended' ? 'DOMAIN_SUSPENDED' : 'DOMAIN_DISABLED',
      `Domain "${name}" is ${status}. Only the paths in the site's unavailableAllowList (health, billing…) answer until it is resumed.`,
      { details: { name, status } },
    );
  }

  static invalidHost(host: string, reason: string): MdError {
    return new MdError(
      'INVALID_HOST',
      `Invalid Host header ${JSON.stringify(host.slice(0, 80))}: ${reason}.`,
      {
        details: { reason },
      },
    );
  }

  /**
   * A request named a domain with a code that cannot be one (a path segment,
   * subdomain label, header, query parameter or cookie). `source` says where
   * the value came from, so the message points at what to fix.
   *
   * @example
   * throw MdError.invalidDomainCode('../x', 'path segment of "/stores/:domain/*"'); // 400
   */
  static invalidDomainCode(value: string, source: string): MdError {
    return new MdError(
      'INVALID_DOMAIN_NAME',
      `The ${source} names the domain ${JSON.stringify(value.slice(0, 80))}, which is not a valid domain code: a code is 3 to 50 characters of a-z, 0-9 and "-" (upper case is folded to lower case) and starts and ends with a letter or digit. Fix the link, client or cookie that sent it.`,
      { details: { value: value.slice(0, 80), source } },
    );
  }

  static invalidPath(path: string, reason: string): MdError {
    return new MdError(
      'INVALID_PATH',
      `Invalid request path ${JSON.stringify(path.slice(0, 120))}: ${reason}.`,
      {
        details: { reason },
      },
    );
  }

  static noCurrentDomain(what: string): MdError {
    return new MdError(
      'NO_CURRENT_DOMAIN',
      `${what} needs a current domain, but none is set. Wrap the code in site.run("<domain>", () => …) or call it from a request handled by an md adapter.`,
      { details: { what } },
    );
  }

  static unknownService(name: string): MdError {
    return new MdError(
      'UNKNOWN_SERVICE',
      `No service is registered as "${name}". Register it with site.services.register("${name}", (domain) => …) before use.`,
      { details: { name } },
    );
  }

  static duplicateService(name: string): MdError {
    return new MdError(
      'DUPLICATE_SERVICE',
      `A service named "${name}" is already registered. Service names must be unique within a site.`,
      { details: { name } },
    );
  }

  static storeInvalid(source: string, reason: string, cause?: unknown): MdError {
    return new MdError('STORE_INVALID', `The domain store ${source} holds invalid data: ${reason}`, {
      cause,
      details: { source, reason },
    });
  }

  static storeUnavailable(source: string, cause?: unknown): MdError {
    return new MdError(
      'STORE_UNAVAILABLE',
      `The domain store ${source} cannot be read. Check that it exists and is reachable; requests fail until it is.`,
      { cause, details: { source } },
    );
  }

  static isolationNotConfigured(what: string): MdError {
    return new MdError(
      'ISOLATION_NOT_CONFIGURED',
      `${what} needs an isolation strategy, but the site has none. Pass createSite({ isolation: … }).`,
      { details: { what } },
    );
  }

  static confirmationRequired(action: string, name: string): MdError {
    return new MdError(
      'CONFIRMATION_REQUIRED',
      `${action} of domain "${name}" destroys its data; confirm it by passing { confirm: "${name}" }.`,
      { details: { action, name } },
    );
  }

  static tenantMismatch(entity: string, expected: string, actual: unknown): MdError {
    return new MdError(
      'TENANT_MISMATCH',
      `Refused to write ${entity} with tenant ${JSON.stringify(actual)} from domain "${expected}": a row's domain is set from the current domain on insert and can never be changed. Do not set tenantId by hand.`,
      { details: { entity, expected, actual } },
    );
  }

  static provisionFailed(domain: string, step: string, cause: unknown, undoErrors: string[] = []): MdError {
    return new MdError(
      'PROVISION_FAILED',
      `Provisioning domain "${domain}" failed at step "${step}": ${(cause as Error)?.message ?? String(cause)}. Everything done so far was rolled back${undoErrors.length > 0 ? ` (except: ${undoErrors.join('; ')})` : ''}; fix the cause and provision again.`,
      { cause, details: { domain, step, undoErrors } },
    );
  }

  static migrationFailed(domain: string, cause: unknown): MdError {
    return new MdError(
      'MIGRATION_FAILED',
      `Migrating domain "${domain}" failed: ${(cause as Error)?.message ?? String(cause)}. The failing migration was rolled back; fix it and run site.migrate("${domain}") again.`,
      { cause, details: { domain } },
    );
  }

  static connectionBudgetExhausted(budget: number, waitedMs: number): MdError {
    return new MdError(
      'CONNECTION_BUDGET_EXHAUSTED',
      `All ${budget} domain connection pools are busy and none became idle within ${waitedMs} ms. Raise the strategy's budget, or shorten long transactions.`,
      { details: { budget, waitedMs } },
    );
  }

  /**
   * A host named in a registry call (verify, remove) that no domain owns.
   *
   * @example
   * throw MdError.hostNotFound('shop.acme.com'); // 404
   */
  static hostNotFound(host: string): MdError {
    return new MdError(
      'HOST_NOT_FOUND',
      `No domain owns host "${host}". Add it first with registry.addHost("<domain>", "${host}"), or check the spelling.`,
      { details: { host } },
    );
  }

  static featureDisabled(domain: string, feature: string): MdError {
    return new MdError(
      'FEATURE_DISABLED',
      `Feature "${feature}" is not enabled for domain "${domain}". Add it to the domain's features to use this route.`,
      { details: { domain, feature } },
    );
  }
}
