import { injectPostgresUrl } from '@md/testing/postgres';
import type { StrategyConformanceOptions } from '@md/testing/strategy';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { databasePerDomain } from '../src/index.js';

/** The database-per-domain strategy on PostgreSQL, as every suite of @md/testing builds it. */
export const options: StrategyConformanceOptions = {
  name: 'database-per-domain',
  database: 'postgres',
  createStrategy: ({ all, shared, seeder, id, poolSize }) =>
    databasePerDomain({
      driver: PostgreSqlDriver,
      url: injectPostgresUrl(),
      databaseName: (domain) => `${id}_${domain.replace(/[^a-z0-9]/g, '_')}`,
      entities: all,
      shared,
      seeder,
      poolSize: 2,
      ...(poolSize === undefined ? {} : { budget: poolSize }),
    }),
};
