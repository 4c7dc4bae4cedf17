import { defineProject } from 'vitest/config';
import { mdProject } from '../../vitest.shared.js';

export default defineProject(
  mdProject('cli', { globalSetup: ['./test/global-setup.ts'], testTimeout: 120_000 }),
);
