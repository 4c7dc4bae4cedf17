import { type FinishedResponse, MdError, type PluginSite, type SitePlugin } from '@md/core';
import { createDefaultLogger, type MdLogger } from './logger.js';
import { DomainMetrics } from './metrics.js';

/**
 * Options of {@link observability}.
 *
 * @example
 * observability({ logger: pino({ level: 'debug' }), metrics: false });
 */
export interface ObservabilityOptions {
  /** The base logger; each domain's logger is its child (default: pino at `MD_LOG_LEVEL`). */
  logger?: MdLogger;
  /** Count requests and their latency per domain (default `true`). */
  metrics?: boolean;
}

/**
 * The observability plugin of a site: a logger per domain (a pino child
 * bound to `{ domain }`, made on first use and kept), Prometheus counters
 * and latency histograms per domain (prom-client, one registry per site),
 * and a `warn` audit line for every `security:cross-domain` event. It works
 * from the site's events and its `onResponse` hook only, so a site without
 * it does no logging or metrics work per request; a removed domain's logger
 * and metric series are dropped.
 *
 * @example
 * const obs = observability();
 * const site = await createSite({ plugins: [obs] });
 * obs.log.info({ order: 42 }, 'order placed'); // {"domain":"acme","order":42,…} inside acme
 * await obs.metrics.text();                    // md_requests_total{domain="acme",status="200"} …
 */
export class Observability implements SitePlugin {
  readonly name = 'observability';
  /** The base logger (every domain's logger is its child). */
  readonly logger: MdLogger;
  /** Per-domain counters and histograms; undefined with `{ metrics: false }`. */
  readonly metrics: DomainMetrics | undefined;
  readonly #children = new Map<string, MdLogger>();
  #site: PluginSite | undefined;

  constructor({ logger, metrics = true }: ObservabilityOptions = {}) {
    this.logger = logger ?? createDefaultLogger();
    this.metrics = metrics ? new DomainMetrics() : undefined;
  }

  /** @internal Called by `createSite`. */
  setup(site: PluginSite): void {
    if (this.#site !== undefined) {
      throw MdError.invalidOptions('an observability() plugin belongs to one site: create one per site');
    }
    this.#site = site;
    const metrics = this.metrics;
    if (metrics !== undefined) {
      site.hooks.onResponse(function recordResponse({ resolved, status, ms, code }: FinishedResponse) {
        if (resolved !== undefined) metrics.record(resolved.domain.name, status, ms);
        else metrics.rejected(code ?? 'INTERNAL_ERROR');
      });
    }
    const forget = (name: string) => {
      this.#children.delete(name);
      metrics?.forget(name);
    };
    site.events.on('domain:removed', forget);
    // A deprovisioned domain starts over empty: its series too.
    site.events.on('domain:deprovisioned', ({ domain }) => forget(domain));
    site.events.on('security:cross-domain', (entry) => {
      this.logger.warn({ audit: 'cross-domain', ...entry }, 'cross-domain access refused');
    });
    site.events.on('site:error', ({ source, error }) => {
      this.logger.error({ err: error, source }, `${source} failed`);
    });
  }

  /** The current domain's logger, or the base logger outside a domain: every line names the domain. */
  get log(): MdLogger {
    const domain = this.#site?.tryGetDomain();
    return domain === undefined ? this.logger : this.for(domain.name);
  }

  /** One domain's logger, bound to `{ domain }`, made on first use. */
  for(domain: string): MdLogger {
    let child = this.#children.get(domain);
    if (child === undefined) {
      child = this.logger.child({ domain });
      this.#children.set(domain, child);
    }
    return child;
  }
}

/**
 * Creates the observability plugin of one site (see {@link Observability}).
 *
 * @example
 * const obs = observability({ logger });
 * await createSite({ plugins: [obs] });
 */
export function observability(options: ObservabilityOptions = {}): Observability {
  return new Observability(options);
}
