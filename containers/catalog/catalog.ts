import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { toMovie } from "../../lambdas/get-movie/get-movie";
import type { Movie } from "../../lambdas/shared/movies";

/**
 * Reads one movie from movie_infos with GetItem, shaped as get-movie shapes it (`toMovie`: only the known
 * attributes, with their types). The catalog serves infos only, so a movie has no ratings here.
 *
 * @returns the movie, or `undefined` when movie_infos does not have the id.
 */
export async function getCatalogMovie(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  movieId: string,
): Promise<Movie | undefined> {
  const output = await ddb.send(new GetCommand({ TableName: tableName, Key: { movie_id: movieId } }));
  return output.Item === undefined ? undefined : toMovie(movieId, output.Item, undefined);
}
