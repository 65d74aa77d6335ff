import "../../../helpers/lambda-env";
import { BatchGetCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { handler } from "../../../../lambdas/get-movie";
import { lambdaContext } from "../../../helpers/context";
import { apiGatewayProxyEvent } from "../../../helpers/events";
import { TEST_ENV } from "../../../helpers/lambda-env";
import { captureStdout } from "../../../helpers/logs";

const ddbMock = mockClient(DynamoDBDocumentClient);
const JSON_HEADERS = { "Content-Type": "application/json" };
let stdout: ReturnType<typeof captureStdout>;

beforeEach(() => {
  ddbMock.reset();
  stdout = captureStdout();
});
afterEach(() => {
  stdout.restore();
});

const get = (pathParameters: Record<string, string> | null) =>
  handler(apiGatewayProxyEvent({ httpMethod: "GET", pathParameters }), lambdaContext);

describe("GET /movies/{movieId}", () => {
  it("returns 200 with the merged movie, reading the tables named by the environment", async () => {
    ddbMock.on(BatchGetCommand).resolves({
      Responses: {
        [TEST_ENV.MOVIE_INFOS_TABLE]: [
          {
            movie_id: "mv2",
            name: "Le Fabuleux Destin d'Amélie Poulain",
            country_of_origin: "France",
            release_date: "2001-04-25",
          },
        ],
        [TEST_ENV.MOVIE_RATINGS_TABLE]: [{ movie_id: "mv2", rotten_tomatoes_rating: 89, imdb_rating: 83 }],
      },
    });

    const response = await get({ movieId: "mv2" });

    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual(JSON_HEADERS);
    expect(JSON.parse(response.body)).toEqual({
      movie_id: "mv2",
      name: "Le Fabuleux Destin d'Amélie Poulain",
      country_of_origin: "France",
      release_date: "2001-04-25",
      rotten_tomatoes_rating: 89,
      imdb_rating: 83,
    });
    expect(ddbMock).toHaveReceivedCommandTimes(BatchGetCommand, 1);
    expect(ddbMock).toHaveReceivedCommandWith(BatchGetCommand, {
      RequestItems: {
        "movie_infos-test": { Keys: [{ movie_id: "mv2" }] },
        "movie_ratings-test": { Keys: [{ movie_id: "mv2" }] },
      },
    });
    expect(stdout.lines()).toEqual([
      expect.objectContaining({
        level: "INFO",
        service: "get-movie",
        message: "request completed",
        requestId: lambdaContext.awsRequestId,
        statusCode: 200,
      }),
    ]);
  });

  it("returns 404 with the workshop's message when movie_infos does not have the movie", async () => {
    ddbMock.on(BatchGetCommand).resolves({ Responses: {} });
    await expect(get({ movieId: "mv9" })).resolves.toEqual({
      statusCode: 404,
      headers: JSON_HEADERS,
      body: '{"message":"Movie mv9 not found"}',
    });
  });

  it.each([
    ["missing path parameters", null, 'Path parameter "movieId" is required'],
    ["an empty id", { movieId: "" }, 'Path parameter "movieId" is required'],
    [
      "an id with a space",
      { movieId: "mv 1" },
      'Path parameter "movieId" must be 1 to 128 characters of letters, digits, "_", "." or "-"',
    ],
  ])("returns 400 for %s without touching DynamoDB", async (_label, pathParameters, message) => {
    await expect(get(pathParameters)).resolves.toEqual({
      statusCode: 400,
      headers: JSON_HEADERS,
      body: JSON.stringify({ message }),
    });
    expect(ddbMock.calls()).toHaveLength(0);
  });

  it("returns a bare 500 with the request id when DynamoDB fails", async () => {
    ddbMock
      .on(BatchGetCommand)
      .rejects(new Error("arn:aws:dynamodb:eu-west-1:123456789012:table/movie_infos-test"));
    const response = await get({ movieId: "mv1" });
    expect(response).toEqual({
      statusCode: 500,
      headers: JSON_HEADERS,
      body: `{"message":"Internal server error","requestId":"${lambdaContext.awsRequestId}"}`,
    });
    expect(stdout.lines()).toEqual([expect.objectContaining({ level: "ERROR", message: "request failed" })]);
  });
});

describe("module init", () => {
  it.each(["MOVIE_INFOS_TABLE", "MOVIE_RATINGS_TABLE"])("fails naming %s when it is unset", (name) => {
    delete process.env[name];
    try {
      jest.isolateModules(() => {
        expect(() => jest.requireActual("../../../../lambdas/get-movie")).toThrow(
          `Missing required environment variable ${name}`,
        );
      });
    } finally {
      Object.assign(process.env, TEST_ENV);
    }
  });
});
