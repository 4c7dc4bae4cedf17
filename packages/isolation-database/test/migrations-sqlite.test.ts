import { join } from 'node:path';
import { tempDir } from '@md/testing';
import { describeMigrationConformance } from '@md/testing/strategy';
import { Migration } from '@mikro-orm/migrations';
import { SqliteDriver } from '@mikro-orm/sql';
import { databasePerDomain } from '../src/index.js';

const root = tempDir('md-db-migrations-');

describeMigrationConformance({
  name: 'database-per-domain',
  database: 'sqlite',
  Migration,
  createStrategy: ({ all, migrations, id }) =>
    databasePerDomain({ driver: SqliteDriver, folder: join(root, id), entities: all, migrations }),
});
