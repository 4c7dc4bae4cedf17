export { postgresGlobalSetup as default } from '@md/testing/postgres';
