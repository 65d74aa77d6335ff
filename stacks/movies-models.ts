import type { RequestModel } from "../constructs/rest-api";
import { MOVIE_ID_PATTERN } from "../lambdas/shared/movies-contract";

/** Ratings are integers from 0 to 100. */
const RATING = { type: "integer", minimum: 0, maximum: 100 } as const;

/**
 * The PATCH /movies/{movieId} body, checked by API Gateway before update-rating runs:
 * `{"movie_id"?, "rotten_tomatoes_rating"?, "imdb_rating"?}`, no other field, at least one rating.
 * The handler checks the same rules (and that `movie_id` equals the path's); the id pattern is the
 * movies contract's `MOVIE_ID_PATTERN`, the one the handler validates with.
 */
export const UPDATE_RATING_MODEL: RequestModel = {
  name: "UpdateRating",
  description: "Body of PATCH /movies/{movieId}",
  schema: {
    type: "object",
    properties: {
      movie_id: { type: "string", pattern: MOVIE_ID_PATTERN.source },
      rotten_tomatoes_rating: RATING,
      imdb_rating: RATING,
    },
    additionalProperties: false,
    minProperties: 1,
    anyOf: [{ required: ["rotten_tomatoes_rating"] }, { required: ["imdb_rating"] }],
  },
};
