import { DynamoDBClient, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { parseRatingUpdate, updateRating } from "../../../../lambdas/update-rating/update-rating";
import { ConflictError, NotFoundError, ValidationError } from "../../../../lambdas/shared/errors";

const tables = { infos: "movie_infos", ratings: "movie_ratings" };
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1" }));
const ddbMock = mockClient(DynamoDBDocumentClient);

beforeEach(() => {
  ddbMock.reset();
});

function cancelled(...codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: "Transaction cancelled, please refer cancellation reasons for specific reasons",
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

describe("parseRatingUpdate", () => {
  it("accepts the workshop body", () => {
    expect(
      parseRatingUpdate({ movie_id: "mv1", rotten_tomatoes_rating: 98, imdb_rating: 43 }, "mv1"),
    ).toEqual({
      rotten_tomatoes_rating: 98,
      imdb_rating: 43,
    });
  });

  it("accepts one rating without movie_id", () => {
    expect(parseRatingUpdate({ imdb_rating: 0 }, "mv1")).toEqual({ imdb_rating: 0 });
    expect(parseRatingUpdate({ rotten_tomatoes_rating: 100 }, "mv1")).toEqual({
      rotten_tomatoes_rating: 100,
    });
  });

  it.each([
    ["an array", [], "Request body must be a JSON object"],
    ["null", null, "Request body must be a JSON object"],
    ["a number", 98, "Request body must be a JSON object"],
    ["an unknown field", { imdb_rating: 4, rating: 5 }, 'Unknown field "rating"'],
    [
      "a movie_id for another movie",
      { movie_id: "mv2", imdb_rating: 4 },
      'Field "movie_id" must match the movieId path parameter',
    ],
    ["a non-string movie_id", { movie_id: 1, imdb_rating: 4 }, 'Field "movie_id" must be a string'],
    [
      "no rating",
      { movie_id: "mv1" },
      'At least one of "rotten_tomatoes_rating" or "imdb_rating" is required',
    ],
    ["an empty object", {}, 'At least one of "rotten_tomatoes_rating" or "imdb_rating" is required'],
    ["a string rating", { imdb_rating: "43" }, 'Field "imdb_rating" must be an integer between 0 and 100'],
    ["a fractional rating", { imdb_rating: 4.3 }, 'Field "imdb_rating" must be an integer between 0 and 100'],
    [
      "a negative rating",
      { rotten_tomatoes_rating: -1 },
      'Field "rotten_tomatoes_rating" must be an integer between 0 and 100',
    ],
    [
      "a rating over 100",
      { rotten_tomatoes_rating: 101 },
      'Field "rotten_tomatoes_rating" must be an integer between 0 and 100',
    ],
    ["a null rating", { imdb_rating: null }, 'Field "imdb_rating" must be an integer between 0 and 100'],
  ])("rejects %s", (_label, body, message) => {
    expect(() => parseRatingUpdate(body, "mv1")).toThrow(new ValidationError(message));
  });
});

describe("updateRating", () => {
  it("writes one transaction: a ConditionCheck on movie_infos and an Update of both ratings", async () => {
    ddbMock.on(TransactWriteCommand).resolves({});

    await expect(
      updateRating(ddb, tables, "mv1", { rotten_tomatoes_rating: 98, imdb_rating: 43 }),
    ).resolves.toEqual({ movie_id: "mv1", rotten_tomatoes_rating: 98, imdb_rating: 43 });

    expect(ddbMock.calls()).toHaveLength(1);
    expect(ddbMock).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          ConditionCheck: {
            TableName: "movie_infos",
            Key: { movie_id: "mv1" },
            ConditionExpression: "attribute_exists(movie_id)",
          },
        },
        {
          Update: {
            TableName: "movie_ratings",
            Key: { movie_id: "mv1" },
            UpdateExpression:
              "SET rotten_tomatoes_rating = :rotten_tomatoes_rating, imdb_rating = :imdb_rating",
            ExpressionAttributeValues: { ":rotten_tomatoes_rating": 98, ":imdb_rating": 43 },
          },
        },
      ],
    });
  });

  it("sets only the rating it was given and returns just that", async () => {
    ddbMock.on(TransactWriteCommand).resolves({});

    await expect(updateRating(ddb, tables, "mv1", { imdb_rating: 43 })).resolves.toEqual({
      movie_id: "mv1",
      imdb_rating: 43,
    });
    const input = ddbMock.commandCalls(TransactWriteCommand)[0]?.args[0].input;
    expect(input?.TransactItems?.[1]).toEqual({
      Update: {
        TableName: "movie_ratings",
        Key: { movie_id: "mv1" },
        UpdateExpression: "SET imdb_rating = :imdb_rating",
        ExpressionAttributeValues: { ":imdb_rating": 43 },
      },
    });
  });

  it("reports a failed existence check as NotFoundError, caused by the cancellation", async () => {
    const cancellation = cancelled("ConditionalCheckFailed", "None");
    ddbMock.on(TransactWriteCommand).rejects(cancellation);
    await expect(updateRating(ddb, tables, "mv9", { imdb_rating: 1 })).rejects.toThrow(
      new NotFoundError("Movie mv9 not found", { cause: cancellation }),
    );
    expect(ddbMock.calls()).toHaveLength(1);
  });

  it.each([[["TransactionConflict", "None"]], [["None", "TransactionConflict"]]])(
    "reports a transaction conflict (%p) as ConflictError",
    async (codes) => {
      const cancellation = cancelled(...codes);
      ddbMock.on(TransactWriteCommand).rejects(cancellation);
      await expect(updateRating(ddb, tables, "mv1", { imdb_rating: 1 })).rejects.toThrow(
        new ConflictError("Movie mv1 is being updated concurrently, please retry", { cause: cancellation }),
      );
    },
  );

  it("lets other cancellations and errors through unchanged", async () => {
    const validation = cancelled("None", "ValidationError");
    ddbMock.on(TransactWriteCommand).rejectsOnce(validation).rejectsOnce(new Error("ThrottlingException"));
    await expect(updateRating(ddb, tables, "mv1", { imdb_rating: 1 })).rejects.toBe(validation);
    await expect(updateRating(ddb, tables, "mv1", { imdb_rating: 1 })).rejects.toThrow("ThrottlingException");
  });

  it("lets a cancellation without reasons through unchanged", async () => {
    const bare = new TransactionCanceledException({ message: "cancelled", $metadata: {} });
    ddbMock.on(TransactWriteCommand).rejects(bare);
    await expect(updateRating(ddb, tables, "mv1", { imdb_rating: 1 })).rejects.toBe(bare);
  });
});
