import type { DomainProxy } from './domain-proxy.js';
import { MdError } from './errors.js';

/** A token bucket's size: `rate` requests per second on average, bursts of up to `burst`. */
export interface RateLimitTier {
  rate: number;
  burst: number;
}

export interface RateLimitOptions {
  /** Tiers by plan name, e.g. `{ free: { rate: 5, burst: 10 }, pro: { rate: 50, burst: 100 } }`. */
  tiers: Record<string, RateLimitTier>;
  /** The tier of a domain without a plan (default `'default'`, which must then exist in `tiers`). */
  defaultTier?: string;
  /** The attribute naming a domain's plan (default `'plan'`): `attributes: { plan: 'pro' }`. */
  planAttribute?: string;
  /** Clock in milliseconds (tests). */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  last: number;
  tier: RateLimitTier;
}

/**
 * A token bucket per domain (seed 003: one noisy domain does not slow
 * another). The limit comes from the domain's plan attribute, or from an
 * explicit `attributes.rateLimit: { rate, burst }`. Taking a token is O(1);
 * buckets are dropped when a domain is updated or removed.
 *
 * @example
 * const site = await createSite({
 *   rateLimit: { tiers: { default: { rate: 20, burst: 40 }, pro: { rate: 200, burst: 400 } } },
 * });
 */
export class DomainRateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #options: Required<Omit<RateLimitOptions, 'now'>> & { now: () => number };

  constructor(options: RateLimitOptions) {
    const defaultTier = options.defaultTier ?? 'default';
    if (options.tiers?.[defaultTier] === undefined) {
      throw MdError.invalidOptions(`rateLimit.tiers has no "${defaultTier}" tier for domains without a plan`);
    }
    for (const [name, tier] of Object.entries(options.tiers)) {
      if (!(tier.rate > 0) || !(tier.burst >= 1)) {
        throw MdError.invalidOptions(`rate limit tier "${name}" needs rate > 0 and burst >= 1`);
      }
    }
    this.#options = {
      tiers: options.tiers,
      defaultTier,
      planAttribute: options.planAttribute ?? 'plan',
      now: options.now ?? (() => performance.now()),
    };
  }

  /** Takes one token for the domain, or throws `RATE_LIMITED` with `details.retryAfter` in seconds. */
  take(domain: DomainProxy): void {
    const now = this.#options.now();
    let bucket = this.#buckets.get(domain.name);
    if (bucket === undefined) {
      const tier = this.tierOf(domain);
      bucket = { tokens: tier.burst, last: now, tier };
      this.#buckets.set(domain.name, bucket);
    } else {
      const { rate, burst } = bucket.tier;
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.last) / 1000) * rate);
      bucket.last = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / bucket.tier.rate));
    throw new MdError(
      'RATE_LIMITED',
      `Domain "${domain.name}" is over its limit of ${bucket.tier.rate} requests per second; retry after ${retryAfter} s.`,
      { details: { domain: domain.name, retryAfter } },
    );
  }

  /** The tier that applies to a domain. */
  tierOf(domain: DomainProxy): RateLimitTier {
    const explicit = domain.attributes.rateLimit as RateLimitTier | undefined;
    if (explicit !== undefined && explicit.rate > 0 && explicit.burst >= 1) return explicit;
    const plan = domain.attributes[this.#options.planAttribute];
    const tiers = this.#options.tiers;
    return (typeof plan === 'string' ? tiers[plan] : undefined) ?? tiers[this.#options.defaultTier]!;
  }

  /** Forgets a domain's bucket (its limits may have changed). */
  reset(domain: string): void {
    this.#buckets.delete(domain);
  }
}
