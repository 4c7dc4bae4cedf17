import { type RawResponse, rawRequest } from './raw-client.js';

/**
 * What an attack must get back. Every field given is compared; leave a
 * field out to not care about it.
 *
 * @example
 * const want: AttackExpectation = { status: 400, code: 'INVALID_HOST', domain: null };
 */
export interface AttackExpectation {
  readonly status: number;
  /** md's error code, or `null` for an answer that is not an md error (a route, the framework's 404, Node's parser). */
  readonly code?: string | null;
  /** The domain whose route answered, or `null` when no route of any domain did. */
  readonly domain?: string | null;
  /** The route that answered (`whoami`, `admin`, `invoices`). */
  readonly route?: string;
  /** The URL the framework routed, as the route saw it. */
  readonly url?: string;
  /** Domains that must never have served the request, whatever else happened. */
  readonly never?: readonly string[];
  /** A route that must never have answered. */
  readonly notRoute?: string;
  /** Text that must not appear in the answer (headers and body). */
  readonly excludes?: readonly string[];
  /** Text that must appear in the answer's body. */
  readonly includes?: readonly string[];
  /** The whole answer must arrive within this many milliseconds. */
  readonly within?: number;
  /** The server must close the connection after answering. */
  readonly closed?: boolean;
  /** The longest error message allowed (md repeats at most 100 characters of what it was sent). */
  readonly maxMessage?: number;
}

/**
 * One hostile request of the attack suite: raw bytes (sent over `node:net`)
 * and what must come back.
 *
 * @example
 * attack('two Host headers', get('acme.example', '/whoami', [['Host', 'globex.example']]), refused('INVALID_HOST'));
 */
export interface Attack {
  readonly title: string;
  readonly request: string;
  readonly expect: AttackExpectation;
}

/** Builds an {@link Attack}. */
export function attack(title: string, request: string, expect: AttackExpectation): Attack {
  return { title, request, expect };
}

/** A GET request with one `Host` header (none when `host` is undefined) and more headers after it. */
export function get(
  host: string | undefined,
  target: string,
  headers: ReadonlyArray<readonly [string, string]> = [],
): string {
  return rawRequest({ target, ...(host === undefined ? {} : { host }), headers });
}

/** md refused it with `code`, and no domain served it. */
export function refused(code: string, status = 400): AttackExpectation {
  return { status, code, domain: null };
}

/** Node's HTTP parser refused it before any framework or md saw it. */
export const REFUSED_BY_NODE: AttackExpectation = { status: 400, code: null, domain: null };

/** `domain`'s `route` served it, on `url` when given. */
export function served(
  domain: string,
  route = 'whoami',
  extra: Partial<AttackExpectation> = {},
): AttackExpectation {
  return { status: 200, code: null, domain, route, ...extra };
}

/** What `res` shows of each field `want` asks about, in the same shape, so one `toEqual` compares them. */
export function observed(want: AttackExpectation, res: RawResponse): Record<string, unknown> {
  const body = (res.body ?? {}) as { domain?: unknown; route?: unknown; url?: unknown; error?: unknown };
  const error =
    typeof body === 'object' && body.error !== null && typeof body.error === 'object'
      ? body.error
      : undefined;
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = String((error as { message?: unknown } | undefined)?.message ?? '');
  const domain = typeof body === 'object' && typeof body.domain === 'string' ? body.domain : null;
  const text = `${JSON.stringify(res.headers)}\n${typeof res.body === 'string' ? res.body : JSON.stringify(res.body)}`;
  const got: Record<string, unknown> = { status: res.status };
  if ('code' in want) got.code = typeof code === 'string' ? code : null;
  if ('domain' in want) got.domain = domain;
  if (want.route !== undefined) got.route = body.route ?? null;
  if (want.url !== undefined) got.url = body.url ?? null;
  // Each list is echoed minus what went wrong, so a failure shows exactly which item failed.
  if (want.never !== undefined) got.never = want.never.filter((d) => d !== domain);
  if (want.notRoute !== undefined)
    got.notRoute = body.route === want.notRoute ? `answered by ${want.notRoute}` : want.notRoute;
  if (want.excludes !== undefined) got.excludes = want.excludes.filter((s) => !text.includes(s));
  if (want.includes !== undefined) got.includes = want.includes.filter((s) => text.includes(s));
  if (want.within !== undefined) got.within = res.ms <= want.within ? want.within : Math.round(res.ms);
  if (want.closed !== undefined) got.closed = res.closed;
  if (want.maxMessage !== undefined) got.maxMessage = Math.max(message.length, want.maxMessage);
  return got;
}

/** What {@link observed} answers when `res` is exactly what `want` asks. */
export function expected(want: AttackExpectation): Record<string, unknown> {
  return { ...want };
}
