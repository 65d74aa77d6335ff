import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import { DeadlineExceededError, type Deadline } from "../shared/deadline";
import type { MovieInfo } from "../shared/movies";
import { backoffDelay, type BackoffOptions } from "../shared/retry";

/** A row on its way to the table, with the line it came from. */
export interface LocatedItem {
  readonly item: MovieInfo;
  readonly line: number;
}

/** Delays between attempts; how many attempts there are is decided by the deadline. */
export type RetryDelays = Omit<BackoffOptions, "maxAttempts">;

export interface BatchWriteOptions {
  readonly deadline: Deadline;
  readonly delays?: RetryDelays;
  /** Receives each row DynamoDB refused (ValidationException), with DynamoDB's reason. */
  readonly onRejected: (line: number, reason: string) => void;
}

type WriteRequests = NonNullable<BatchWriteCommandInput["RequestItems"]>[string];

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Errors worth trying again once the SDK's own attempts are spent: throttling (on-demand tables throttle
 * while they scale), server-side failures, and timeouts or dropped connections.
 */
const RETRYABLE_NAMES = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "InternalServerError",
  "InternalFailure",
  "ServiceUnavailable",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
]);
const RETRYABLE_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"]);

/** True for an error that a later attempt of the same BatchWriteItem may not meet. */
export function isRetryableWriteError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { name, code, $metadata } = error as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  if (name === "AbortError") return false;
  return (
    RETRYABLE_NAMES.has(name ?? "") ||
    RETRYABLE_CODES.has(code ?? "") ||
    ($metadata?.httpStatusCode ?? 0) >= 500
  );
}

function isValidationError(error: unknown): error is Error {
  return error instanceof Error && error.name === "ValidationException";
}

/**
 * Writes one batch of puts and returns how many DynamoDB accepted.
 *
 * - UnprocessedItems, throttling and transient errors are retried with full-jitter backoff for as long as
 *   the deadline allows, then the call fails with {@link DeadlineExceededError}, so Lambda retries the
 *   event; puts are idempotent.
 * - A ValidationException means some item of the batch is refused: the batch is split in halves until
 *   the refused row stands alone; that row is reported through `onRejected` and the others are written.
 * - Any other error is thrown as it is.
 */
export async function writeBatch(
  ddb: DynamoDBDocumentClient,
  table: string,
  entries: readonly LocatedItem[],
  options: BatchWriteOptions,
): Promise<number> {
  const { deadline, delays = {} } = options;
  const sleep = delays.sleep ?? realSleep;
  let pending = entries;
  let written = 0;
  for (let attempt = 1; ; attempt++) {
    let lastError: unknown;
    try {
      const requests: WriteRequests = pending.map(({ item }) => ({ PutRequest: { Item: item } }));
      const output = await ddb.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }), {
        abortSignal: deadline.signal,
      });
      const unprocessed = new Set(
        (output.UnprocessedItems?.[table] ?? []).map((request) => request.PutRequest?.Item?.movie_id),
      );
      const left = pending.filter(({ item }) => unprocessed.has(item.movie_id));
      written += pending.length - left.length;
      if (left.length === 0) return written;
      pending = left;
      lastError = new Error(`${left.length} of the batch's items were returned as UnprocessedItems`);
    } catch (error) {
      if (isValidationError(error)) {
        return written + (await bisect(ddb, table, pending, options, error));
      }
      if (deadline.signal.aborted) throw deadlineExceeded(table, pending.length, attempt, error);
      if (!isRetryableWriteError(error)) throw error;
      lastError = error;
    }
    const delay = backoffDelay(attempt, delays);
    if (deadline.remainingMs() <= delay) throw deadlineExceeded(table, pending.length, attempt, lastError);
    await sleep(delay);
  }
}

/** Splits a refused batch in two and writes each half, down to the single row DynamoDB refuses. */
async function bisect(
  ddb: DynamoDBDocumentClient,
  table: string,
  entries: readonly LocatedItem[],
  options: BatchWriteOptions,
  error: Error,
): Promise<number> {
  const [only] = entries;
  if (entries.length === 1 && only !== undefined) {
    options.onRejected(only.line, `DynamoDB refused the item: ${error.message}`);
    return 0;
  }
  const middle = Math.ceil(entries.length / 2);
  const first = await writeBatch(ddb, table, entries.slice(0, middle), options);
  return first + (await writeBatch(ddb, table, entries.slice(middle), options));
}

function deadlineExceeded(
  table: string,
  left: number,
  attempts: number,
  cause: unknown,
): DeadlineExceededError {
  return new DeadlineExceededError(
    `BatchWriteItem on ${table} still had ${left} items to write after ${attempts} attempts when the ` +
      "invocation's time ran out",
    { cause },
  );
}
