import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { APIGatewayProxyResult } from "aws-lambda";
import { HttpError } from "../../lambdas/shared/errors";
import { errorResponse } from "../../lambdas/shared/http";
import type { Logger } from "../../lambdas/shared/logger";
import { routeRequest, type CatalogDependencies } from "./routes";

export interface CatalogServerOptions extends CatalogDependencies {
  readonly logger: Logger;
}

/**
 * The catalog's HTTP server: each request is routed by `routeRequest`, a thrown error becomes a response
 * through the Lambdas' `errorResponse` (a 4xx with its message, anything else a bare 500 with the request
 * id), and one log line says how it went (method, path, status, duration; never a body), at ERROR for a 500
 * so the stack's log alarm counts it. The request id is API Gateway's (`x-amzn-requestid`) when it sent one.
 */
export function createCatalogServer(options: CatalogServerOptions): Server {
  return createServer((request, response) => {
    void handle(request, response, options);
  });
}

async function handle(request: IncomingMessage, response: ServerResponse, options: CatalogServerOptions) {
  const started = Date.now();
  const requestId = headerValue(request, "x-amzn-requestid") ?? randomUUID();
  const method = request.method ?? "GET";
  const path = new URL(request.url ?? "/", "http://catalog").pathname;
  const log = options.logger.child({ requestId });
  let result: APIGatewayProxyResult;
  let failure: unknown;
  try {
    result = await routeRequest({ method, path }, options);
  } catch (error) {
    failure = error;
    result = errorResponse(error, requestId);
  }
  response.writeHead(result.statusCode, { ...result.headers, "x-request-id": requestId });
  response.end(result.body);
  request.resume();
  const fields = { method, path, statusCode: result.statusCode, durationMs: Date.now() - started };
  if (failure === undefined) log.info("request completed", fields);
  else if (failure instanceof HttpError && failure.statusCode < 500) {
    log.warn("request rejected", { ...fields, reason: failure.message });
  } else log.error("request failed", { ...fields, error: failure });
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}
