import { clip } from './clip.js';
import type { MdErrorCode } from './codes.js';
import { IsolationErrors } from './isolation-errors.js';

export type { HeaderList, MdErrorOptions } from './error-base.js';

/**
 * The one error class of md. Every failure carries a `code` from
 * `ERROR_STATUS`, a message that says how to fix it, an optional `cause`, and
 * the headers its HTTP answer needs. Build errors with the named
 * constructors (`MdError.domainNotFound(…)`), never by hand.
 *
 * @example
 * try { site.run('nope', fn) } catch (e) {
 *   if (MdError.is(e, 'DOMAIN_NOT_FOUND')) console.log(e.status); // 404
 * }
 */
export class MdError extends IsolationErrors {
  /** True when `error` is an MdError (optionally with the given code). */
  static is<TCode extends MdErrorCode>(error: unknown, code?: TCode): error is MdError & { code: TCode } {
    return error instanceof MdError && (code === undefined || error.code === code);
  }

  // registry and configuration

  static invalidDomainName(name: unknown): MdError {
    return MdError.make(
      'INVALID_DOMAIN_NAME',
      `Invalid domain name ${JSON.stringify(name)}: a domain name is 3 to 50 characters of lower-case a-z, 0-9 and "-", and starts and ends with a letter or digit (e.g. "acme" or "clinic-42").`,
      { name },
    );
  }

  static duplicateDomain(name: string): MdError {
    const fix = `Use site.domains.update("${name}", …) to change it, or remove it first.`;
    return MdError.make('DUPLICATE_DOMAIN', `Domain "${name}" is already registered. ${fix}`, { name });
  }

  static hostConflict(host: string, owner: string, claimant: string): MdError {
    return MdError.make(
      'HOST_CONFLICT',
      `Host "${host}" already belongs to domain "${owner}" and cannot also be given to "${claimant}". Remove it from "${owner}" first.`,
      { host, owner, claimant },
    );
  }

  /** A domain claimed a host the platform keeps for itself; `by` says who keeps it. */
  static hostReserved(host: string, by: string, claimant: string): MdError {
    const message = `Host "${host}" is reserved by ${by} and cannot be given to domain "${claimant}": a domain that owned it would take over the platform's own requests. Give the domain a host of its own.`;
    return MdError.make('HOST_RESERVED', message, { host, by, claimant });
  }

  static invalidDefinition(name: string, reason: string): MdError {
    const message = `Domain "${name}" has an invalid definition: ${reason}`;
    return MdError.make('INVALID_DOMAIN_DEFINITION', message, { name, reason });
  }

  static rootDomainProtected(root: string, action: string): MdError {
    return MdError.make(
      'ROOT_DOMAIN_PROTECTED',
      `The root domain "${root}" cannot be ${action}: it holds the shared resources every other domain falls back to.`,
      { root, action },
    );
  }

  static duplicatePlugin(kind: string, name: string): MdError {
    return MdError.make(
      'DUPLICATE_PLUGIN',
      `Two ${kind} plugins are named "${name}". Plugin names must be unique within a site: give one of them another name.`,
      { kind, name },
    );
  }

  static invalidOptions(reason: string, cause?: unknown): MdError {
    return MdError.make('INVALID_OPTIONS', `Invalid md options: ${reason}`, { reason }, cause);
  }

  static unknownService(name: string): MdError {
    const fix = `Register it with site.services.register("${name}", (domain) => …) before use.`;
    return MdError.make('UNKNOWN_SERVICE', `No service is registered as "${name}". ${fix}`, { name });
  }

  static duplicateService(name: string): MdError {
    const message = `A service named "${name}" is already registered. Service names must be unique within a site.`;
    return MdError.make('DUPLICATE_SERVICE', message, { name });
  }

  static storeInvalid(source: string, reason: string, cause?: unknown): MdError {
    const message = `The domain store ${source} holds invalid data: ${reason}`;
    return MdError.make('STORE_INVALID', message, { source, reason }, cause);
  }

  static storeUnavailable(source: string, cause?: unknown): MdError {
    return MdError.make(
      'STORE_UNAVAILABLE',
      `The domain store ${source} cannot be read. Check that it exists and is reachable; requests fail until it is.`,
      { source },
      cause,
    );
  }

  /** A host named in a registry call (verify, remove) that no domain owns. */
  static hostNotFound(host: string): MdError {
    const fix = `Add it first with registry.addHost("<domain>", "${host}"), or check the spelling.`;
    return MdError.make('HOST_NOT_FOUND', `No domain owns host "${host}". ${fix}`, { host });
  }

  // request resolution

  static domainNotFound(name: string, details: Record<string, unknown> = {}): MdError {
    return MdError.make(
      'DOMAIN_NOT_FOUND',
      `Domain "${name}" is not registered. Register it with site.domains.register({ name: "${name}" }) or check the spelling.`,
      { name, ...details },
    );
  }

