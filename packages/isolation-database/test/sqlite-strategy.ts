import { join } from 'node:path';
import { tempDir } from '@md/testing';
import type { StrategyConformanceOptions } from '@md/testing/strategy';
import { SqliteDriver } from '@mikro-orm/sql';
import { databasePerDomain } from '../src/index.js';

const root = tempDir('md-db-');

/** The database-per-domain strategy on SQLite, as every suite of @md/testing builds it. */
export const options: StrategyConformanceOptions = {
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
};
