import { Counter, type Metric, Registry } from 'prom-client';

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
  readonly #series = new Map<string, DomainSeries>();
  readonly #rejected: Counter<'code'>;

  constructor() {
    // Requests and latencies are counted in plain numbers per domain and
    // handed to prom-client only when the registry is scraped: recording a
    // response is a Map read and a few additions, where a labelled
    // prom-client observe hashes its labels on every call.
    this.registry.registerMetric(
      scraped('md_requests_total', 'Requests answered, by domain and status', 'counter', () =>
        this.#requestValues(),
      ),
    );
    this.registry.registerMetric(
      scraped('md_request_duration_seconds', 'Request latency by domain', 'histogram', () =>
        this.#durationValues(),
      ),
    );
    this.#rejected = new Counter({
      name: 'md_requests_rejected_total',
      help: 'Requests refused before reaching a domain, by error code',
      labelNames: ['code'],
      registers: [this.registry],
    });
  }

  /** Records one answered request. */
  record(domain: string, status: number, ms: number): void {
    let series = this.#series.get(domain);
    if (series === undefined) {
      series = new DomainSeries();
      this.#series.set(domain, series);
    }
    series.record(status, ms / 1000);
  }

  /** Drops a removed domain's series, so a fleet that churns domains does not grow without bound. */
  forget(domain: string): void {
    this.#series.delete(domain);
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

  #requestValues(): MetricValue[] {
    const values: MetricValue[] = [];
    for (const [domain, series] of this.#series) {
      for (const [status, value] of series.statuses) {
        values.push({ labels: { domain, status: String(status) }, value });
      }
    }
    return values;
  }

  #durationValues(): MetricValue[] {
    const values: MetricValue[] = [];
    const name = 'md_request_duration_seconds';
    for (const [domain, series] of this.#series) {
      let cumulative = 0;
      for (let i = 0; i < BUCKETS.length; i++) {
        cumulative += series.buckets[i]!;
        values.push({ metricName: `${name}_bucket`, labels: { le: BUCKETS[i]!, domain }, value: cumulative });
      }
      values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', domain }, value: series.count });
      values.push({ metricName: `${name}_sum`, labels: { domain }, value: series.sum });
      values.push({ metricName: `${name}_count`, labels: { domain }, value: series.count });
    }
    return values;
  }
}

const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** One domain's counts since it was first answered (or last forgotten). */
class DomainSeries {
  readonly statuses = new Map<number, number>();
  /** Responses per latency bucket (not cumulative; the last slot is over the largest bound). */
  readonly buckets = new Float64Array(BUCKETS.length + 1);
  sum = 0;
  count = 0;

  record(status: number, seconds: number): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]!) i++;
    this.buckets[i]!++;
    this.sum += seconds;
    this.count++;
  }
}

type MetricValue = { metricName?: string; labels: Record<string, string | number>; value: number };

/**
 * A metric prom-client's registry formats from values computed at scrape
 * time (the shape its own metrics answer from `get()`), so it merges, and
 * serialises to text and JSON, like any other.
 */
function scraped(
  name: string,
  help: string,
  type: 'counter' | 'histogram',
  values: () => MetricValue[],
): Metric {
  return {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values: values() }),
    reset: () => {},
  } as unknown as Metric;
}
