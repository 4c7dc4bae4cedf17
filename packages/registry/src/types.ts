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

/** Options of {@link createDomainRegistry}. */
export interface DomainRegistryOptions {
  /**
   * Where the registry lives: `postgres://…` (or `postgresql://…`), or a
   * SQLite file as `sqlite:<path>`, a bare path, or `sqlite::memory:`.
   */
  url: string;
  /** Lookups (`get`, `findByHost`) kept in the LRU in front of the database (default 10 000). */
  cacheSize?: number;
  /** SQLite: how often the change counter is polled for other processes' changes (ms, default 500). */
  pollIntervalMs?: number;
  /** Postgres: connections in the registry's pool (default 4; one more is used for LISTEN). */
  poolSize?: number;
  /** Serve hosts nobody verified yet (default false: `load()` lists verified hosts only, until DNS ownership is proven). */
  serveUnverifiedHosts?: boolean;
  /** Follow other instances' changes (LISTEN or polling) from the start (default true). */
  follow?: boolean;
}
