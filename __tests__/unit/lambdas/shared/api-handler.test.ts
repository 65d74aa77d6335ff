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
      expect.objectContaining({
        level: "ERROR",
        message: "request failed",
        statusCode: 500,
        error: { name: "Error", message: failure.message, stack: failure.stack },
      }),
    ]);
  });
});
