/** What `site.migrate(domain)` answers. */
export interface MigrationReport {
  domain: string;
  applied: string[];
  upToDate: boolean;
  ms: number;
}

/** One domain's health, as a strategy's `health` reports it. */
export interface DomainHealth {
  ok: boolean;
  ms: number;
  error?: string;
}
