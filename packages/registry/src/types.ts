import type { DomainDefinition, DomainStatus } from '@md/core';

/** One host of a domain, as stored. */
export interface RegistryHost {
  host: string;
  verified: boolean;
  createdAt: string;
}

/** A domain as stored: its definition (what the site serves) plus bookkeeping. */
export interface RegistryDomain {
  /** What `load()` hands the site: `hosts` are the verified ones unless `serveUnverifiedHosts`. */
  definition: DomainDefinition;
  /** Display name (the `name` column; also `definition.branding.name`). */
  displayName: string;
  status: DomainStatus;
  /** Every host, verified or not. */
  hosts: RegistryHost[];
  createdAt: string;
  updatedAt: string;
}
