import { TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors";
import type { MovieRating, MovieTables } from "../shared/movies";
import { anyCancelledWith, cancellationCodes } from "../shared/transactions";
import {
  optionalIntegerField,
  optionalStringField,
  rejectUnknownFields,
  requireJsonObject,
} from "../shared/validation";

/** The ratings a PATCH may set. At least one is present. */
export interface RatingUpdate {
  readonly rotten_tomatoes_rating?: number;
  readonly imdb_rating?: number;
}

const RATING_FIELDS = ["rotten_tomatoes_rating", "imdb_rating"] as const;
const BODY_FIELDS: readonly string[] = ["movie_id", ...RATING_FIELDS];
/** The actions of the rating transaction, in the order of its TransactItems. */
const UPDATE_ACTIONS = ["movieExists", "ratingUpdate"] as const;

/**
 * Validates the workshop's PATCH body `{"movie_id"?, "rotten_tomatoes_rating"?, "imdb_rating"?}`:
 * no other fields, `movie_id` (if given) equal to the path id, ratings integers 0..100, at least one rating.
 *
 * @throws ValidationError naming the offending field.
 */
export function parseRatingUpdate(body: unknown, movieId: string): RatingUpdate {
  const object = requireJsonObject(body);
  rejectUnknownFields(object, BODY_FIELDS);
  const bodyMovieId = optionalStringField(object, "movie_id");
  if (bodyMovieId !== undefined && bodyMovieId !== movieId) {
    throw new ValidationError(`Field "movie_id" must match the movieId path parameter`);
  }
  const update: { -readonly [K in keyof RatingUpdate]: RatingUpdate[K] } = {};
  for (const field of RATING_FIELDS) {
    const value = optionalIntegerField(object, field, 0, 100);
    if (value !== undefined) update[field] = value;
  }
  if (Object.keys(update).length === 0) {
    throw new ValidationError(`At least one of "rotten_tomatoes_rating" or "imdb_rating" is required`);
  }
  return update;
}

/**
 * Sets the given ratings of an existing movie, atomically: one TransactWriteItems holding a ConditionCheck
 * that the movie exists in movie_infos (the rule GET follows too: see getMovie) and an Update of its movie_ratings item (SET of the given ratings
 * only, so an omitted rating keeps its value). Those are the only two actions the function's IAM policy
 * allows (dynamodb:ConditionCheckItem, dynamodb:UpdateItem).
 *
 * A transaction returns no attributes, and reading the item back would cost a second call, so the result
 * is `{movie_id, ...the ratings just set}`: exactly what this request changed.
 *
 * @throws NotFoundError when movie_infos has no such movie (nothing was written).
 * @throws ConflictError when a concurrent transaction touched the same items (nothing was written).
 */
export async function updateRating(
  ddb: DynamoDBDocumentClient,
  tables: MovieTables,
  movieId: string,
  update: RatingUpdate,
): Promise<MovieRating> {
  const fields = RATING_FIELDS.filter((field) => update[field] !== undefined);
  try {
    await ddb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: tables.infos,
              Key: { movie_id: movieId },
              ConditionExpression: "attribute_exists(movie_id)",
            },
          },
          {
            Update: {
              TableName: tables.ratings,
              Key: { movie_id: movieId },
              UpdateExpression: `SET ${fields.map((field) => `${field} = :${field}`).join(", ")}`,
              ExpressionAttributeValues: Object.fromEntries(
                fields.map((field) => [`:${field}`, update[field]]),
              ),
            },
          },
        ],
      }),
    );
  } catch (error) {
    const codes = cancellationCodes(error, UPDATE_ACTIONS);
    if (codes?.movieExists === "ConditionalCheckFailed") {
      throw new NotFoundError(`Movie ${movieId} not found`, { cause: error });
    }
    if (codes && anyCancelledWith(codes, "TransactionConflict")) {
      throw new ConflictError(`Movie ${movieId} is being updated concurrently, please retry`, {
        cause: error,
      });
    }
    throw error;
  }
  return { movie_id: movieId, ...update };
}
