import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    mdPostgresUrl: string;
  }
}

/**
 * The superuser URL of the run's PostgreSQL, provided by
 * {@link postgresGlobalSetup}. Throws when the project has no such setup,
 * so a Postgres test can never silently skip.
 *
 * @example
 * const url = injectPostgresUrl();
 */
export function injectPostgresUrl(): string {
  const url = inject('mdPostgresUrl');
  if (typeof url !== 'string' || url === '') {
    throw new TypeError(
      'No PostgreSQL was provided: add globalSetup with postgresGlobalSetup to this Vitest project.',
    );
  }
  return url;
}
