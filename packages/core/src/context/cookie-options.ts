import { currentScope } from './domain-context.js';

/** Options for cookies set by the current domain: host-only and path-scoped. */
export interface DomainCookieOptions {
  path: string;
  httpOnly: boolean;
  sameSite: 'lax' | 'strict';
  secure: boolean;
  /** Always undefined: md never sets a `Domain=` attribute, so a cookie never reaches a parent or sibling host. */
  domain?: undefined;
}

/**
 * Cookie options for the current request's domain: host-only (never a
 * `Domain=` attribute), `Path=/stores/<code>` in path mode, `/` otherwise,
 * `HttpOnly` and `SameSite=Lax` unless overridden. Pass them to the
 * framework's cookie API, or to `serializeCookie` from `@md/core/http`.
 *
 * @example
 * res.cookie('sid', id, cookieOptions());                // Express
 * ctx.cookies.set('sid', id, cookieOptions({ secure: true })); // Koa
 */
export function cookieOptions(
  overrides: Partial<Omit<DomainCookieOptions, 'domain'>> = {},
): DomainCookieOptions {
  return {
    path: currentScope()?.request?.cookiePath ?? '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: false,
    ...overrides,
    domain: undefined,
  };
}
