import { injectPostgresUrl } from './inject-url.js';
import { startPostgres } from './start-postgres.js';

const databases = new Map<string, Promise<string>>();

/**
 * The URL of test database `id` on the run's PostgreSQL, created on first
 * use; the same id answers the same database, so a strategy built again with
 * that id (a second app instance) opens what the first one created.
 *
 * @example
 * rowLevel({ driver: PostgreSqlDriver, url: await testDatabase(id), entities });
 */
export function testDatabase(id: string): Promise<string> {
  let url = databases.get(id);
  if (url === undefined) {
    url = startPostgres({ url: injectPostgresUrl() }).then((server) => server.createDatabase(id));
    databases.set(id, url);
  }
  return url;
}
