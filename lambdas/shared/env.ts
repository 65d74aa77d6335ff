/**
 * Reads a required environment variable. Call it at module scope so a misconfigured function fails at
 * init, with an error that names the variable, instead of on the first request.
 *
 * @throws Error when the variable is unset or empty.
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") {
    throw new Error(`Missing required environment variable ${name}`);
  }
  return value;
}
