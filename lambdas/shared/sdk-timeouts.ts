/**
 * Timeouts for every SDK client of every function, passed as `requestHandler` options (the SDK builds its
 * own NodeHttpHandler from them, so nothing more is imported or bundled). Without them a connection that
 * never answers holds an invocation until Lambda's timeout, and the call is never retried.
 *
 * - `connectionTimeout`: to open the TCP (and TLS) connection.
 * - `requestTimeout`: from sending the request to the response's headers. `throwOnRequestTimeout` makes it
 *   fail the attempt with a `TimeoutError`, which the SDK retries; by default it only logs a warning.
 *
 * No socket idle timeout: a GetObject body is paused while the rows it carried are being written, and an
 * idle timeout would kill it then (upload-infos watches the body itself, counting only time spent waiting).
 * DynamoDB takes milliseconds; 2 s leaves room for a slow moment, and 4 attempts of 2 s still fit an API
 * function's 10 s timeout, so a stuck call ends as a 500 with a request id, not a Lambda timeout.
 */
export const SDK_REQUEST_TIMEOUTS = {
  connectionTimeout: 1_000,
  requestTimeout: 2_000,
  throwOnRequestTimeout: true,
} as const;
