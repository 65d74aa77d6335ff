/**
 * Fields attached to a log line. Values must be JSON-serialisable; `Error`s are written by {@link serialiseError}.
 */
export type LogFields = Readonly<Record<string, unknown>>;

export type LogLevel = "INFO" | "WARN" | "ERROR";

/** A structured logger: one JSON object per line, with the fields of the logger it was derived from. */
export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` (e.g. the request id) to every line. */
  child(fields: LogFields): Logger;
}

/** Where log lines go. Lambda ships each stdout line to CloudWatch as one event. */
export type LogSink = (line: string) => void;

const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/** How many causes deep an error is written; a longer (or circular) chain ends in `"…"`. */
const MAX_CAUSE_DEPTH = 5;

/**
 * An error as a log field: name, message and stack; for AWS SDK errors the `$metadata` worth quoting to
 * AWS support (HTTP status, request id, attempts); for a cancelled DynamoDB transaction the code and
 * message of each action's `CancellationReasons` (never their items, which may hold personal data); then
 * its `cause`, written the same way, so a wrapped storage failure shows what really failed.
 */
function serialiseError(error: Error, depth = 0): Record<string, unknown> {
  const fields: Record<string, unknown> = { name: error.name, message: error.message, stack: error.stack };
  const sdk = error as Error & { $metadata?: unknown; CancellationReasons?: unknown };
  const metadata = sdkMetadata(sdk.$metadata);
  if (metadata) fields.$metadata = metadata;
  if (Array.isArray(sdk.CancellationReasons)) {
    fields.CancellationReasons = sdk.CancellationReasons.map(
      (reason: { Code?: unknown; Message?: unknown }) => ({
        Code: reason?.Code,
        Message: reason?.Message,
      }),
    );
  }
  if (error.cause !== undefined) {
    if (depth >= MAX_CAUSE_DEPTH) fields.cause = "…";
    else fields.cause = error.cause instanceof Error ? serialiseError(error.cause, depth + 1) : error.cause;
  }
  return fields;
}

/** The SDK's `$metadata`, reduced to what helps: `httpStatusCode`, `requestId`, `attempts`. */
function sdkMetadata(metadata: unknown): Record<string, unknown> | undefined {
  if (typeof metadata !== "object" || metadata === null) return undefined;
  const { httpStatusCode, requestId, attempts } = metadata as Record<string, unknown>;
  const kept = Object.entries({ httpStatusCode, requestId, attempts }).filter(
    ([, value]) => value !== undefined,
  );
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return serialiseError(value);
  if (typeof value === "bigint") return value.toString();
  return value;
}

/**
 * Creates a logger writing JSON lines `{"level","timestamp","message",...fields}`. Callers pass only the
 * fields worth knowing; never whole events or request bodies, which may hold personal data.
 */
export function createLogger(base: LogFields = {}, sink: LogSink = stdoutSink): Logger {
  const write = (level: LogLevel, message: string, fields: LogFields = {}): void => {
    const entry = { level, timestamp: new Date().toISOString(), message, ...base, ...fields };
    let line: string;
    try {
      line = JSON.stringify(entry, replacer);
    } catch {
      // A circular structure must not turn a log call into a failed invocation.
      line = JSON.stringify({
        level,
        timestamp: entry.timestamp,
        message,
        ...base,
        logError: "unserialisable fields",
      });
    }
    sink(line);
  };
  return {
    info: (message, fields) => write("INFO", message, fields),
    warn: (message, fields) => write("WARN", message, fields),
    error: (message, fields) => write("ERROR", message, fields),
    child: (fields) => createLogger({ ...base, ...fields }, sink),
  };
}
