import type { UserWorkspaceConfig } from 'vitest/config';

/**
 * The settings every package's Vitest project shares: workspace packages
 * resolve to their TypeScript sources (the "source" export condition), so
 * tests run against the code as written, with no build step in between, and
 * the temp folders a test file made are removed after it.
 */
const removeTempDirs = new URL('./packages/testing/src/temp-setup.ts', import.meta.url).pathname;

export function mdProject(name: string, overrides: UserWorkspaceConfig['test'] = {}): UserWorkspaceConfig {
  return {
    resolve: { conditions: ['source', 'module', 'node', 'development|production'] },
    ssr: { resolve: { conditions: ['source', 'module', 'node', 'development|production'] } },
    test: {
      name,
      environment: 'node',
      include: ['test/**/*.test.ts'],
      testTimeout: 30_000,
      // Hooks provision fleets and start servers: on a loaded 2-core machine that takes more than 10 s.
      hookTimeout: 120_000,
      ...overrides,
      // Every folder `tempDir` (from @md/testing) made for a test file is removed after it.
      setupFiles: [removeTempDirs, ...[overrides.setupFiles ?? []].flat()],
    },
  };
}
