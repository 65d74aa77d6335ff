import type { APIGatewayProxyResult } from "aws-lambda";
import { HttpError } from "./errors";

/** The one way to build an API Gateway proxy response: status, JSON content type, JSON body. */
export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
}

/**
 * Adds headers (`Location`) to a response built by {@link jsonResponse}; the response's own headers win,
 * so `Content-Type` stays `application/json`. (A separate function, not a parameter of `jsonResponse`,
 * so the bundles of functions that never use it stay byte for byte the same.)
 */
export function withHeaders(
  response: APIGatewayProxyResult,
  headers: Readonly<Record<string, string>>,
): APIGatewayProxyResult {
  return { ...response, headers: { ...headers, ...response.headers } };
}

/**
 * Maps any thrown value to a response. `HttpError`s below 500 expose their status and message (middy's
 * `expose = status < 500` rule); everything else becomes a bare 500 carrying only the request id, so
 * callers can quote it without learning anything about our internals.
 */
export function errorResponse(error: unknown, requestId: string): APIGatewayProxyResult {
  if (error instanceof HttpError && error.statusCode < 500) {
    return jsonResponse(error.statusCode, { message: error.message });
  }
  return jsonResponse(500, { message: "Internal server error", requestId });
}
