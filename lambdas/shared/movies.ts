import type { APIGatewayProxyEvent } from "aws-lambda";
import { MOVIE_ID_PATTERN, MOVIE_ID_RULE } from "./movies-contract";
import { requirePathParameter } from "./validation";

/** An item of the movie_infos table. */
export interface MovieInfo {
  readonly movie_id: string;
  readonly name?: string;
  readonly country_of_origin?: string;
  /** ISO date, YYYY-MM-DD. */
  readonly release_date?: string;
}

/** An item of the movie_ratings table. Ratings are integers 0..100. */
export interface MovieRating {
  readonly movie_id: string;
  readonly rotten_tomatoes_rating?: number;
  readonly imdb_rating?: number;
}

/** What the API returns: a movie's infos merged with its ratings. */
export type Movie = MovieInfo & MovieRating;

/** The two tables, by physical name. */
export interface MovieTables {
  readonly infos: string;
  readonly ratings: string;
}

// The id rule lives in the import-free contract (the stack's request model reads it there). Tests
// import it from there; upload-infos/rows.ts still takes it from here, and importing it from the
// contract instead would drop this module from that bundle and so change the upload-infos zip.
export { MOVIE_ID_PATTERN, MOVIE_ID_RULE };

/**
 * Returns the `movieId` path parameter.
 * @throws ValidationError naming `movieId` when it is missing or breaks {@link MOVIE_ID_PATTERN}.
 */
export function requireMovieId(event: Pick<APIGatewayProxyEvent, "pathParameters">): string {
  return requirePathParameter(event, "movieId", MOVIE_ID_PATTERN, MOVIE_ID_RULE);
}
