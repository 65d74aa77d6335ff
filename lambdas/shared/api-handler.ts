import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { HttpError } from "./errors";
import { errorResponse } from "./http";
import type { Logger } from "./logger";

/** What a route receives besides the event. */
export interface RouteContext {
  /** The Lambda request id; it is in every log line and in 500 bodies. */
  readonly requestId: string;
  /** A logger that already carries the request id and the invocation's Lambda context. */
  readonly logger: Logger;
}

/** A route: validate, call the domain, build the success response. Throw `HttpError`s for the rest. */
export type Route = (event: APIGatewayProxyEvent, context: RouteContext) => Promise<APIGatewayProxyResult>;

export type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * Wraps a route as an API Gateway (REST, proxy) handler: maps thrown errors to responses in one place and
 * logs one line per request (method, resource, status, duration, request ids; never the body).
 */
export function apiHandler(route: Route, logger: Logger): ApiHandler {
  return async (event, context) => {
    const started = Date.now();
    const requestId = context.awsRequestId;
    logger.addContext(context);
    const log = logger.child({ requestId, apiRequestId: event.requestContext?.requestId });
    let response: APIGatewayProxyResult;
    let failure: unknown;
    try {
      response = await route(event, { requestId, logger: log });
    } catch (error) {
      failure = error;
      response = errorResponse(error, requestId);
    }
    const fields = {
      method: event.httpMethod,
      resource: event.resource,
      statusCode: response.statusCode,
      durationMs: Date.now() - started,
    };
    if (failure === undefined) {
      log.info("request completed", fields);
    } else if (failure instanceof HttpError && failure.statusCode < 500) {
      log.warn("request rejected", { ...fields, reason: failure.message });
    } else {
      log.error("request failed", { ...fields, error: failure });
    }
    return response;
  };
}
