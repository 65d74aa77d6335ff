import { apiHandler } from "../../../../lambdas/shared/api-handler";
import { NotFoundError } from "../../../../lambdas/shared/errors";
import { jsonResponse } from "../../../../lambdas/shared/http";
import { lambdaContext } from "../../../helpers/context";
import { apiGatewayProxyEvent } from "../../../helpers/events";
import { recordingLogger } from "../../../helpers/logs";

const event = apiGatewayProxyEvent({ pathParameters: { movieId: "mv1" }, body: '{"secret":"do not log"}' });

describe("apiHandler", () => {
  it("returns the route's response and logs one completion line without the body", async () => {
    const { logger, lines } = recordingLogger();
    const route = jest.fn(async () => jsonResponse(200, { ok: true }));
    const response = await apiHandler(route, logger)(event, lambdaContext);

    expect(response).toEqual(jsonResponse(200, { ok: true }));
    expect(route).toHaveBeenCalledWith(event, {
      requestId: lambdaContext.awsRequestId,
      logger: expect.objectContaining({ info: expect.any(Function) }),
    });
    expect(lines).toEqual([
      {
        level: "INFO",
        timestamp: expect.any(String),
        message: "request completed",
        cold_start: false,
        function_name: lambdaContext.functionName,
        function_memory_size: lambdaContext.memoryLimitInMB,
        requestId: lambdaContext.awsRequestId,
        apiRequestId: "api-request-0001",
        method: "GET",
        resource: "/movies/{movieId}",
        statusCode: 200,
        durationMs: expect.any(Number),
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain("do not log");
  });

  it("marks the container's first invocation, and only that one, as a cold start", async () => {
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = "on-demand"; // what Lambda sets for on-demand containers
    try {
      const { logger, lines } = recordingLogger();
      const handler = apiHandler(async () => jsonResponse(204, null), logger);
      await handler(event, lambdaContext);
      await handler(event, { ...lambdaContext, awsRequestId: "second-request" });
      expect(lines.map((line) => [line.requestId, line.cold_start])).toEqual([
        [lambdaContext.awsRequestId, true],
        ["second-request", false],
      ]);
    } finally {
      delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    }
  });

  it("gives the route a logger carrying the request id", async () => {
    const { logger, lines } = recordingLogger();
    await apiHandler(async (_event, { logger: log }) => {
      log.info("inside");
      return jsonResponse(204, null);
    }, logger)(event, lambdaContext);
    expect(lines[0]).toMatchObject({ message: "inside", requestId: lambdaContext.awsRequestId });
  });

  it("maps an HttpError to its response and logs a warning with the reason", async () => {
    const { logger, lines } = recordingLogger();
    const response = await apiHandler(async () => {
      throw new NotFoundError("Movie mv9 not found");
    }, logger)(event, lambdaContext);

    expect(response).toEqual({
      statusCode: 404,
      headers: { "Content-Type": "application/json" },
      body: '{"message":"Movie mv9 not found"}',
    });
    expect(lines).toEqual([
      expect.objectContaining({
        level: "WARN",
        message: "request rejected",
        statusCode: 404,
        reason: "Movie mv9 not found",
      }),
    ]);
  });

  it("maps any other error to a bare 500 and logs it with its stack", async () => {
    const { logger, lines } = recordingLogger();
    const failure = new Error("AccessDeniedException: not authorized on arn:aws:dynamodb:...");
    const response = await apiHandler(async () => {
      throw failure;
    }, logger)(event, lambdaContext);

    expect(response).toEqual({
      statusCode: 500,
      headers: { "Content-Type": "application/json" },
      body: `{"message":"Internal server error","requestId":"${lambdaContext.awsRequestId}"}`,
    });
    expect(lines).toEqual([
      // What the stack's monitoring counts (`{ $.level = "ERROR" }`, by `$.function_name`): a 500 is
      // no Lambda error, so this line is the only trace of it in CloudWatch.
      expect.objectContaining({
        level: "ERROR",
        function_name: lambdaContext.functionName,
        message: "request failed",
        statusCode: 500,
        error: { name: "Error", message: failure.message, stack: failure.stack },
      }),
    ]);
  });
});
