import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { DomainProxy } from '../domains/proxy.js';
import { MdError } from '../errors/md-error.js';
import type { DomainPolicy } from './contract.js';

/** A domain's request budget: at most `points` requests in each window of `duration` seconds. */
export interface RateLimitTier {
  points: number;
  /** The window in whole seconds. */
  duration: number;
}

/**
 * Options of {@link rateLimit}.
 *
 * @example
 * rateLimit({ tiers: { default: { points: 100, duration: 1 }, pro: { points: 1000, duration: 1 } } });
 */
export interface RateLimitOptions {
  /** Tiers by plan name, e.g. `{ free: { points: 50, duration: 10 }, pro: { points: 500, duration: 10 } }`. */
  tiers: Record<string, RateLimitTier>;
  /** The tier of a domain without a plan (default `'default'`, which must then exist in `tiers`). */
  defaultTier?: string;
  /** The attribute naming a domain's plan (default `'plan'`): `attributes: { plan: 'pro' }`. */
  planAttribute?: string;
  /**
   * A Redis client (ioredis, or node-redis v4+) shared by every app instance,
   * so N instances enforce one limit instead of N. Default: in memory, per
   * instance. While Redis is unreachable each instance falls back to its own
   * in-memory budget.
   */
  redis?: object;
  /** Prefix of the limiter's keys (default `'md-rl'`). */
  keyPrefix?: string;
}

type Limiter = RateLimiterMemory | RateLimiterRedis;

/**
 * The per-domain rate limit policy, over `rate-limiter-flexible`: one noisy
 * domain gets `429 RATE_LIMITED` with `Retry-After` while every other keeps
 * its full budget. A domain's budget is its `attributes.rateLimit`
 * (`{ points, duration }`), else the tier its plan attribute names, else the
 * default tier. Its counter is dropped when the domain is updated (its plan
 * may have changed) or removed.
 *
 * @example
 * import { Redis } from 'ioredis';
 * const site = await createSite({
 *   policies: [availability(), rateLimit({ tiers: { default: { points: 20, duration: 1 } }, redis: new Redis() })],
 * });
 */
export function rateLimit(options: RateLimitOptions): DomainPolicy {
  const {
    tiers,
    defaultTier = 'default',
    planAttribute = 'plan',
    redis,
    keyPrefix = 'md-rl',
  } = options ?? {};
  if (tiers?.[defaultTier] === undefined) {
    throw MdError.invalidOptions(`rateLimit: tiers has no "${defaultTier}" tier for domains without a plan`);
  }
  for (const [name, tier] of Object.entries(tiers)) {
    if (!validTier(tier)) {
      throw MdError.invalidOptions(
        `rateLimit: tier "${name}" needs whole numbers points >= 1 and duration >= 1`,
      );
    }
  }
  const limiters = new Map<string, Limiter>();
  const limiterOf = ({ points, duration }: RateLimitTier): Limiter => {
    const key = `${points}:${duration}`;
    let limiter = limiters.get(key);
    if (limiter === undefined) {
      const base = { points, duration, keyPrefix: `${keyPrefix}:${key}` };
      limiter =
        redis === undefined
          ? new RateLimiterMemory(base)
          : new RateLimiterRedis({
              ...base,
              storeClient: redis,
              insuranceLimiter: new RateLimiterMemory(base),
            });
      limiters.set(key, limiter);
    }
    return limiter;
  };
  const tierOf = (domain: DomainProxy): RateLimitTier => {
    const explicit = domain.attributes.rateLimit;
    if (validTier(explicit)) return explicit;
    const plan = domain.attributes[planAttribute];
    return (typeof plan === 'string' ? tiers[plan] : undefined) ?? tiers[defaultTier]!;
  };

  return {
    name: 'rate-limit',
    check: function checkRateLimit({ domain }) {
      const tier = tierOf(domain);
      return limiterOf(tier)
        .consume(domain.name)
        .then(
          () => undefined,
          (refused: unknown) => {
            if (!(refused instanceof RateLimiterRes)) throw refused;
            const retryAfter = Math.max(1, Math.ceil(refused.msBeforeNext / 1000));
            throw MdError.rateLimited(domain.name, tier.points, tier.duration, retryAfter);
          },
        );
    },
    release: async function releaseRateLimit(domain) {
      await Promise.all([...limiters.values()].map((limiter) => limiter.delete(domain)));
    },
  };
}

function validTier(tier: unknown): tier is RateLimitTier {
  const { points, duration } = (tier ?? {}) as Partial<RateLimitTier>;
  return Number.isInteger(points) && points! >= 1 && Number.isInteger(duration) && duration! >= 1;
}
