import { defineProject } from 'vitest/config';
import { mdProject } from '../../vitest.shared.js';

// One throwaway PostgreSQL for the project's whole run (or MD_TEST_DATABASE_URL).
const postgres = new URL('../testing/src/postgres/global-setup.ts', import.meta.url).pathname;

export default defineProject(mdProject('admin', { globalSetup: [postgres] }));
