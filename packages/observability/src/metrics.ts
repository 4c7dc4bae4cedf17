import { Counter, Histogram, Registry } from 'prom-client';

/**
 * Per-domain request counters and latency histograms in Prometheus format
 * (prom-client, one registry per site — never the global one). Label
 * cardinality grows with the number of domains: at tens of thousands of
 * domains, scrape less often or aggregate by plan.
 *
 * @example
 * const metrics = new DomainMetrics();
 * metrics.record('acme', 200, 12.5);
 * await metrics.text(); // md_requests_total{domain="acme",status="200"} 1 …
 */
export class DomainMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'domain' | 'status'>;
  readonly #duration: Histogram<'domain'>;
  readonly #rejected: Counter<'code'>;
  readonly #counterChildren = new Map<string, { inc(): void }>();
  readonly #histogramChildren = new Map<string, { observe(value: number): void }>();

  constructor() {
    this.#requests = new Counter({
      name: 'md_requests_total',
      help: 'Requests answered, by domain and status',
      labelNames: ['domain', 'status'],
      registers: [this.registry],
    });
    this.#duration = new Histogram({
      name: 'md_request_duration_seconds',
      help: 'Request latency by domain',
      labelNames: ['domain'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.#rejected = new Counter({
      name: 'md_requests_rejected_total',
      help: 'Requests refused before reaching a domain, by error code',
      labelNames: ['code'],
      registers: [this.registry],
    });
  }

  /** Records one answered request. */
  record(domain: string, status: number, ms: number): void {
    // prom-client hashes a labels object on every call; the bound children are cached instead.
    const key = `${domain} ${status}`;
    let counter = this.#counterChildren.get(key);
    if (counter === undefined) {
      counter = this.#requests.labels({ domain, status: String(status) });
      this.#counterChildren.set(key, counter);
    }
    counter.inc();
    let histogram = this.#histogramChildren.get(domain);
    if (histogram === undefined) {
      histogram = this.#duration.labels({ domain });
      this.#histogramChildren.set(domain, histogram);
    }
    histogram.observe(ms / 1000);
  }

  /** Drops a removed domain's series, so a fleet that churns domains does not grow without bound. */
  forget(domain: string): void {
    for (const key of this.#counterChildren.keys()) {
      if (key.startsWith(`${domain} `)) {
        this.#requests.remove({ domain, status: key.slice(domain.length + 1) });
        this.#counterChildren.delete(key);
      }
    }
    this.#duration.remove({ domain });
    this.#histogramChildren.delete(domain);
  }

  /** Records a request refused before it reached a domain (not found, bad host…). */
  rejected(code: string): void {
    this.#rejected.inc({ code });
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
