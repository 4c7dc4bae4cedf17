import type { DomainHandler } from './domain-handler.js';
import type { DomainProxy } from './domain-proxy.js';

/** A value or a promise of it. */
export type Awaitable<T> = T | Promise<T>;

/** Lifecycle of a domain. `suspended` and `disabled` domains answer 403 outside the allow-list. */
export type DomainStatus = 'active' | 'trial' | 'suspended' | 'disabled';

export const DOMAIN_STATUSES: readonly DomainStatus[] = ['active', 'trial', 'suspended', 'disabled'];

/** Branding of a domain (seeds 001, 002): shown by templates and served as JSON. */
export interface DomainBranding {
  /** Display name, e.g. "Acme Outfitters". */
  name?: string;
  primaryColor?: string;
  secondaryColor?: string;
  logoUrl?: string;
}

/** The stored description of one domain. Everything but `name` is optional. */
export interface DomainDefinition {
  /** The domain's code: `^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$` (or the root domain's name). */
  name: string;
  /** Exact host names this domain owns (custom domains), e.g. `['acme.com', 'www.acme.com']`. */
  hosts?: string[];
  status?: DomainStatus;
  /** Feature flags switched on for this domain. */
  features?: string[];
  /** Preferences; a key missing here falls back to the root domain's value. */
  preferences?: Record<string, unknown>;
  branding?: DomainBranding;
  /** Free-form attributes (plan tier, contact, limits…). */
  attributes?: Record<string, unknown>;
  /** Connection URL for strategies that give each domain its own database (optional). */
  databaseUrl?: string;
}

/** The neutral request every resolver reads; adapters build it from their framework's request. */
export interface RequestLike {
  /** Raw Host header value (normalised by core before resolvers see it). */
  host: string;
  /** Path without the query string, as received (percent-encoded). */
  path: string;
  headers: { get(name: string): string | null | undefined };
  query: { get(name: string): string | null };
  cookies: Record<string, string | undefined>;
  /** The client address when known; header/query resolvers can trust by caller. */
  ip?: string;
  kind: 'express' | 'fastify' | 'koa' | 'custom';
  raw?: unknown;
}

/** What a resolver answers: the domain, how it was found and optionally a clean path. */
export interface Resolution {
  domain: string;
  /** How the domain was found: the resolver's name, e.g. `'host'`, `'subdomain'`, `'path'`. */
  via: string;
  /** The path the app should route on (path mode strips the domain prefix). */
  path?: string;
  /** The cookie Path that scopes cookies to this domain (path mode: the prefix). */
  cookiePath?: string;
}

/** Facts a resolver may consult besides the request. */
export interface ResolveContext {
  readonly domains: DomainHandler;
  readonly rootDomain: string;
  readonly rootHosts: ReadonlySet<string>;
  /** The request's host, already normalised. */
  readonly host: string;
}

/**
 * A resolver plugin: maps a neutral request to a domain. Return `undefined`
 * to let the next resolver in the chain try. Throw an `MdError` (400 class) on
 * hostile input.
 */
export interface DomainResolver {
  readonly name: string;
  resolve(req: RequestLike, ctx: ResolveContext): Awaitable<Resolution | undefined>;
}

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

export interface MigrationReport {
  domain: string;
  applied: string[];
  upToDate: boolean;
  ms: number;
}

export interface DomainHealth {
  ok: boolean;
  ms: number;
  error?: string;
}

/**
 * An isolation strategy plugin: gives each domain its data. `TEm` is the
 * entity-manager type handed to request code (MikroORM's EntityManager for the
 * built-in strategies).
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
  health?(domain: DomainProxy): Promise<DomainHealth>;
  /** Called when a domain is updated or removed, to drop what the strategy holds for it. */
  release?(domain: string): Promise<void>;
  close(): Promise<void>;
}

/** The part of a Site that plugins see (avoids a type cycle with `Site`). */
export interface SiteLike {
  readonly rootDomain: string;
  readonly domains: DomainHandler;
  readonly events: import('./events.js').MdEventEmitter;
  run<T>(domain: string, fn: () => T): T;
  tryGetDomain(): DomainProxy | undefined;
}
