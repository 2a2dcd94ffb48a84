/** Reads a required environment variable, or fails naming it (at cold start). */
export function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new Error(`Environment variable ${name} is required`);
  return v;
}
