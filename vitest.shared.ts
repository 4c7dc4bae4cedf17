import type { UserWorkspaceConfig } from 'vitest/config';

/**
 * The settings every package's Vitest project shares: workspace packages
 * resolve to their TypeScript sources (the "source" export condition), so
 * tests run against the code as written, with no build step in between.
 */
export function mdProject(name: string, overrides: UserWorkspaceConfig['test'] = {}): UserWorkspaceConfig {
  return {
    resolve: { conditions: ['source', 'module', 'node', 'development|production'] },
    ssr: { resolve: { conditions: ['source', 'module', 'node', 'development|production'] } },
    test: { name, environment: 'node', include: ['test/**/*.test.ts'], testTimeout: 30_000, ...overrides },
  };
}
