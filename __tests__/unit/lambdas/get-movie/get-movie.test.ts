import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { getMovie, toMovie } from "../../../../lambdas/get-movie/get-movie";
import { RetriesExhaustedError } from "../../../../lambdas/shared/retry";

const tables = { infos: "movie_infos", ratings: "movie_ratings" };
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1" }));
const ddbMock = mockClient(DynamoDBDocumentClient);
const noSleep = { sleep: async () => undefined };

const info = {
  movie_id: "mv1",
  name: "Interstellar",
  country_of_origin: "United States",
  release_date: "2014-10-26",
};
const rating = { movie_id: "mv1", rotten_tomatoes_rating: 73, imdb_rating: 87 };

beforeEach(() => {
  ddbMock.reset();
});

describe("getMovie", () => {
  it("reads both tables in one BatchGetItem and merges the items", async () => {
    ddbMock.on(BatchGetCommand).resolves({ Responses: { movie_infos: [info], movie_ratings: [rating] } });

    await expect(getMovie(ddb, tables, "mv1")).resolves.toEqual({
      movie_id: "mv1",
      name: "Interstellar",
      country_of_origin: "United States",
      release_date: "2014-10-26",
      rotten_tomatoes_rating: 73,
      imdb_rating: 87,
    });
    expect(ddbMock).toHaveReceivedCommandTimes(BatchGetCommand, 1);
    expect(ddbMock).toHaveReceivedCommandWith(BatchGetCommand, {
      RequestItems: {
        movie_infos: { Keys: [{ movie_id: "mv1" }] },
        movie_ratings: { Keys: [{ movie_id: "mv1" }] },
      },
    });
    expect(ddbMock.calls()).toHaveLength(1);
  });

  it("returns the infos alone when the movie has no ratings yet", async () => {
    ddbMock.on(BatchGetCommand).resolves({ Responses: { movie_infos: [info], movie_ratings: [] } });
    await expect(getMovie(ddb, tables, "mv1")).resolves.toEqual(info);
  });

  it("returns undefined for ratings without infos: a movie exists when movie_infos has it, as for PATCH", async () => {
    ddbMock.on(BatchGetCommand).resolves({ Responses: { movie_ratings: [rating] } });
    await expect(getMovie(ddb, tables, "mv1")).resolves.toBeUndefined();
  });

  it("returns undefined when neither table has the movie", async () => {
    ddbMock.on(BatchGetCommand).resolves({ Responses: { movie_infos: [], movie_ratings: [] } });
    await expect(getMovie(ddb, tables, "mv9")).resolves.toBeUndefined();
  });

  it("returns undefined when DynamoDB sends no Responses at all", async () => {
    ddbMock.on(BatchGetCommand).resolves({});
    await expect(getMovie(ddb, tables, "mv9")).resolves.toBeUndefined();
  });

  it("asks again for UnprocessedKeys only and merges what each call returned", async () => {
    const unprocessed = { movie_ratings: { Keys: [{ movie_id: "mv1" }] } };
    ddbMock
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { movie_infos: [info], movie_ratings: [] }, UnprocessedKeys: unprocessed })
      .resolvesOnce({ Responses: { movie_ratings: [rating] }, UnprocessedKeys: {} });

    await expect(getMovie(ddb, tables, "mv1", noSleep)).resolves.toEqual({ ...info, ...rating });
    expect(ddbMock).toHaveReceivedCommandTimes(BatchGetCommand, 2);
    expect(ddbMock).toHaveReceivedNthCommandWith(2, BatchGetCommand, { RequestItems: unprocessed });
  });

  it("gives up when keys stay unprocessed", async () => {
    ddbMock.on(BatchGetCommand).resolves({
      Responses: {},
      UnprocessedKeys: { movie_infos: { Keys: [{ movie_id: "mv1" }] } },
    });
    await expect(getMovie(ddb, tables, "mv1", { ...noSleep, maxAttempts: 3 })).rejects.toThrow(
      new RetriesExhaustedError("BatchGetItem still had unprocessed items after 3 attempts", 3),
    );
    expect(ddbMock).toHaveReceivedCommandTimes(BatchGetCommand, 3);
  });

  it("lets DynamoDB errors through", async () => {
    ddbMock.on(BatchGetCommand).rejects(new Error("ResourceNotFoundException"));
    await expect(getMovie(ddb, tables, "mv1")).rejects.toThrow("ResourceNotFoundException");
  });
});

describe("toMovie", () => {
  it("keeps only known attributes of the expected types", () => {
    expect(
      toMovie(
        "mv1",
        { movie_id: "mv1", name: "Heat", country_of_origin: 42, release_date: "1995-12-15", secret: "x" },
        { movie_id: "mv1", rotten_tomatoes_rating: "88", imdb_rating: 83, notes: "y" },
      ),
    ).toEqual({ movie_id: "mv1", name: "Heat", release_date: "1995-12-15", imdb_rating: 83 });
  });
});
