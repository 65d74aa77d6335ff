import { apiHandler } from "../shared/api-handler";
import { createDocumentClient } from "../shared/dynamodb";
import { requireEnv } from "../shared/env";
import { NotFoundError } from "../shared/errors";
import { jsonResponse } from "../shared/http";
import { createLogger } from "../shared/logger";
import { requireMovieId, type MovieTables } from "../shared/movies";
import { getMovie } from "./get-movie";

const tables: MovieTables = {
  infos: requireEnv("MOVIE_INFOS_TABLE"),
  ratings: requireEnv("MOVIE_RATINGS_TABLE"),
};
const ddb = createDocumentClient();
const logger = createLogger({ service: "get-movie" });

/** `GET /movies/{movieId}`: 200 with the merged movie, 400 for a bad id, 404 when movie_infos does not have it. */
export const handler = apiHandler(async (event) => {
  const movieId = requireMovieId(event);
  const movie = await getMovie(ddb, tables, movieId);
  if (movie === undefined) throw new NotFoundError(`Movie ${movieId} not found`);
  return jsonResponse(200, movie);
}, logger);
