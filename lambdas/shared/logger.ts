/** Fields attached to a log line. Values must be JSON-serialisable; `Error`s are reduced to name/message/stack. */
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

function serialiseError(error: Error): Record<string, unknown> {
  return { name: error.name, message: error.message, stack: error.stack };
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
