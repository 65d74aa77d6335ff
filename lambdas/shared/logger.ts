import { LogFormatter, LogItem, Logger as PowertoolsLogger } from "@aws-lambda-powertools/logger";
import type { LogAttributes, UnformattedAttributes } from "@aws-lambda-powertools/logger/types";
import type { Context } from "aws-lambda";

/**
 * Fields attached to a log line. Values must be JSON-serialisable; `Error`s are written by
 * {@link LineFormatter.formatError}.
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
  /**
   * Starts an invocation: from now on every line of this logger and of its children carries
   * `cold_start` (true on the container's first invocation only), `function_name` and
   * `function_memory_size` from the Lambda context.
   */
  addContext(context: Context): void;
}

/** Where log lines go. Lambda ships each stdout line to CloudWatch as one event. */
export type LogSink = (line: string) => void;

const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

const UNNAMED_SERVICE = "service_undefined";

/** How many causes deep an error is written; a longer (or circular) chain ends in `"…"`. */
const MAX_CAUSE_DEPTH = 5;

/**
 * Our line shape on Powertools' formatter contract: `level`, `timestamp`, `message` first (what people
 * read), then the service, Powertools' Lambda context keys and X-Ray trace id when there are any, then the
 * logger's and the call's own fields.
 */
class LineFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const context = attributes.lambdaContext;
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        timestamp: this.formatTimestamp(attributes.timestamp),
        message: attributes.message,
        // Powertools names a logger without a service "service_undefined"; a line without one says so better.
        service: attributes.serviceName === UNNAMED_SERVICE ? undefined : attributes.serviceName,
        cold_start: context?.coldStart,
        function_name: context?.functionName,
        function_memory_size: context?.memoryLimitInMB,
        xray_trace_id: attributes.xRayTraceId,
      },
    }).addAttributes(additional);
  }

  /**
   * An error as a log field: name, message and stack; for AWS SDK errors the `$metadata` worth quoting to
   * AWS support (HTTP status, request id, attempts); for a cancelled DynamoDB transaction the code and
   * message of each action's `CancellationReasons` (never their items, which may hold personal data); then
   * its `cause`, written the same way, so a wrapped storage failure shows what really failed. Other
   * properties of the error are left out: an SDK error's `Item` may hold personal data too.
   */
  override formatError(error: Error, depth = 0): LogAttributes {
    const fields: LogAttributes = { name: error.name, message: error.message, stack: error.stack };
    const sdk = error as Error & { $metadata?: unknown; CancellationReasons?: unknown; code?: unknown };
    if (typeof sdk.code === "string") fields.code = sdk.code;
    const metadata = sdkMetadata(sdk.$metadata);
    if (metadata) fields.$metadata = metadata;
    if (Array.isArray(sdk.CancellationReasons)) {
      fields.CancellationReasons = sdk.CancellationReasons.map(
        (reason: { Code?: unknown; Message?: unknown } | undefined) => ({
          Code: reason?.Code,
          Message: reason?.Message,
        }),
      );
    }
    if (error.cause !== undefined) {
      if (depth >= MAX_CAUSE_DEPTH) fields.cause = "…";
      else
        fields.cause = error.cause instanceof Error ? this.formatError(error.cause, depth + 1) : error.cause;
    }
    return fields;
  }
}

/** The SDK's `$metadata`, reduced to what helps: `httpStatusCode`, `requestId`, `attempts`. */
function sdkMetadata(metadata: unknown): LogAttributes | undefined {
  if (typeof metadata !== "object" || metadata === null) return undefined;
  const { httpStatusCode, requestId, attempts } = metadata as Record<string, unknown>;
  const kept = Object.entries({ httpStatusCode, requestId, attempts }).filter(
    ([, value]) => value !== undefined,
  );
  return kept.length > 0 ? (Object.fromEntries(kept) as LogAttributes) : undefined;
}

/** Powertools' Logger, printing each line whole to our sink (stdout by default, for every level). */
class SinkLogger extends PowertoolsLogger {
  constructor(
    options: ConstructorParameters<typeof PowertoolsLogger>[0],
    private readonly sink: LogSink,
  ) {
    super(options);
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    this.sink(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }
}

/**
 * Creates a logger writing JSON lines `{"level","timestamp","message",...fields}` through Powertools for
 * AWS Lambda's Logger, which adds the Lambda context (`cold_start`, ...) once {@link Logger.addContext} is
 * called, honours `POWERTOOLS_LOG_LEVEL` / `AWS_LAMBDA_LOG_LEVEL`, and never fails an invocation on a value
 * it cannot serialise (circular references are dropped). `base.service` becomes Powertools' service name.
 * Callers pass only the fields worth knowing; never whole events or request bodies (personal data).
 */
export function createLogger(base: LogFields = {}, sink: LogSink = stdoutSink): Logger {
  const { service, ...persistent } = base;
  const root = new SinkLogger(
    {
      logFormatter: new LineFormatter(),
      ...(typeof service === "string" ? { serviceName: service } : {}),
      persistentKeys: { ...persistent },
    },
    sink,
  );
  return view(root, {});
}

/**
 * A logger writing through `root` with `fields` added to each line. Children are views, not Powertools
 * child loggers: a Powertools child is a new Logger with its own cold-start flag, so one per request would
 * report every invocation as a cold start.
 */
function view(root: PowertoolsLogger, fields: LogFields): Logger {
  return {
    info: (message, extra) => root.info(message, { ...fields, ...extra }),
    warn: (message, extra) => root.warn(message, { ...fields, ...extra }),
    error: (message, extra) => root.error(message, { ...fields, ...extra }),
    child: (more) => view(root, { ...fields, ...more }),
    addContext: (context) => root.addContext(context),
  };
}
