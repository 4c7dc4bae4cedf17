import { join } from 'node:path';
import { tempDir } from '@md/testing';
import type { StrategyConformanceOptions } from '@md/testing/strategy';
import { SqliteDriver } from '@mikro-orm/sql';
import { rowLevel } from '../src/index.js';

const root = tempDir('md-row-');

/** The row-level strategy on SQLite, as every suite of @md/testing builds it. */
export const options: StrategyConformanceOptions = {
  name: 'row-level',
  database: 'sqlite',
  createStrategy: ({ all, shared, seeder, id }) =>
    rowLevel({ driver: SqliteDriver, dbName: join(root, `${id}.sqlite`), entities: all, shared, seeder }),
};
