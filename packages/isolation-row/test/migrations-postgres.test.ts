import { injectPostgresUrl, startPostgres } from '@md/testing/postgres';
import { describeMigrationConformance } from '@md/testing/strategy';
import { Migration } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { rowLevel } from '../src/index.js';

// Every deployment of the suite opens the same database: create it once.
const databases = new Map<string, Promise<string>>();
function database(id: string): Promise<string> {
  let url = databases.get(id);
  if (url === undefined) {
    url = startPostgres({ url: injectPostgresUrl() }).then((server) => server.createDatabase(id));
    databases.set(id, url);
  }
  return url;
}

describeMigrationConformance({
  name: 'row-level',
  database: 'postgres',
  Migration,
  createStrategy: async ({ all, migrations, id }) =>
    rowLevel({
      driver: PostgreSqlDriver,
      url: await database(id),
      appRole: { name: `${id}_app`, password: 'app-secret' },
      entities: all,
      migrations,
    }),
});
