import { performance } from "node:perf_hooks";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { getMovie } from "../lambdas/get-movie/get-movie";
import type { BenchEnvironment } from "./environment";
import { median, percentile, round } from "./stats";

export interface GetMovieResult {
  readonly calls: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly roundTripsPerCall: number;
}

/** A DynamoDB client that counts its HTTP attempts. */
function countingClient(): { client: DynamoDBClient; roundTrips: () => number; reset: () => void } {
  const client = new DynamoDBClient({});
  let roundTrips = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      roundTrips++;
      return next(args);
    },
    // The deserialize step runs once per HTTP attempt (inside the retry middleware).
    { step: "deserialize", name: "countRoundTrips" },
  );
  return { client, roundTrips: () => roundTrips, reset: () => (roundTrips = 0) };
}

/** get-movie's domain function in this process, with a real client: latency and round trips per call. */
export async function measureGetMovie(env: BenchEnvironment): Promise<GetMovieResult> {
  const counting = countingClient();
  const doc = DynamoDBDocumentClient.from(counting.client);
  await doc.send(
    new PutCommand({
      TableName: env.infosName,
      Item: {
        movie_id: "mv1",
        name: "Interstellar",
        country_of_origin: "United States",
        release_date: "2014-10-26",
      },
    }),
  );
  await doc.send(
    new PutCommand({
      TableName: env.ratingsName,
      Item: { movie_id: "mv1", rotten_tomatoes_rating: 98, imdb_rating: 43 },
    }),
  );
  const tables = { infos: env.infosName, ratings: env.ratingsName };
  for (let i = 0; i < 50; i++) await getMovie(doc, tables, "mv1");
  counting.reset();
  const latencies: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const started = performance.now();
    const movie = await getMovie(doc, tables, "mv1");
    latencies.push(performance.now() - started);
    if (movie?.imdb_rating !== 43) throw new Error("get-movie returned the wrong movie");
  }
  counting.client.destroy();
  return {
    calls: 1000,
    medianMs: round(median(latencies), 2),
    p99Ms: round(percentile(latencies, 0.99), 2),
    roundTripsPerCall: counting.roundTrips() / 1000,
  };
}
