/** Stops the throwaway PostgreSQL cluster of the test run (test/support/postgres-setup.ts). */
export default async function postgresTeardown(): Promise<void> {
  globalThis.__BULWARK_POSTGRES__?.stop();
}
