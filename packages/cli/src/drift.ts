import type { Site } from '@md/core';

/** A domain whose database schema differs from what the entities expect. */
export interface DomainDrift {
  domain: string;
  /** The SQL that would bring it in line (additions and changes only). */
  sql: string;
}

interface SchemaGeneratorLike {
  getUpdateSchemaSQL(options: {
    safe: boolean;
    dropTables: boolean;
    wrap: boolean;
    schema?: string;
  }): Promise<string>;
}

/**
 * The drift check: for each domain, asks MikroORM's schema generator what
 * it would change to match the entity metadata (safe mode: additions and
 * changes, never drops) on the domain's own entity manager, and lists the
 * domains where that is not nothing. Works with the MikroORM strategies;
 * a strategy exposing `schemaOf(domain)` is compared in that schema.
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
  const { SqlSchemaGenerator } = (await import('@mikro-orm/sql')) as unknown as {
    SqlSchemaGenerator: new (em: unknown) => SchemaGeneratorLike;
  };
  const schemaOf = (site.isolation as { schemaOf?: (domain: string) => string } | undefined)?.schemaOf;
  const drift: DomainDrift[] = [];
  let next = 0;
  const worker = async () => {
    while (next < domains.length) {
      const domain = domains[next++]!;
      const sql = await site.run(domain, async () => {
        const generator = new SqlSchemaGenerator(site.em);
        const options = { safe: true, dropTables: false, wrap: false } as Parameters<
          SchemaGeneratorLike['getUpdateSchemaSQL']
        >[0];
        if (schemaOf !== undefined) options.schema = schemaOf.call(site.isolation, domain);
        const sql = await generator.getUpdateSchemaSQL(options);
        // SQLite wraps every diff in pragmas; only real statements are drift.
        return sql
          .split('\n')
          .filter((l) => l.trim() !== '' && !/^pragma\b/i.test(l.trim()))
          .join('\n');
      });
      if (sql !== '') drift.push({ domain, sql });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, domains.length)) }, worker));
  return drift.sort((a, b) => a.domain.localeCompare(b.domain));
}
