import type { DomainLookup } from '../domains/lookup.js';
import type { DomainProxy } from '../domains/proxy.js';
import type { MdEventEmitter } from '../site/events.js';
import type { DomainHealth, MigrationReport } from './reports.js';

/** What an isolation strategy can do; core decides from these flags, never from `instanceof`. */
export interface IsolationCapabilities {
  /** Each domain has its own database. */
  databasePerDomain?: boolean;
  /** Each domain has its own schema in one database. */
  schemaPerDomain?: boolean;
  /** Domains share tables, scoped by a tenant column. */
  rowLevel?: boolean;
  /** The database itself enforces the scope (row-level security). */
  databaseEnforced?: boolean;
  /** The root domain has data of its own. */
  rootData?: boolean;
}

export interface ProvisionOptions {
  /** Run the strategy's seeder after migrations. */
  seed?: boolean;
}

export interface DeprovisionOptions {
  /** Must equal the domain's name: deprovisioning destroys its data. */
  confirm: string;
}

/**
 * The part of a site that isolation strategies see: the read-only domain
 * lookup, the events, and `run` to act inside a domain.
 */
export interface SiteLike {
  readonly rootDomain: string;
  readonly domains: DomainLookup;
  readonly events: MdEventEmitter;
  run<T>(domain: string, fn: () => T): T;
  tryGetDomain(): DomainProxy | undefined;
}

/**
 * An isolation strategy plugin: gives each domain its data. `TEm` is the
 * entity-manager type handed to request code (MikroORM's EntityManager for the
 * built-in strategies).
 *
 * @example
 * const site = await createSite({ isolation: databasePerDomain({ driver: SqliteDriver, folder: './data' }) });
 */
export interface IsolationStrategy<TEm = unknown> {
  readonly name: string;
  readonly capabilities: IsolationCapabilities;
  init(site: SiteLike): Promise<void>;
  provision(domain: DomainProxy, options?: ProvisionOptions): Promise<void>;
  deprovision(domain: DomainProxy, options: DeprovisionOptions): Promise<void>;
  /** A fresh request-scoped entity manager for the domain. Called lazily, at most once per request. */
  em(domain: DomainProxy): TEm;
  migrate?(domain: DomainProxy): Promise<MigrationReport>;
  /** Checks that the domain's data answers (e.g. `select 1` on its store); may open the domain's pool. */
  health?(domain: DomainProxy): Promise<DomainHealth>;
  /**
   * True when the domain's store (database, schema or provisioning record)
   * exists: a cheap probe that opens no request pool, so it evicts none.
   * `siteHealth` over every domain uses it instead of `health`, so checking
   * 300 domains with a budget of 5 pools opens none of them.
   */
  isProvisioned?(domain: string): Promise<boolean>;
  /** Called when a domain is updated or removed, to drop what the strategy holds for it. */
  release?(domain: string): Promise<void>;
  close(): Promise<void>;
}
