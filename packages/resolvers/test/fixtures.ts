import type { DomainDefinition, RequestLike } from '@md/core';

/** What a test request may set; everything else gets a neutral default. */
export interface RequestInit {
  host: string;
  path?: string;
  headers?: Record<string, string>;
  /** A raw query string without the `?`: `tenant_id=acme&x=1`. */
  query?: string;
  cookies?: Record<string, string>;
  ip?: string;
}

/**
 * A neutral request built from the platform's own Headers and
 * URLSearchParams: the same shape adapters hand to resolvers.
 */
export function request({
  host,
  path = '/',
  headers = {},
  query = '',
  cookies = {},
  ip,
}: RequestInit): RequestLike {
  const cookieJar: Record<string, string> = Object.create(null);
  Object.assign(cookieJar, cookies);
  return {
    host,
    path,
    headers: new Headers(headers),
    query: new URLSearchParams(query),
    cookies: cookieJar,
    ip,
    kind: 'custom',
  };
}

/** Seed 001's stores, plus codes that prove reserved labels and look-alikes never resolve. */
export const DOMAINS: DomainDefinition[] = [
  { name: 'wizamart', hosts: ['customdomain.com', 'wizamart.com', 'www.wizamart.com'] },
  { name: 'techstore', hosts: ['mytechstore.net'] },
  { name: 'fashionhub', hosts: ['fashionhub.shop'] },
  { name: 'promo' },
  { name: 'bucher', hosts: ['bücher.example'] },
  { name: 'kiosk' },
  { name: 'www' },
  { name: 'api' },
  { name: 'acme' },
  { name: 'closed', status: 'suspended' },
];
