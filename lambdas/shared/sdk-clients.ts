/**
 * What every SDK client of every function shares beyond its timeouts (sdk-timeouts.ts).
 *
 * Our functions log with their own logger and never give the SDK one, yet the SDK's logger middleware still
 * builds a redacted copy of each request's input and each response's output for its no-op logger: it calls
 * `logger?.info?.(...)`, and the default NoOpLogger has an `info`, so the arguments are evaluated. For a
 * 25-item BatchWriteItem that copy walks every attribute of every item through the operation's schema: the
 * client's own CPU per row fell by ~30 % without it (the bench's `sdk-logging` section, bench/sdk-logging.ts;
 * figures in docs/benchmarks.md). Removing that one middleware leaves everything else
 * (signing, retries, serialization, the user agent) as it is.
 */

/** The name the SDK gives its logger middleware (`@aws-sdk/core`'s `loggerMiddlewareOptions`). */
export const SDK_LOGGER_MIDDLEWARE = "loggerMiddleware";

/** Removes the SDK's logger middleware from `client` (see above) and returns it. */
export function withoutSdkLogging<C extends { readonly middlewareStack: { remove(name: string): boolean } }>(
  client: C,
): C {
  client.middlewareStack.remove(SDK_LOGGER_MIDDLEWARE);
  return client;
}
