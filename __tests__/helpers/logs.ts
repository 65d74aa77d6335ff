import { createLogger, type Logger } from "../../lambdas/shared/logger";

/** A logger that keeps parsed lines in `lines` instead of writing them. */
export function recordingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({}, (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  return { logger, lines };
}

/**
 * Captures what handlers write to stdout (their module-scope loggers) as parsed JSON lines, until
 * `restore()` is called.
 */
export function captureStdout(): { lines: () => Record<string, unknown>[]; restore: () => void } {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  });
  return {
    lines: () =>
      written
        .join("")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => spy.mockRestore(),
  };
}
