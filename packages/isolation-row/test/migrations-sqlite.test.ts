import { join } from 'node:path';
import { tempDir } from '@md/testing';
import { describeMigrationConformance } from '@md/testing/strategy';
import { Migration } from '@mikro-orm/migrations';
import { SqliteDriver } from '@mikro-orm/sql';
import { rowLevel } from '../src/index.js';

const root = tempDir('md-row-migrations-');

describeMigrationConformance({
  name: 'row-level',
  database: 'sqlite',
  Migration,
  createStrategy: ({ all, migrations, id }) =>
    rowLevel({ driver: SqliteDriver, dbName: join(root, `${id}.sqlite`), entities: all, migrations }),
});
