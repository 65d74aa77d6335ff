import type { APIGatewayProxyResult } from "aws-lambda";
import { apiGatewayProxyEvent } from "../helpers/events";
import { startLocalAws, type LocalAws } from "../helpers/local-aws";
import { GET_MOVIE, LocalMovies, UPDATE_RATING } from "../helpers/local-movies";
import { startStuckProxy } from "../helpers/stuck-proxy";
import { synthesized } from "../helpers/synth";

let local: LocalAws;
let movies: LocalMovies;

const HEAT = { movie_id: "mv1", name: "Heat", country_of_origin: "US", release_date: "1995-12-15" };
const HEAT_RATING = { movie_id: "mv1", rotten_tomatoes_rating: 87, imdb_rating: 83 };

beforeAll(async () => {
  local = await startLocalAws(synthesized("movies-dev"));
  movies = new LocalMovies(local);
}, 60_000);

afterAll(async () => {
  await local?.stop();
});

beforeEach(async () => {
  await movies.clear(movies.infosTable);
  await movies.clear(movies.ratingsTable);
  await movies.put(movies.infosTable, HEAT);
  await movies.put(movies.ratingsTable, HEAT_RATING);
});

/** Every response is JSON, says so, and an error body is exactly `{"message": ...}`. */
function expectJsonError(
  response: APIGatewayProxyResult,
  statusCode: number,
  message: string | RegExp,
): void {
  expect(response.statusCode).toBe(statusCode);
  expect(response.headers).toEqual({ "Content-Type": "application/json" });
  const body = JSON.parse(response.body) as { message: string };
  expect(Object.keys(body)).toEqual(["message"]);
  expect(body.message).toMatch(message);
}

function patch(movieId: string | null, body: string | null, isBase64Encoded = false) {
  return movies.api(UPDATE_RATING, movieId, { body, isBase64Encoded });
}

describe("GET /movies/{movieId} on DynamoDB Local", () => {
  it("returns the movie merged with its ratings", async () => {
    const response = await movies.api(GET_MOVIE, "mv1");

    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({ "Content-Type": "application/json" });
    expect(JSON.parse(response.body)).toEqual({ ...HEAT, ...HEAT_RATING });
  });

  it("returns a movie that has infos but no ratings yet", async () => {
    await movies.put(movies.infosTable, { movie_id: "mv2", name: "Alien", release_date: "1979-05-25" });

    const response = await movies.api(GET_MOVIE, "mv2");

    expect(JSON.parse(response.body)).toEqual({ movie_id: "mv2", name: "Alien", release_date: "1979-05-25" });
  });

  it("answers 404 for an unknown movie", async () => {
    expectJsonError(await movies.api(GET_MOVIE, "mv9"), 404, /^Movie mv9 not found$/);
  });

  it("answers 404, as PATCH does, for a movie with ratings but no infos: a movie exists when movie_infos has it", async () => {
    await movies.put(movies.ratingsTable, { movie_id: "mv7", rotten_tomatoes_rating: 50 });

    expectJsonError(await movies.api(GET_MOVIE, "mv7"), 404, /^Movie mv7 not found$/);
    expectJsonError(await patch("mv7", JSON.stringify({ imdb_rating: 60 })), 404, /^Movie mv7 not found$/);
    expect(await movies.get(movies.ratingsTable, "mv7")).toEqual({
      movie_id: "mv7",
      rotten_tomatoes_rating: 50,
    });
  });

  it.each([
    ["a missing path parameter", null, /^Path parameter "movieId" is required$/],
    ["an empty id", "", /^Path parameter "movieId" is required$/],
    ["an id with a space", "mv 1", /^Path parameter "movieId" must be /],
    ["an id with a slash", "../mv1", /^Path parameter "movieId" must be /],
    ["a non-ASCII id", "mvé", /^Path parameter "movieId" must be /],
    ["an id of 129 characters", "a".repeat(129), /^Path parameter "movieId" must be /],
  ])("answers 400 for %s", async (_what, movieId, message) => {
    expectJsonError(await movies.api(GET_MOVIE, movieId), 400, message);
  });
});

