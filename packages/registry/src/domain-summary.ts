import type { DomainStatus } from '@md/core';
import type { RegistryDomain, RegistryHost } from './domain-registry.js';

/** What a listing of a registry domain shows: its code, display name, status, hosts, attributes and features. */
export interface RegistryDomainSummary {
  name: string;
  displayName: string;
  status: DomainStatus;
  hosts: RegistryHost[];
  attributes: RegistryDomain['definition']['attributes'];
  features: RegistryDomain['definition']['features'];
}

/**
 * The summary of a registry domain that the `md domains` commands print and
 * the onboarding API answers with (which adds preferences, branding and
 * timestamps), so both show a domain the same way.
 *
 * @example
 * const domain = await registry.addDomain({ name: 'acme' });
 * console.log(JSON.stringify(domainSummary(domain))); // {"name":"acme","displayName":"acme","status":"active",…}
 */
export function domainSummary(domain: RegistryDomain): RegistryDomainSummary {
  return {
    name: domain.definition.name,
    displayName: domain.displayName,
    status: domain.status,
    hosts: domain.hosts,
    attributes: domain.definition.attributes,
    features: domain.definition.features,
  };
}
