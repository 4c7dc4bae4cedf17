/** Lifecycle of a domain. `suspended` and `disabled` domains are refused by the `availability` policy. */
export type DomainStatus = 'active' | 'trial' | 'suspended' | 'disabled';

/**
 * Every status a domain can have, in lifecycle order.
 *
 * @example
 * DOMAIN_STATUSES.includes(input as DomainStatus); // validate user input
 */
export const DOMAIN_STATUSES: readonly DomainStatus[] = ['active', 'trial', 'suspended', 'disabled'];

/** Branding of a domain: shown by templates and served as JSON. */
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

/** Changes to a domain: everything but its name. */
export type DomainPatch = Partial<Omit<DomainDefinition, 'name'>>;
