import { injectPostgresUrl } from '@md/testing/postgres';
import { describeStrategyConformance } from '@md/testing/strategy';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { databasePerDomain } from '../src/index.js';

describeStrategyConformance({
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
});
