import { defineConfig } from 'vitest/config';

// One Vitest project per package (and per example). Each project's own
// vitest.config.ts resolves workspace packages to their TypeScript sources
// through the "source" export condition, so tests never need a build first.
export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'examples/*/vitest.config.ts',
      'benchmarks/vitest.config.ts',
      'test/packed/vitest.config.ts',
    ],
    reporters: ['default'],
  },
});
