import { readFileSync } from "node:fs";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { APIGatewayProxyResult } from "aws-lambda";
import { synthesized } from "../helpers/synth";
import { apiGatewayProxyEvent, s3Event, s3EventRecord } from "../helpers/events";
import { startLocalAws, type LocalAws } from "../helpers/local-aws";
import { EXPECTED_MV1, WORKSHOP_CSV } from "../../local/scenario";

let local: LocalAws;

beforeAll(async () => {
  local = await startLocalAws(synthesized("movies-dev"));
}, 60_000);

afterAll(async () => {
  await local?.stop();
});

describe("the workshop's Test section, on DynamoDB Local and s3rver", () => {
  it("creates the stack's tables and bucket from its synthesized JSON", () => {
    // Each test file's names carry its suffix: the run's emulators are shared (helpers/local-aws.ts).
    const suffixed = (names: string[]) => names.map((name) => `${name}${local.nameSuffix}`);
    expect(local.tables.map((t) => t.input.TableName)).toEqual(
      suffixed(["movie_infos-dev", "movie_ratings-dev"]),
    );
    expect(local.buckets.map((b) => b.name)).toEqual(suffixed(["000000000000-movie-infos-dev"]));
  });

  it("uploads movie-infos.csv, PATCHes mv1, and GETs the merged movie", async () => {
    const bucket = local.buckets[0]?.name as string;
    const csv = readFileSync(WORKSHOP_CSV);
    await local.s3Client.send(new PutObjectCommand({ Bucket: bucket, Key: "movie-infos.csv", Body: csv }));

    const upload = local.lambda("aws_lambda_function.upload_movie_infos_lambda");
    await upload.invokeOrThrow(s3Event(s3EventRecord(bucket, "movie-infos.csv")));

    const patch = local.lambda("aws_lambda_function.update_movie_rating_lambda");
    const patched = await patch.invokeOrThrow<APIGatewayProxyResult>(
      apiGatewayProxyEvent({
        httpMethod: "PATCH",
        resource: "/movies/{movieId}",
        path: "/movies/mv1",
        pathParameters: { movieId: "mv1" },
        body: JSON.stringify({ movie_id: "mv1", rotten_tomatoes_rating: 98, imdb_rating: 43 }),
      }),
    );
    expect(patched).toMatchObject({ statusCode: 200 });

    const get = local.lambda("aws_lambda_function.get_movie_lambda");
    const got = await get.invokeOrThrow<APIGatewayProxyResult>(
      apiGatewayProxyEvent({
        httpMethod: "GET",
        resource: "/movies/{movieId}",
        path: "/movies/mv1",
        pathParameters: { movieId: "mv1" },
      }),
    );
    expect(got.statusCode).toBe(200);
    expect(got.headers).toEqual({ "Content-Type": "application/json" });
    expect(JSON.parse(got.body)).toEqual(EXPECTED_MV1);
  });
});
