import type { APIGatewayProxyResult } from "aws-lambda";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { HttpError, NotFoundError, ValidationError } from "../../lambdas/shared/errors";
import { jsonResponse } from "../../lambdas/shared/http";
import { requireMovieId } from "../../lambdas/shared/movies";
import { getCatalogMovie } from "./catalog";

/** What a request needs besides itself: the client and the table, by physical name. */
export interface CatalogDependencies {
  readonly ddb: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** The request, as the server reads it: method and path (no query string, no body). */
export interface CatalogRequest {
  readonly method: string;
  readonly path: string;
}

/** The paths the container serves; the stack routes the same ones (stacks/catalog-stack.ts). */
export const CATALOG_ROUTES = {
  movie: "/catalog/movies/{movieId}",
  health: "/health",
} as const;

const MOVIE_PATH = /^\/catalog\/movies\/([^/]*)$/;

/** A thrown 405, mapped by `errorResponse` like the others. */
export class MethodNotAllowedError extends HttpError {
  readonly statusCode = 405;
}

/**
 * Routes one request: `GET /catalog/movies/{movieId}` (200 with the movie, 400 for a bad id, 404 when
 * movie_infos does not have it) and `GET /health` (200 `{"status":"ok"}`, touching nothing: ECS restarts a
 * task whose health check fails, and a DynamoDB hiccup is no reason to). Anything else: 404, or 405 for
 * another method on a known path. Errors are thrown as `HttpError`s and mapped in one place by the server.
 */
export async function routeRequest(
  request: CatalogRequest,
  deps: CatalogDependencies,
): Promise<APIGatewayProxyResult> {
  if (request.path === CATALOG_ROUTES.health) {
    requireGet(request);
    return jsonResponse(200, { status: "ok" });
  }
  const match = MOVIE_PATH.exec(request.path);
  if (!match) throw new NotFoundError(`No route for ${request.method} ${request.path}`);
  requireGet(request);
  const movieId = requireMovieId({ pathParameters: { movieId: decodePathSegment(match[1] ?? "") } });
  const movie = await getCatalogMovie(deps.ddb, deps.tableName, movieId);
  if (movie === undefined) throw new NotFoundError(`Movie ${movieId} not found`);
  return jsonResponse(200, movie);
}

function requireGet(request: CatalogRequest): void {
  if (request.method !== "GET") {
    throw new MethodNotAllowedError(`Method ${request.method} is not allowed on ${request.path}`);
  }
}

/** A percent-encoded path segment, decoded as API Gateway decodes path parameters. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    throw new ValidationError('Path parameter "movieId" is not valid percent-encoding', { cause: error });
  }
}
