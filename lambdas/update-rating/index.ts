import { apiHandler } from "../shared/api-handler";
import { createDocumentClient } from "../shared/dynamodb";
import { requireEnv } from "../shared/env";
import { jsonResponse } from "../shared/http";
import { createLogger } from "../shared/logger";
import { requireMovieId, type MovieTables } from "../shared/movies";
import { DEFAULT_MAX_BODY_BYTES, parseJsonBody } from "../shared/validation";
import { parseRatingUpdate, updateRating } from "./update-rating";

const tables: MovieTables = {
  infos: requireEnv("MOVIE_INFOS_TABLE"),
  ratings: requireEnv("MOVIE_RATINGS_TABLE"),
};
const ddb = createDocumentClient();
const logger = createLogger({ service: "update-rating" });

/**
 * `PATCH /movies/{movieId}`: 200 with `{movie_id, ...ratings set}`; 400 for a bad id or body, 413 for a body
 * over 64 KiB, 404 when the movie has no info item, 409 on a concurrent transaction.
 */
export const handler = apiHandler(async (event) => {
  const movieId = requireMovieId(event);
  const update = parseRatingUpdate(parseJsonBody(event, DEFAULT_MAX_BODY_BYTES), movieId);
  return jsonResponse(200, await updateRating(ddb, tables, movieId, update));
}, logger);
