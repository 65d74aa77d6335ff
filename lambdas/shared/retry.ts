/** Bounds for retrying: the part of a batch request that DynamoDB left unprocessed, or a contended write. */
export interface BackoffOptions {
  /**
   * Total number of calls, the first one included.
   * @default 8
   */
  readonly maxAttempts?: number;
  /**
   * Upper bound of the first delay; it doubles after each attempt (full jitter picks a delay between 0 and it).
   * @default 50 ms
   */
  readonly baseDelayMs?: number;
  /**
   * Cap on any single delay.
   * @default 2000 ms
   */
  readonly maxDelayMs?: number;
  /**
   * How to wait; tests pass a recorder instead of real timers.
   * @default setTimeout
   */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Source of randomness for the jitter, in [0, 1).
   * @default Math.random
   */
  readonly random?: () => number;
}

/** Thrown when a batch still has unprocessed work after `maxAttempts` calls. */
export class RetriesExhaustedError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
  ) {
    super(message);
    this.name = "RetriesExhaustedError";
  }
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * "Full jitter" exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"): a random
 * delay in [0, min(maxDelayMs, baseDelayMs * 2^(attempt-1))), so retrying callers spread out instead of
 * hitting a throttled partition in lockstep.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const { random = Math.random } = options;
  return Math.floor(random() * backoffCeiling(attempt, options));
}

function backoffCeiling(attempt: number, options: BackoffOptions): number {
  const { baseDelayMs = 50, maxDelayMs = 2000 } = options;
  return Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
}

/**
 * The longest `drainWithBackoff` can wait in total before it gives up: the sum of the ceilings of its
 * `maxAttempts - 1` delays (5,150 ms with the defaults). Time spent in the calls themselves comes on top.
 */
export function maxTotalBackoffMs(options: BackoffOptions = {}): number {
  const { maxAttempts = 8 } = options;
  let total = 0;
  for (let attempt = 1; attempt < maxAttempts; attempt++) total += backoffCeiling(attempt, options);
  return total;
}

/** What one try of {@link retryWithBackoff} came to: a value to return, or a reason to try again. */
export type AttemptOutcome<T> =
  { readonly done: true; readonly value: T } | { readonly done: false; readonly reason: unknown };

/**
 * Calls `attempt` (with its 1-based number) until it is done, sleeping a full-jitter backoff delay between
 * tries. An error `attempt` throws ends the retries at once: only what it reports as not done is retried.
 *
 * @param exhausted builds the error thrown after `maxAttempts` tries, from the number of tries and the last
 *   reason (pass that on as the error's `cause`).
 */
export async function retryWithBackoff<T>(
  attempt: (attemptNumber: number) => Promise<AttemptOutcome<T>>,
  exhausted: (attempts: number, lastReason: unknown) => Error,
  options: BackoffOptions = {},
): Promise<T> {
  const { maxAttempts = 8, sleep = realSleep } = options;
  for (let attemptNumber = 1; ; attemptNumber++) {
    const outcome = await attempt(attemptNumber);
    if (outcome.done) return outcome.value;
    if (attemptNumber >= maxAttempts) throw exhausted(attemptNumber, outcome.reason);
    await sleep(backoffDelay(attemptNumber, options));
  }
}

/**
 * Sends `first`, then keeps re-sending whatever `send` returns as left over (DynamoDB's UnprocessedKeys or
 * UnprocessedItems) with backoff between calls, until nothing is left.
 *
 * @param send performs one call and returns the leftover request, or `undefined` when everything was done.
 * @param describe names the operation in the error message.
 * @throws RetriesExhaustedError when work is still left after `maxAttempts` calls.
 */
export async function drainWithBackoff<T>(
  first: T,
  send: (request: T) => Promise<T | undefined>,
  describe: string,
  options: BackoffOptions = {},
): Promise<void> {
  let pending: T = first;
  await retryWithBackoff<void>(
    async () => {
      const leftover = await send(pending);
      if (leftover === undefined) return { done: true, value: undefined };
      pending = leftover;
      return { done: false, reason: leftover };
    },
    (attempts) =>
      new RetriesExhaustedError(
        `${describe} still had unprocessed items after ${attempts} attempts`,
        attempts,
      ),
    options,
  );
}
