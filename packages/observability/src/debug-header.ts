import type { DomainPolicy } from '@md/core';

/**
 * Options of {@link debugHeader}.
 *
 * @example
 * debugHeader({ header: 'x-tenant' });
 */
export interface DebugHeaderOptions {
  /** The response header (default `'x-md-domain'`). */
  header?: string;
}

/**
 * A policy that admits every request and names its domain and resolver in a
 * response header, `x-md-domain: acme; via=subdomain`, for debugging
 * routing. List it last, so refused requests carry no header; leave it out
 * in production and no header is built at all.
 *
 * @example
 * await createSite({ policies: [availability(), debugHeader()] });
 */
export function debugHeader({ header = 'x-md-domain' }: DebugHeaderOptions = {}): DomainPolicy {
  const name = header.toLowerCase();
  return {
    name: 'debug-header',
    check: function addDebugHeader({ domain, via }) {
      return [[name, `${domain.name}; via=${via}`]];
    },
  };
}
