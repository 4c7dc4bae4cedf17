import { MdError, type Site } from '@md/core';

/** A domain whose database schema differs from what the entities expect. */
export interface DomainDrift {
  domain: string;
  /** The SQL that would bring it in line (additions and changes only). */
  sql: string;
}

/** The part of an isolation strategy the drift check uses (every MikroORM strategy has it). */
interface DriftAware {
  schemaDiff(domain: string): Promise<string>;
}

function driftAware(isolation: unknown): isolation is DriftAware {
  return typeof (isolation as Partial<DriftAware> | undefined)?.schemaDiff === 'function';
}

/**
 * The drift check: for each domain, asks the site's isolation strategy for
 * the SQL that would bring the domain's tables in line with the entities
 * (`strategy.schemaDiff`: safe mode, additions and changes, never drops;
 * it introspects only the domain's own database or schema), and lists the
 * domains where that is not nothing. Throws `INVALID_OPTIONS` when the
 * strategy cannot tell.
 *
 * @example
 * const drift = await checkDrift(site, ['acme', 'globex']);
 * for (const { domain, sql } of drift) console.log(domain, sql);
 */
export async function checkDrift(
  site: Site<unknown>,
  domains: readonly string[],
  concurrency = 4,
): Promise<DomainDrift[]> {
  const isolation = site.isolation;
  if (!driftAware(isolation))
    throw MdError.invalidOptions(
      '--drift needs an isolation strategy with schemaDiff (the MikroORM strategies)',
    );
  const drift: DomainDrift[] = [];
  let next = 0;
  const worker = async () => {
    while (next < domains.length) {
      const domain = domains[next++]!;
      // SQLite wraps every diff in pragmas; only real statements are drift.
      const sql = (await isolation.schemaDiff(domain))
        .split('\n')
        .filter((l) => l.trim() !== '' && !/^pragma\b/i.test(l.trim()))
        .join('\n');
      if (sql !== '') drift.push({ domain, sql });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, domains.length)) }, worker));
  return drift.sort((a, b) => a.domain.localeCompare(b.domain));
}
