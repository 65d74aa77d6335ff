import type { Context } from "aws-lambda";
import { setMaxListeners } from "node:events";

/**
 * Time an invocation keeps for itself after its work must stop: enough to let aborted calls settle, log
 * what happened and return the error, so that the invocation fails with a reason rather than a timeout.
 */
export const DEFAULT_RESERVE_MS = 1_000;

/** When work must stop: a clock to plan retries against, and a signal that aborts SDK calls at that time. */
export interface Deadline {
  /** Milliseconds left before the deadline; zero or less once it has passed. */
  remainingMs(): number;
  /** Aborted at the deadline; pass it to `client.send(command, { abortSignal })`. */
  readonly signal: AbortSignal;
}

/** Thrown when work stops because the invocation's time is spent; the cause is the last retried error. */
export class DeadlineExceededError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DeadlineExceededError";
  }
}

/**
 * The deadline of a Lambda invocation: its remaining time (`context.getRemainingTimeInMillis()`) less
 * `reserveMs`. Retrying "as long as the function's remaining time allows" is then planned against one clock.
 */
export function invocationDeadline(
  context: Pick<Context, "getRemainingTimeInMillis">,
  reserveMs: number = DEFAULT_RESERVE_MS,
): Deadline {
  return deadlineIn(context.getRemainingTimeInMillis() - reserveMs);
}

/** A deadline `ms` from now (an in-process caller's budget, or a test's). */
export function deadlineIn(ms: number): Deadline {
  const end = Date.now() + ms;
  const signal = AbortSignal.timeout(Math.max(0, Math.floor(ms)));
  // Every call in flight listens to it (8 batch writes and the object read, by default): past Node's
  // default of 10 listeners it would print a leak warning, though each call removes its listener.
  setMaxListeners(100, signal);
  // The timer may fire a millisecond before the clock reaches `end`: once aborted, no time is left.
  const remainingMs = () => (signal.aborted ? Math.min(0, end - Date.now()) : end - Date.now());
  return { remainingMs, signal };
}
