import { testDatabase } from '@md/testing/postgres';
import type { StrategyConformanceOptions } from '@md/testing/strategy';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { rowLevel } from '../src/index.js';

/** The row-level strategy on PostgreSQL, as every suite of @md/testing builds it. */
export const options: StrategyConformanceOptions = {
  name: 'row-level',
  database: 'postgres',
  createStrategy: async ({ all, shared, seeder, id, poolSize }) => {
    return rowLevel({
      driver: PostgreSqlDriver,
      url: await testDatabase(id),
      appRole: { name: `${id}_app`, password: 'app-secret' },
      entities: all,
      shared,
      seeder,
      ...(poolSize === undefined ? {} : { poolSize }),
    });
  },
};
