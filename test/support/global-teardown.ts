/** Stops the throwaway PostgreSQL cluster of the test run. */
export default async function globalTeardown(): Promise<void> {
  globalThis.__BULWARK_POSTGRES__?.stop();
}
