import "../../../helpers/lambda-env";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { handler } from "../../../../lambdas/update-rating";
import { lambdaContext } from "../../../helpers/context";
import { apiGatewayProxyEvent } from "../../../helpers/events";
import { TEST_ENV } from "../../../helpers/lambda-env";
import { captureStdout } from "../../../helpers/logs";

const ddbMock = mockClient(DynamoDBDocumentClient);
const JSON_HEADERS = { "Content-Type": "application/json" };
let stdout: ReturnType<typeof captureStdout>;

beforeEach(() => {
  ddbMock.reset();
  ddbMock.on(TransactWriteCommand).resolves({});
  stdout = captureStdout();
});
afterEach(() => {
  stdout.restore();
});

const patch = (body: string | null, overrides: Partial<APIGatewayProxyEvent> = {}) =>
  handler(
    apiGatewayProxyEvent({ httpMethod: "PATCH", pathParameters: { movieId: "mv1" }, body, ...overrides }),
    lambdaContext,
  );

const badRequest = (message: string) => ({
  statusCode: 400,
  headers: JSON_HEADERS,
  body: JSON.stringify({ message }),
});

describe("PATCH /movies/{movieId}", () => {
  it("applies the workshop body in one transaction and returns the ratings set", async () => {
    const response = await patch('{"movie_id": "mv1", "rotten_tomatoes_rating": 98, "imdb_rating": 43}');

    expect(response).toEqual({
      statusCode: 200,
      headers: JSON_HEADERS,
      body: '{"movie_id":"mv1","rotten_tomatoes_rating":98,"imdb_rating":43}',
    });
    expect(ddbMock.calls()).toHaveLength(1);
    expect(ddbMock).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          ConditionCheck: {
            TableName: TEST_ENV.MOVIE_INFOS_TABLE,
            Key: { movie_id: "mv1" },
            ConditionExpression: "attribute_exists(movie_id)",
          },
        },
        {
          Update: {
            TableName: TEST_ENV.MOVIE_RATINGS_TABLE,
            Key: { movie_id: "mv1" },
            UpdateExpression:
              "SET rotten_tomatoes_rating = :rotten_tomatoes_rating, imdb_rating = :imdb_rating",
            ExpressionAttributeValues: { ":rotten_tomatoes_rating": 98, ":imdb_rating": 43 },
          },
        },
      ],
    });
    expect(stdout.lines()).toEqual([
      expect.objectContaining({
        service: "update-rating",
        message: "request completed",
        method: "PATCH",
        statusCode: 200,
      }),
    ]);
  });

  it("accepts a base64-encoded body", async () => {
    const body = Buffer.from('{"imdb_rating": 43}').toString("base64");
    const response = await patch(body, { isBase64Encoded: true });
    expect(response).toEqual({
      statusCode: 200,
      headers: JSON_HEADERS,
      body: '{"movie_id":"mv1","imdb_rating":43}',
    });
  });

  it("returns 404 and writes nothing when the movie has no info item", async () => {
    ddbMock.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: "Transaction cancelled",
        $metadata: {},
        CancellationReasons: [{ Code: "ConditionalCheckFailed" }, { Code: "None" }],
      }),
    );
    const response = await patch('{"imdb_rating": 43}', { pathParameters: { movieId: "mv9" } });
    expect(response).toEqual({
      statusCode: 404,
      headers: JSON_HEADERS,
      body: '{"message":"Movie mv9 not found"}',
    });
    expect(ddbMock.calls()).toHaveLength(1);
  });

  it("returns 409 when a concurrent transaction got in the way", async () => {
    ddbMock.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: "Transaction cancelled",
        $metadata: {},
        CancellationReasons: [{ Code: "None" }, { Code: "TransactionConflict" }],
      }),
    );
    await expect(patch('{"imdb_rating": 43}')).resolves.toEqual({
      statusCode: 409,
      headers: JSON_HEADERS,
      body: '{"message":"Movie mv1 is being updated concurrently, please retry"}',
    });
  });

  it.each([
    ["a missing body", null, "Request body is required"],
    ["an empty body", "", "Request body is required"],
    ["malformed JSON", '{"imdb_rating": ', "Request body is not valid JSON"],
    ["a JSON array", "[43]", "Request body must be a JSON object"],
    ["a JSON string", '"43"', "Request body must be a JSON object"],
    ["an unknown field", '{"imdb_rating": 43, "director": "Nolan"}', 'Unknown field "director"'],
    [
      "another movie's id",
      '{"movie_id": "mv2", "imdb_rating": 43}',
      'Field "movie_id" must match the movieId path parameter',
    ],
    [
      "no rating",
      '{"movie_id": "mv1"}',
      'At least one of "rotten_tomatoes_rating" or "imdb_rating" is required',
    ],
    ["a string rating", '{"imdb_rating": "43"}', 'Field "imdb_rating" must be an integer between 0 and 100'],
    [
      "a rating over 100",
      '{"rotten_tomatoes_rating": 101}',
      'Field "rotten_tomatoes_rating" must be an integer between 0 and 100',
    ],
    [
      "a fractional rating",
      '{"rotten_tomatoes_rating": 9.5}',
      'Field "rotten_tomatoes_rating" must be an integer between 0 and 100',
    ],
  ])("returns 400 for %s and writes nothing", async (_label, body, message) => {
    await expect(patch(body)).resolves.toEqual(badRequest(message));
    expect(ddbMock.calls()).toHaveLength(0);
  });

  it("returns 400 naming movieId for an invalid path id, before looking at the body", async () => {
    await expect(patch("not json", { pathParameters: { movieId: "../mv1" } })).resolves.toEqual(
      badRequest('Path parameter "movieId" must be 1 to 128 characters of letters, digits, "_", "." or "-"'),
    );
    expect(ddbMock.calls()).toHaveLength(0);
  });

  it("returns 413 for a body over 64 KiB, before parsing it", async () => {
    const body = `{"imdb_rating": 43, "padding": "${"x".repeat(64 * 1024)}"}`;
    await expect(patch(body)).resolves.toEqual({
      statusCode: 413,
      headers: JSON_HEADERS,
      body: '{"message":"Request body must not exceed 65536 bytes"}',
    });
    expect(ddbMock.calls()).toHaveLength(0);
  });

  it("returns a bare 500 when DynamoDB fails for another reason", async () => {
    ddbMock.on(TransactWriteCommand).rejects(new Error("AccessDeniedException: dynamodb:UpdateItem"));
    await expect(patch('{"imdb_rating": 43}')).resolves.toEqual({
      statusCode: 500,
      headers: JSON_HEADERS,
      body: `{"message":"Internal server error","requestId":"${lambdaContext.awsRequestId}"}`,
    });
  });

  it("never logs the request body", async () => {
    await patch('{"imdb_rating": 43, "secret": "p@ss"}');
    expect(JSON.stringify(stdout.lines())).not.toContain("p@ss");
  });
});

describe("module init", () => {
  it.each(["MOVIE_INFOS_TABLE", "MOVIE_RATINGS_TABLE"])("fails naming %s when it is unset", (name) => {
    delete process.env[name];
    try {
      jest.isolateModules(() => {
        expect(() => jest.requireActual("../../../../lambdas/update-rating")).toThrow(
          `Missing required environment variable ${name}`,
        );
      });
    } finally {
      Object.assign(process.env, TEST_ENV);
    }
  });
});
