import { defineProject } from 'vitest/config';

// The packed-consumer test: md's packages as a user installs them, from their tarballs.
export default defineProject({
  test: { name: 'packed', environment: 'node', include: ['*.test.ts'] },
});
