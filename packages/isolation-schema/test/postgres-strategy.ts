import { testDatabase } from '@md/testing/postgres';
import type { StrategyConformanceOptions } from '@md/testing/strategy';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { schemaPerDomain } from '../src/index.js';

/** The schema-per-domain strategy on PostgreSQL, as every suite of @md/testing builds it. */
export const options: StrategyConformanceOptions = {
  name: 'schema-per-domain',
  database: 'postgres',
  createStrategy: async ({ all, shared, seeder, id, poolSize }) => {
    return schemaPerDomain({
      driver: PostgreSqlDriver,
      url: await testDatabase(id),
      entities: all,
      shared,
      seeder,
      // Recycle often in tests so the recycling path runs under the whole suite.
      maxUses: 50,
      ...(poolSize === undefined ? {} : { poolSize }),
    });
  },
};
