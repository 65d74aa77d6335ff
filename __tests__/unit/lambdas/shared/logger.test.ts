import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { ConflictError } from "../../../../lambdas/shared/errors";
import { createLogger } from "../../../../lambdas/shared/logger";
import { lambdaContext } from "../../../helpers/context";

/** Logs `error` as the field `error` and returns that field as written. */
function loggedError(error: unknown): Record<string, unknown> {
  const lines: string[] = [];
  createLogger({}, (line) => lines.push(line)).error("failed", { error });
  return JSON.parse(lines[0] ?? "").error as Record<string, unknown>;
}

describe("createLogger", () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date("2024-05-01T12:00:00.000Z") });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it("writes one JSON line per call with level, timestamp, message, base and call fields", () => {
    const lines: string[] = [];
    const logger = createLogger({ service: "get-movie" }, (line) => lines.push(line));
    logger.info("request completed", { statusCode: 200 });
    logger.warn("request rejected");
    expect(lines).toEqual([
      '{"level":"INFO","timestamp":"2024-05-01T12:00:00.000Z","message":"request completed","service":"get-movie","statusCode":200}',
      '{"level":"WARN","timestamp":"2024-05-01T12:00:00.000Z","message":"request rejected","service":"get-movie"}',
    ]);
  });

  it("adds child fields such as the request id to every line", () => {
    const lines: string[] = [];
    const logger = createLogger({ service: "s" }, (line) => lines.push(line)).child({ requestId: "r-1" });
    logger.error("failed", { key: "a.csv" });
    expect(JSON.parse(lines[0] ?? "")).toEqual({
      level: "ERROR",
      timestamp: "2024-05-01T12:00:00.000Z",
      message: "failed",
      service: "s",
      requestId: "r-1",
      key: "a.csv",
    });
  });

  it("reduces errors to name, message and stack", () => {
    const lines: string[] = [];
    const error = new TypeError("bad");
    createLogger({}, (line) => lines.push(line)).error("failed", { error });
    expect(JSON.parse(lines[0] ?? "").error).toEqual({
      name: "TypeError",
      message: "bad",
      stack: error.stack,
    });
  });

  it("writes the cause chain, and of AWS SDK errors their $metadata and cancellation reasons", () => {
    const cancellation = new TransactionCanceledException({
      message: "Transaction cancelled",
      $metadata: { httpStatusCode: 400, requestId: "ddb-req-1", attempts: 1, totalRetryDelay: 0 },
      CancellationReasons: [
        { Code: "None" },
        {
          Code: "ConditionalCheckFailed",
          Message: "The conditional request failed",
          Item: { secret: { S: "x" } },
        },
      ],
    });
    const error = new ConflictError("Idempotency-Key was already used with a different request", {
      cause: cancellation,
    });
    expect(loggedError(error)).toEqual({
      name: "ConflictError",
      message: "Idempotency-Key was already used with a different request",
      stack: error.stack,
      cause: {
        name: "TransactionCanceledException",
        message: "Transaction cancelled",
        stack: cancellation.stack,
        $metadata: { httpStatusCode: 400, requestId: "ddb-req-1", attempts: 1 },
        CancellationReasons: [
          { Code: "None" },
          { Code: "ConditionalCheckFailed", Message: "The conditional request failed" },
        ],
      },
    });
  });

  it("writes a cause that is not an Error as it is, and cuts a circular chain", () => {
    expect(loggedError(new Error("outer", { cause: { code: 42 } })).cause).toEqual({ code: 42 });
    const circular = new Error("loop");
    circular.cause = circular;
    let depth = 0;
    for (let field = loggedError(circular); typeof field === "object"; field = field.cause as never) depth++;
    expect(depth).toBe(6);
  });

  it("still writes a line when fields are circular, leaving out the repeated reference", () => {
    const lines: string[] = [];
    const circular: Record<string, unknown> = { name: "loop" };
    circular.self = circular;
    createLogger({ service: "s" }, (line) => lines.push(line)).info("odd", { circular, big: 10n });
    expect(JSON.parse(lines[0] ?? "")).toEqual({
      level: "INFO",
      timestamp: "2024-05-01T12:00:00.000Z",
      message: "odd",
      service: "s",
      circular: { name: "loop" },
      big: "10",
    });
  });

  it("adds the Lambda context of the invocation to the lines of the logger and its children", () => {
    const lines: string[] = [];
    const logger = createLogger({ service: "s" }, (line) => lines.push(line));
    const child = logger.child({ requestId: lambdaContext.awsRequestId });
    child.addContext(lambdaContext);
    logger.info("root");
    child.info("child");
    const context = { cold_start: false, function_name: "movies-test-fn", function_memory_size: "256" };
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { level: "INFO", timestamp: "2024-05-01T12:00:00.000Z", message: "root", service: "s", ...context },
      {
        level: "INFO",
        timestamp: "2024-05-01T12:00:00.000Z",
        message: "child",
        service: "s",
        ...context,
        requestId: lambdaContext.awsRequestId,
      },
    ]);
  });

  it("writes warnings and errors to stdout too, one line each, like every other line", () => {
    const write = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      createLogger().error("broken");
      expect(write).toHaveBeenCalledWith(
        '{"level":"ERROR","timestamp":"2024-05-01T12:00:00.000Z","message":"broken"}\n',
      );
    } finally {
      write.mockRestore();
    }
  });

  it("writes to stdout by default, one line per event", () => {
    const write = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      createLogger().info("hello");
      expect(write).toHaveBeenCalledWith(
        '{"level":"INFO","timestamp":"2024-05-01T12:00:00.000Z","message":"hello"}\n',
      );
    } finally {
      write.mockRestore();
    }
  });
});
