import { injectPostgresUrl } from '@md/testing/postgres';
import { describeMigrationConformance } from '@md/testing/strategy';
import { Migration } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { databasePerDomain } from '../src/index.js';

describeMigrationConformance({
  name: 'database-per-domain',
  database: 'postgres',
  Migration,
  createStrategy: ({ all, migrations, id }) =>
    databasePerDomain({
      driver: PostgreSqlDriver,
      url: injectPostgresUrl(),
      databaseName: (domain) => `${id}_${domain.replace(/[^a-z0-9]/g, '_')}`,
      entities: all,
      migrations,
    }),
});
