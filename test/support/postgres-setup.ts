import {
  startThrowawayPostgres,
  type ThrowawayPostgres,
} from '../../scripts/lib/throwaway-postgres';

declare global {
  var __BULWARK_POSTGRES__: ThrowawayPostgres | undefined;
}

/**
 * Before the `unit-pg` project's files run (test/support/jest-projects.js): starts one
 * throwaway PostgreSQL cluster in which each test file creates its own database.
 */
export default async function postgresSetup(): Promise<void> {
  const postgres = await startThrowawayPostgres();
  globalThis.__BULWARK_POSTGRES__ = postgres;
  process.env.BULWARK_TEST_POSTGRES_URL = postgres.url;
}