describe("PATCH /movies/{movieId} on DynamoDB Local", () => {
  it("sets the given ratings and keeps the others", async () => {
    const response = await patch("mv1", JSON.stringify({ movie_id: "mv1", imdb_rating: 90 }));

    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({ "Content-Type": "application/json" });
    expect(JSON.parse(response.body)).toEqual({ movie_id: "mv1", imdb_rating: 90 });
    expect(await movies.get(movies.ratingsTable, "mv1")).toEqual({ ...HEAT_RATING, imdb_rating: 90 });
  });

  it("accepts a base64-encoded body", async () => {
    const body = Buffer.from(JSON.stringify({ rotten_tomatoes_rating: 0 })).toString("base64");

    const response = await patch("mv1", body, true);

    expect(response.statusCode).toBe(200);
    expect(await movies.get(movies.ratingsTable, "mv1")).toEqual({
      ...HEAT_RATING,
      rotten_tomatoes_rating: 0,
    });
  });

  it("answers 404 for a movie that is not in movie_infos, and writes no rating item", async () => {
    const response = await patch("mv9", JSON.stringify({ movie_id: "mv9", rotten_tomatoes_rating: 50 }));

    expectJsonError(response, 404, /^Movie mv9 not found$/);
    expect(await movies.get(movies.ratingsTable, "mv9")).toBeUndefined();
  });

  it.each([
    ["a movie_id that differs from the path", { movie_id: "mv2", imdb_rating: 1 }, /"movie_id" must match/],
    ["a numeric movie_id", { movie_id: 1, imdb_rating: 1 }, /"movie_id" must be a string/],
    [
      "a rating given as a string",
      { imdb_rating: "98" },
      /"imdb_rating" must be an integer between 0 and 100/,
    ],
    ["a fractional rating", { imdb_rating: 98.5 }, /"imdb_rating" must be an integer/],
    ["a null rating", { rotten_tomatoes_rating: null }, /"rotten_tomatoes_rating" must be an integer/],
    ["a boolean rating", { rotten_tomatoes_rating: true }, /"rotten_tomatoes_rating" must be an integer/],
    ["a rating below 0", { imdb_rating: -1 }, /"imdb_rating" must be an integer between 0 and 100/],
    ["a rating above 100", { imdb_rating: 101 }, /"imdb_rating" must be an integer between 0 and 100/],
    ["no rating at all", { movie_id: "mv1" }, /At least one of "rotten_tomatoes_rating" or "imdb_rating"/],
    ["an unknown field", { imdb_rating: 5, name: "Heat 2" }, /^Unknown field "name"$/],
    ["an array", [{ imdb_rating: 5 }], /^Request body must be a JSON object$/],
    ["null", null, /^Request body must be a JSON object$/],
    ["a number", 42, /^Request body must be a JSON object$/],
  ])("answers 400 for %s, and leaves the rating untouched", async (_what, body, message) => {
    expectJsonError(await patch("mv1", JSON.stringify(body)), 400, message);
    expect(await movies.get(movies.ratingsTable, "mv1")).toEqual(HEAT_RATING);
  });

  it.each([
    ["malformed JSON", '{"imdb_rating": 5', /^Request body is not valid JSON$/],
    ["text", "imdb_rating=5", /^Request body is not valid JSON$/],
    ["no body", null, /^Request body is required$/],
    ["an empty body", "", /^Request body is required$/],
    ["a blank body", "  \n", /^Request body is required$/],
  ])("answers 400 for %s", async (_what, body, message) => {
    expectJsonError(await patch("mv1", body), 400, message);
    expect(await movies.get(movies.ratingsTable, "mv1")).toEqual(HEAT_RATING);
  });

  it("answers 400 for a body announced as base64 that is not", async () => {
    expectJsonError(await patch("mv1", "{not base64}", true), 400, /^Request body is not valid base64$/);
  });

  it("answers 400 for an invalid path id before reading the body", async () => {
    expectJsonError(await patch("mv 1", "{"), 400, /^Path parameter "movieId" must be /);
  });

  it("answers 413 for a base64 body of 5 MB, which overflowed the stack in the base64 check (500)", async () => {
    const body = Buffer.from(
      JSON.stringify({ imdb_rating: 5, padding: "x".repeat(5 * 1024 * 1024) }),
    ).toString("base64");

    expectJsonError(await patch("mv1", body, true), 413, /^Request body must not exceed 65536 bytes$/);
    expect(await movies.get(movies.ratingsTable, "mv1")).toEqual(HEAT_RATING);
  });

  it("answers 413 for a 1 MB body, and nothing is written", async () => {
    const body = JSON.stringify({ imdb_rating: 5, padding: "x".repeat(1024 * 1024) });

    expectJsonError(await patch("mv1", body), 413, /^Request body must not exceed 65536 bytes$/);
    expect(await movies.get(movies.ratingsTable, "mv1")).toEqual(HEAT_RATING);
  });

  it("logged every bad request above as rejected (WARN), none as failed", () => {
    const lines = [...local.logs(GET_MOVIE), ...local.logs(UPDATE_RATING)].map(
      (line) => JSON.parse(line) as { level: string; statusCode: number },
    );
    expect(lines.filter((line) => line.level === "ERROR")).toEqual([]);
    expect(lines.every((line) => line.statusCode < 500)).toBe(true);
    expect(lines.filter((line) => line.level === "WARN").length).toBeGreaterThan(25);
  });
});

describe("an API function whose DynamoDB never answers", () => {
  it("answers 500 with its request id before its 10 s timeout, having sent the call 4 times", async () => {
    // Left last: the 500 is logged as ERROR, which the test above rules out for the bad requests.
    const proxy = await startStuckProxy(local.dynamodb.endpoint, () => true);
    const lambda = local.lambda(GET_MOVIE, {
      environment: { AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint },
      timeoutSeconds: 10,
    });
    try {
      const outcome = await lambda.invoke(
        apiGatewayProxyEvent({ httpMethod: "GET", pathParameters: { movieId: "mv1" } }),
      );

      // 4 attempts (the SDK's default for DynamoDB), each given up after 2 s without a response.
      expect(outcome).toMatchObject({ ok: true, result: { statusCode: 500 } });
      const body = JSON.parse((outcome as { result: APIGatewayProxyResult }).result.body) as object;
      expect(body).toEqual({ message: "Internal server error", requestId: outcome.requestId });
      expect(proxy.requests.map((request) => [request.operation, request.stuck])).toEqual(
        Array.from({ length: 4 }, () => ["BatchGetItem", true]),
      );
      expect(outcome.stats?.durationMs).toBeGreaterThan(8_000);
      expect(outcome.stats?.durationMs).toBeLessThan(10_000);
    } finally {
      await lambda.stop();
      await proxy.stop();
    }
  });
});
