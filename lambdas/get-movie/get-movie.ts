import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import type { Movie, MovieTables } from "../shared/movies";
import { drainWithBackoff, type BackoffOptions } from "../shared/retry";

type Item = Record<string, unknown>;
type RequestItems = NonNullable<BatchGetCommandInput["RequestItems"]>;

/**
 * Reads a movie's info and rating items in one BatchGetItem over both tables, then merges them.
 * If DynamoDB returns UnprocessedKeys (throttling, size limits), only those keys are asked again, with
 * backoff; the common case is a single call.
 *
 * A movie exists when movie_infos has it: uploads create movies, ratings are set on existing ones (PATCH
 * checks the same item, see update-rating). A rating item without an info item is an orphan, not a movie.
 *
 * @returns the merged movie, or `undefined` when movie_infos does not have the id.
 * @throws RetriesExhaustedError when keys are still unprocessed after `retry.maxAttempts` calls.
 */
export async function getMovie(
  ddb: DynamoDBDocumentClient,
  tables: MovieTables,
  movieId: string,
  retry: BackoffOptions = {},
): Promise<Movie | undefined> {
  const found: Record<string, Item[]> = {};
  const request: RequestItems = {
    [tables.infos]: { Keys: [{ movie_id: movieId }] },
    [tables.ratings]: { Keys: [{ movie_id: movieId }] },
  };
  await drainWithBackoff(
    request,
    async (requestItems) => {
      const output = await ddb.send(new BatchGetCommand({ RequestItems: requestItems }));
      for (const [table, items] of Object.entries(output.Responses ?? {})) {
        (found[table] ??= []).push(...items);
      }
      const unprocessed = output.UnprocessedKeys ?? {};
      return Object.keys(unprocessed).length > 0 ? unprocessed : undefined;
    },
    "BatchGetItem",
    retry,
  );
  const info = found[tables.infos]?.[0];
  const rating = found[tables.ratings]?.[0];
  if (info === undefined) return undefined;
  return toMovie(movieId, info, rating);
}

/**
 * Builds the API's Movie from the two items, keeping only the known attributes with the expected types,
 * so a stray attribute written by hand never leaks into responses.
 */
export function toMovie(movieId: string, info: Item | undefined, rating: Item | undefined): Movie {
  return {
    movie_id: movieId,
    ...stringField(info, "name"),
    ...stringField(info, "country_of_origin"),
    ...stringField(info, "release_date"),
    ...numberField(rating, "rotten_tomatoes_rating"),
    ...numberField(rating, "imdb_rating"),
  };
}

function stringField<K extends string>(item: Item | undefined, key: K): Partial<Record<K, string>> {
  const value = item?.[key];
  return typeof value === "string" ? ({ [key]: value } as Record<K, string>) : {};
}

function numberField<K extends string>(item: Item | undefined, key: K): Partial<Record<K, number>> {
  const value = item?.[key];
  return typeof value === "number" ? ({ [key]: value } as Record<K, number>) : {};
}
