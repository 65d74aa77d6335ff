import type { APIGatewayProxyEvent } from "aws-lambda";
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

/**
 * Movie ids are 1 to 128 characters of ASCII letters, digits, `_`, `.` and `-` ("mv1", "tt0816692").
 * The same rule applies to the path parameter and to CSV uploads, so every stored movie is addressable.
 */
export const MOVIE_ID_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;
export const MOVIE_ID_RULE = '1 to 128 characters of letters, digits, "_", "." or "-"';

/**
 * Returns the `movieId` path parameter.
 * @throws ValidationError naming `movieId` when it is missing or breaks {@link MOVIE_ID_PATTERN}.
 */
export function requireMovieId(event: Pick<APIGatewayProxyEvent, "pathParameters">): string {
  return requirePathParameter(event, "movieId", MOVIE_ID_PATTERN, MOVIE_ID_RULE);
}
