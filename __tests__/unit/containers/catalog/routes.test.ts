import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { getCatalogMovie } from "../../../../containers/catalog/catalog";
import { routeRequest } from "../../../../containers/catalog/routes";
import { NotFoundError, ValidationError } from "../../../../lambdas/shared/errors";

const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1" }));
const ddbMock = mockClient(DynamoDBDocumentClient);
const deps = { ddb, tableName: "movie_infos-dev" };
const HEAT = { movie_id: "mv1", name: "Heat", country_of_origin: "US", release_date: "1995-12-15" };

beforeEach(() => ddbMock.reset());

describe("getCatalogMovie", () => {
  it("reads the item with one GetItem by movie_id and keeps only the known attributes", async () => {
    ddbMock.on(GetCommand).resolves({ Item: { ...HEAT, stray: "x", release_date: 1995 } });
    await expect(getCatalogMovie(ddb, "movie_infos-dev", "mv1")).resolves.toEqual({
      movie_id: "mv1",
      name: "Heat",
      country_of_origin: "US",
    });
    expect(ddbMock).toHaveReceivedCommandTimes(GetCommand, 1);
    expect(ddbMock).toHaveReceivedCommandWith(GetCommand, {
      TableName: "movie_infos-dev",
      Key: { movie_id: "mv1" },
    });
  });

  it("is undefined when the table does not have the id", async () => {
    ddbMock.on(GetCommand).resolves({});
    await expect(getCatalogMovie(ddb, "movie_infos-dev", "mv9")).resolves.toBeUndefined();
  });
});

describe("routeRequest", () => {
  it("GET /catalog/movies/{movieId}: 200 with the movie as get-movie shapes it", async () => {
    ddbMock.on(GetCommand).resolves({ Item: HEAT });
    await expect(routeRequest({ method: "GET", path: "/catalog/movies/mv1" }, deps)).resolves.toEqual({
      statusCode: 200,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(HEAT),
    });
  });

  it("decodes the id as API Gateway decodes path parameters, then validates it like get-movie", async () => {
    ddbMock.on(GetCommand).resolves({ Item: { movie_id: "a.b" } });
    await expect(routeRequest({ method: "GET", path: "/catalog/movies/a%2Eb" }, deps)).resolves.toMatchObject(
      {
        statusCode: 200,
      },
    );
    await expect(routeRequest({ method: "GET", path: "/catalog/movies/a%20b" }, deps)).rejects.toThrow(
      new ValidationError(
        'Path parameter "movieId" must be 1 to 128 characters of letters, digits, "_", "." or "-"',
      ),
    );
    await expect(routeRequest({ method: "GET", path: "/catalog/movies/" }, deps)).rejects.toThrow(
      new ValidationError('Path parameter "movieId" is required'),
    );
    await expect(routeRequest({ method: "GET", path: "/catalog/movies/%E0%A4%A" }, deps)).rejects.toThrow(
      ValidationError,
    );
    expect(ddbMock).toHaveReceivedCommandTimes(GetCommand, 1);
  });

  it("404 for a movie the table does not have, and for a path no route serves", async () => {
    ddbMock.on(GetCommand).resolves({});
    await expect(routeRequest({ method: "GET", path: "/catalog/movies/mv9" }, deps)).rejects.toThrow(
      new NotFoundError("Movie mv9 not found"),
    );
    await expect(routeRequest({ method: "GET", path: "/movies/mv1" }, deps)).rejects.toThrow(NotFoundError);
  });

  it("405 for another method on a served path; /health answers without touching the table", async () => {
    await expect(routeRequest({ method: "PATCH", path: "/catalog/movies/mv1" }, deps)).rejects.toMatchObject({
      statusCode: 405,
      message: "Method PATCH is not allowed on /catalog/movies/mv1",
    });
    await expect(routeRequest({ method: "GET", path: "/health" }, deps)).resolves.toMatchObject({
      statusCode: 200,
      body: '{"status":"ok"}',
    });
    expect(ddbMock).toHaveReceivedCommandTimes(GetCommand, 0);
  });
});
