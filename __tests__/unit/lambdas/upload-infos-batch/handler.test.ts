import "../../../helpers/lambda-env";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { handler } from "../../../../lambdas/upload-infos-batch";
import { BatchEventError } from "../../../../lambdas/upload-infos/fan-out";
import { lambdaContext } from "../../../helpers/context";
import { TEST_ENV } from "../../../helpers/lambda-env";
import { captureStdout } from "../../../helpers/logs";

const ddbMock = mockClient(DynamoDBDocumentClient);
const BatchInput = { bucket: TEST_ENV.MOVIE_INFOS_BUCKET, key: "big.csv", versionId: "v1" };
let stdout: ReturnType<typeof captureStdout>;

beforeEach(() => {
  ddbMock.reset();
  ddbMock.on(BatchWriteCommand).resolves({});
  stdout = captureStdout();
});
afterEach(() => stdout.restore());

const item = (index: number, movie_id: string, release_date = "2001-01-01") => ({
  index,
  row: { movie_id, name: `Movie ${movie_id}`, country_of_origin: "US", release_date },
});

describe("upload-infos-batch handler", () => {
  it("skips the header on line 1, writes the valid rows, and rejects the others with their lines", async () => {
    const event = {
      BatchInput,
      Items: [
        {
          index: 0,
          row: {
            movie_id: "movie_id",
            name: "name",
            country_of_origin: "country_of_origin",
            release_date: "release_date",
          },
        },
        item(1, "mv1"),
        item(2, "mv2", "2001-13-01"),
        { index: 3, row: { movie_id: "mv3", name: "Short" } },
        item(4, "mv4"),
      ],
    };
    const result = await handler(event, lambdaContext);
    expect(result).toEqual({
      ...BatchInput,
      firstLine: 1,
      lastLine: 5,
      lines: 5,
      written: 2,
      superseded: 0,
      skipped: 1,
      rejectedCount: 2,
      rejected: [
        { line: 3, reason: 'release_date "2001-13-01" is not a valid YYYY-MM-DD date' },
        { line: 4, reason: "expected 4 columns, got 2" },
      ],
    });
    expect(ddbMock).toHaveReceivedCommandWith(BatchWriteCommand, {
      RequestItems: {
        [TEST_ENV.MOVIE_INFOS_TABLE]: [
          {
            PutRequest: {
              Item: {
                movie_id: "mv1",
                name: "Movie mv1",
                country_of_origin: "US",
                release_date: "2001-01-01",
              },
            },
          },
          {
            PutRequest: {
              Item: {
                movie_id: "mv4",
                name: "Movie mv4",
                country_of_origin: "US",
                release_date: "2001-01-01",
              },
            },
          },
        ],
      },
    });
    expect(stdout.lines().find((line) => line.message === "ingested movie infos")).toMatchObject({
      ...BatchInput,
      firstLine: 1,
      lastLine: 5,
      written: 2,
      rejectedCount: 2,
    });
  });

  it("takes a header-like row after line 1 as a bad row, as the small path does", async () => {
    const event = {
      BatchInput,
      Items: [
        {
          index: 1000,
          row: { movie_id: "movie_id", name: "name", country_of_origin: "c", release_date: "release_date" },
        },
      ],
    };
    const result = await handler(event, lambdaContext);
    expect(result).toMatchObject({ written: 0, skipped: 0, rejectedCount: 1, rejected: [{ line: 1001 }] });
  });

  it("fails the batch when DynamoDB fails, so that the map retries it and reports it if it keeps failing", async () => {
    ddbMock
      .on(BatchWriteCommand)
      .rejects(Object.assign(new Error("no such table"), { name: "ResourceNotFoundException" }));
    await expect(handler({ BatchInput, Items: [item(5, "mv5")] }, lambdaContext)).rejects.toThrow(
      "no such table",
    );
    expect(stdout.lines().find((line) => line.message === "ingestion failed")).toMatchObject({
      firstLine: 6,
      lastLine: 6,
    });
  });

  it("refuses an event that is not a batch of this state machine", async () => {
    await expect(handler({ Items: [] }, lambdaContext)).rejects.toThrow(BatchEventError);
    expect(ddbMock.calls()).toHaveLength(0);
  });
});
