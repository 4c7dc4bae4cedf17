import { injectPostgresUrl, startPostgres } from '@md/testing/postgres';
import type { StrategyConformanceOptions } from '@md/testing/strategy';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { schemaPerDomain } from '../src/index.js';

/** The schema-per-domain strategy on PostgreSQL, as every suite of @md/testing builds it. */
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
  name: 'schema-per-domain',
  database: 'postgres',
  createStrategy: async ({ all, shared, seeder, id, poolSize }) => {
    return schemaPerDomain({
      driver: PostgreSqlDriver,
      url: await database(id),
      entities: all,
      shared,
      seeder,
      // Recycle often in tests so the recycling path runs under the whole suite.
      maxUses: 50,
      ...(poolSize === undefined ? {} : { poolSize }),
    });
  },
};
