import { startPostgres } from './start-postgres.js';

interface GlobalSetupContext {
  provide(key: 'mdPostgresUrl', value: string): void;
}

/**
 * Vitest global setup: starts one throwaway PostgreSQL for the whole test
 * run of a project and provides its superuser URL to every test file (read
 * it with {@link injectPostgresUrl}). Point a project at it with
 * `mdProject(name, { globalSetup: [<path of this file>] })`: the file's default
 * export is this function, and it imports nothing from Vitest.
 *
 * @example
 * // vitest.config.ts
 * mdProject('isolation-row', {
 *   globalSetup: [new URL('../testing/src/postgres/global-setup.ts', import.meta.url).pathname],
 * });
 */
export async function postgresGlobalSetup(context: GlobalSetupContext): Promise<() => Promise<void>> {
  const server = await startPostgres();
  context.provide('mdPostgresUrl', server.url);
  return () => server.stop();
}

export default postgresGlobalSetup;