  static notResolved(host: string, path: string): MdError {
    return MdError.make(
      'DOMAIN_NOT_FOUND',
      `No domain answers host "${clip(host)}" and path "${clip(path)}". Register the host on a domain, or add it to rootHosts to serve the root domain there.`,
      { host: clip(host), path: clip(path) },
    );
  }

  static domainUnavailable(name: string, status: 'suspended' | 'disabled'): MdError {
    return MdError.make(
      status === 'suspended' ? 'DOMAIN_SUSPENDED' : 'DOMAIN_DISABLED',
      `Domain "${name}" is ${status}. Only the paths its availability policy allows (health, billing…) answer until it is resumed.`,
      { name, status },
    );
  }

  static invalidHost(host: string, reason: string): MdError {
    return MdError.make('INVALID_HOST', `Invalid Host header ${JSON.stringify(clip(host))}: ${reason}.`, {
      reason,
    });
  }

  /** A request named a domain with a code that cannot be one; `source` says where it came from. */
  static invalidDomainCode(value: string, source: string): MdError {
    return MdError.make(
      'INVALID_DOMAIN_NAME',
      `The ${source} names the domain ${JSON.stringify(clip(value))}, which is not a valid domain code: a code is 3 to 50 characters of a-z, 0-9 and "-" (upper case is folded to lower case) and starts and ends with a letter or digit. Fix the link, client or cookie that sent it.`,
      { value: clip(value), source },
    );
  }

  static invalidPath(path: string, reason: string): MdError {
    return MdError.make('INVALID_PATH', `Invalid request path ${JSON.stringify(clip(path))}: ${reason}.`, {
      reason,
    });
  }

  /** Request input md cannot use (a malformed body, a missing field); `reason` says what to send. */
  static invalidRequest(reason: string): MdError {
    return MdError.make('INVALID_REQUEST', `Invalid request: ${reason}.`, { reason });
  }

  static payloadTooLarge(limitBytes: number): MdError {
    const message = `The request body is larger than the ${limitBytes} bytes this endpoint accepts. Send a smaller body.`;
    return MdError.make('PAYLOAD_TOO_LARGE', message, { limitBytes });
  }

  static routeNotFound(method: string, path: string): MdError {
    const message = `There is no route ${clip(method)} ${clip(path)}. Check the method and the path.`;
    return MdError.make('ROUTE_NOT_FOUND', message, { method: clip(method), path: clip(path) });
  }

  /** A request body that did not arrive in time; the answer closes the connection. */
  static requestTimeout(ms: number): MdError {
    return new MdError(
      'REQUEST_TIMEOUT',
      `The request body did not arrive within ${ms} ms. Send the whole body the Content-Length announces.`,
      { details: { ms }, headers: [['connection', 'close']] },
    );
  }

  /** A protected endpoint called without valid credentials; `fix` says what to send. */
  static unauthorized(what: string, fix: string): MdError {
    return MdError.make('UNAUTHORIZED', `${what} needs valid credentials: ${fix}.`, { what });
  }

  // context and policies

  static noCurrentDomain(what: string): MdError {
    return MdError.make(
      'NO_CURRENT_DOMAIN',
      `${what} needs a current domain, but none is set. Wrap the code in site.run("<domain>", () => …) or call it from a request handled by an md adapter.`,
      { what },
    );
  }

  static featureDisabled(domain: string, feature: string): MdError {
    return MdError.make(
      'FEATURE_DISABLED',
      `Feature "${feature}" is not enabled for domain "${domain}". Add it to the domain's features to use this route.`,
      { domain, feature },
    );
  }

  /** A domain over its request budget; the answer carries `Retry-After` in whole seconds. */
  static rateLimited(domain: string, points: number, duration: number, retryAfter: number): MdError {
    return new MdError(
      'RATE_LIMITED',
      `Domain "${domain}" is over its limit of ${points} requests per ${duration} s; retry after ${retryAfter} s.`,
      { details: { domain, retryAfter }, headers: [['retry-after', String(retryAfter)]] },
    );
  }

  static crossDomainAccess(entry: { userDomain: string; requestDomain: string; user: string; path: string }) {
    const { userDomain, requestDomain } = entry;
    return MdError.make(
      'CROSS_DOMAIN_ACCESS',
      `This session belongs to domain "${userDomain}" and cannot be used on "${requestDomain}". Log in on "${requestDomain}".`,
      { ...entry },
    );
  }

  static pathEscape(path: string, domain: string, reason: string): MdError {
    return MdError.make(
      'PATH_ESCAPE',
      `File path ${JSON.stringify(clip(path))} is refused for domain "${domain}": ${reason}. Use a relative path inside the domain's files.`,
      { domain, reason },
    );
  }
}
