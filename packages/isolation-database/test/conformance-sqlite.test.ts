import { join } from 'node:path';
import { tempDir } from '@md/testing';
import { describeStrategyConformance } from '@md/testing/strategy';
import { SqliteDriver } from '@mikro-orm/sql';
import { databasePerDomain } from '../src/index.js';

const root = tempDir('md-db-');

describeStrategyConformance({
  name: 'database-per-domain',
  database: 'sqlite',
  createStrategy: ({ all, shared, seeder, id, poolSize }) =>
    databasePerDomain({
      driver: SqliteDriver,
      folder: join(root, id),
      entities: all,
      shared,
      seeder,
      ...(poolSize === undefined ? {} : { budget: poolSize }),
    }),
});
