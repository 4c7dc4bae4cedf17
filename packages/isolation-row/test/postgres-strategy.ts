import { injectPostgresUrl, startPostgres } from '@md/testing/postgres';
import type { StrategyConformanceOptions } from '@md/testing/strategy';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { rowLevel } from '../src/index.js';

/** The row-level strategy on PostgreSQL, as every suite of @md/testing builds it. */
// A strategy built again with the same id (a second app instance) opens the same database.
const databases = new Map<string, Promise<string>>();
function database(id: string): Promise<string> {
  let url = databases.get(id);
  if (url === undefined) {
    url = startPostgres({ url: injectPostgresUrl() }).then((server) => server.createDatabase(id));
    databases.set(id, url);
  }
  return url;
}

export const options: StrategyConformanceOptions = {
  name: 'row-level',
  database: 'postgres',
  createStrategy: async ({ all, shared, seeder, id, poolSize }) => {
    return rowLevel({
      driver: PostgreSqlDriver,
      url: await database(id),
      appRole: { name: `${id}_app`, password: 'app-secret' },
      entities: all,
      shared,
      seeder,
      ...(poolSize === undefined ? {} : { poolSize }),
    });
  },
};
