import "../../../helpers/lambda-env";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { decodeS3Key, handler, MAX_LOGGED_REJECTS } from "../../../../lambdas/upload-infos";
import { lambdaContext } from "../../../helpers/context";
import { s3Event, s3EventRecord } from "../../../helpers/events";
import { TEST_ENV } from "../../../helpers/lambda-env";
import { captureStdout } from "../../../helpers/logs";
import { s3Body } from "../../../helpers/s3";

const s3Mock = mockClient(S3Client);
const ddbMock = mockClient(DynamoDBDocumentClient);
const BUCKET = TEST_ENV.MOVIE_INFOS_BUCKET;
let stdout: ReturnType<typeof captureStdout>;

beforeEach(() => {
  s3Mock.reset();
  ddbMock.reset();
  ddbMock.on(BatchWriteCommand).resolves({});
  stdout = captureStdout();
});
afterEach(() => {
  stdout.restore();
});

describe("decodeS3Key", () => {
  it.each([
    ["movie-infos.csv", "movie-infos.csv"],
    ["uploads/my+movies.csv", "uploads/my movies.csv"],
    ["films%2B%C3%A9t%C3%A9+2024.csv", "films+été 2024.csv"],
    ["%E5%8D%83%E3%81%A8.csv", "千と.csv"],
  ])("decodes %p to %p", (key, decoded) => {
    expect(decodeS3Key(key)).toBe(decoded);
  });
});

describe("upload-infos handler", () => {
  it("ingests the object named by the event, decoding its key, and logs one summary", async () => {
    s3Mock
      .on(GetObjectCommand)
      .resolves({ Body: s3Body("mv1,Heat,US,1995-12-15\nmv2,Alien,UK,1979-13-01\n") });

    const result = await handler(
      s3Event(s3EventRecord(BUCKET, "uploads/%C3%A9t%C3%A9+movies.csv")),
      lambdaContext,
    );

    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, {
      Bucket: BUCKET,
      Key: "uploads/été movies.csv",
    });
    expect(ddbMock).toHaveReceivedCommandWith(BatchWriteCommand, {
      RequestItems: {
        [TEST_ENV.MOVIE_INFOS_TABLE]: [
          {
            PutRequest: {
              Item: { movie_id: "mv1", name: "Heat", country_of_origin: "US", release_date: "1995-12-15" },
            },
          },
        ],
      },
    });
    expect(result).toEqual({
      objects: [{ bucket: BUCKET, key: "uploads/été movies.csv", written: 1, rejected: 1 }],
      ignored: [],
    });
    expect(stdout.lines()).toEqual([
      {
        level: "INFO",
        timestamp: expect.any(String),
        message: "ingested movie infos",
        service: "upload-infos",
        cold_start: false,
        function_name: lambdaContext.functionName,
        function_memory_size: lambdaContext.memoryLimitInMB,
        requestId: lambdaContext.awsRequestId,
        bucket: BUCKET,
        key: "uploads/été movies.csv",
        lines: 2,
        written: 1,
        superseded: 0,
        skipped: 0,
        rejectedCount: 1,
        rejected: [{ line: 2, reason: 'release_date "1979-13-01" is not a valid YYYY-MM-DD date' }],
      },
    ]);
  });

  it("ignores, and logs, records from another bucket, for other events or for keys that are not .csv", async () => {
    const result = await handler(
      s3Event(
        s3EventRecord("someone-elses-bucket", "movies.csv"),
        s3EventRecord(BUCKET, "gone.csv", "ObjectRemoved:Delete"),
        s3EventRecord(BUCKET, "movies.xlsx"),
        s3EventRecord(BUCKET, "movies.csv.gz"),
      ),
      lambdaContext,
    );

    expect(s3Mock.calls()).toHaveLength(0);
    expect(ddbMock.calls()).toHaveLength(0);
    expect(result).toEqual({
      objects: [],
      ignored: [
        { bucket: "someone-elses-bucket", key: "movies.csv", reason: "unexpected bucket" },
        { bucket: BUCKET, key: "gone.csv", reason: "unexpected event ObjectRemoved:Delete" },
        { bucket: BUCKET, key: "movies.xlsx", reason: "not a .csv key" },
        { bucket: BUCKET, key: "movies.csv.gz", reason: "not a .csv key" },
      ],
    });
    expect(stdout.lines()).toEqual([
      expect.objectContaining({
        level: "WARN",
        message: "ignored S3 record",
        bucket: "someone-elses-bucket",
        reason: "unexpected bucket",
      }),
      expect.objectContaining({
        level: "WARN",
        message: "ignored S3 record",
        bucket: BUCKET,
        key: "gone.csv",
      }),
      expect.objectContaining({ level: "WARN", key: "movies.xlsx", reason: "not a .csv key" }),
      expect.objectContaining({ level: "WARN", key: "movies.csv.gz", reason: "not a .csv key" }),
    ]);
  });

  it("reads a .csv key in any case when it is given one (the notification itself only sends .csv)", async () => {
    s3Mock.on(GetObjectCommand).resolves({ Body: s3Body("mv1,Heat,US,1995-12-15\n") });
    const result = await handler(s3Event(s3EventRecord(BUCKET, "MOVIES.CSV")), lambdaContext);
    expect(result.objects).toEqual([{ bucket: BUCKET, key: "MOVIES.CSV", written: 1, rejected: 0 }]);
  });

  it("reads the version the event names, and logs it with the summary", async () => {
    s3Mock.on(GetObjectCommand).resolves({ Body: s3Body("mv1,Heat,US,1995-12-15\n") });
    const record = s3EventRecord(BUCKET, "a.csv");
    record.s3.object.versionId = "3HL4kqtJlcpXroDTDmJ";

    await handler(s3Event(record), lambdaContext);

    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, {
      Bucket: BUCKET,
      Key: "a.csv",
      VersionId: "3HL4kqtJlcpXroDTDmJ",
    });
    expect(stdout.lines()).toEqual([
      expect.objectContaining({
        message: "ingested movie infos",
        key: "a.csv",
        versionId: "3HL4kqtJlcpXroDTDmJ",
      }),
    ]);
  });

  it("logs and counts an object deleted before it was read, without failing, and goes on with the next record", async () => {
    s3Mock
      .on(GetObjectCommand, { Key: "gone.csv" })
      .rejects(Object.assign(new Error("The specified key does not exist."), { name: "NoSuchKey" }))
      .on(GetObjectCommand, { Key: "b.csv" })
      .resolves({ Body: s3Body("mv2,Alien,UK,1979-05-25\n") });

    const result = await handler(
      s3Event(s3EventRecord(BUCKET, "gone.csv"), s3EventRecord(BUCKET, "b.csv")),
      lambdaContext,
    );

    expect(result).toEqual({
      objects: [{ bucket: BUCKET, key: "b.csv", written: 1, rejected: 0 }],
      ignored: [{ bucket: BUCKET, key: "gone.csv", reason: "object not found (deleted before it was read)" }],
    });
    expect(stdout.lines().map((line) => [line.level, line.message, line.key])).toEqual([
      ["WARN", "ignored S3 record", "gone.csv"],
      ["INFO", "ingested movie infos", "b.csv"],
    ]);
  });

  it("processes every record when one fails, then throws that failure so Lambda retries the event", async () => {
    s3Mock
      .on(GetObjectCommand, { Key: "a.csv" })
      .rejects(Object.assign(new Error("Please reduce your request rate."), { name: "SlowDown" }))
      .on(GetObjectCommand, { Key: "b.csv" })
      .resolves({ Body: s3Body("mv2,Alien,UK,1979-05-25\n") });

    await expect(
      handler(s3Event(s3EventRecord(BUCKET, "a.csv"), s3EventRecord(BUCKET, "b.csv")), lambdaContext),
    ).rejects.toThrow("Please reduce your request rate.");

    expect(ddbMock).toHaveReceivedCommandTimes(BatchWriteCommand, 1);
    expect(stdout.lines().map((line) => [line.level, line.message, line.key])).toEqual([
      ["ERROR", "ingestion failed", "a.csv"],
      ["INFO", "ingested movie infos", "b.csv"],
    ]);
  });

  it("throws an AggregateError naming how many objects failed when several do", async () => {
    s3Mock.on(GetObjectCommand).rejects(Object.assign(new Error("Access Denied"), { name: "AccessDenied" }));
    const error = await handler(
      s3Event(s3EventRecord(BUCKET, "a.csv"), s3EventRecord(BUCKET, "b.csv"), s3EventRecord(BUCKET, "c.csv")),
      lambdaContext,
    ).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).message).toBe("3 of 3 objects failed");
    expect((error as AggregateError).errors).toHaveLength(3);
  });

  it("processes every record of the event, each with its own summary", async () => {
    s3Mock
      .on(GetObjectCommand, { Key: "a.csv" })
      .resolves({ Body: s3Body("mv1,Heat,US,1995-12-15\n") })
      .on(GetObjectCommand, { Key: "b.csv" })
      .resolves({ Body: s3Body("mv2,Alien,UK,1979-05-25\nmv3,Up,US,2009-05-29\n") });

    const result = await handler(
      s3Event(s3EventRecord(BUCKET, "a.csv"), s3EventRecord(BUCKET, "b.csv")),
      lambdaContext,
    );

    expect(result.objects).toEqual([
      { bucket: BUCKET, key: "a.csv", written: 1, rejected: 0 },
      { bucket: BUCKET, key: "b.csv", written: 2, rejected: 0 },
    ]);
    expect(stdout.lines().map((line) => [line.key, line.written])).toEqual([
      ["a.csv", 1],
      ["b.csv", 2],
    ]);
  });

  it(`lists at most ${MAX_LOGGED_REJECTS} rejects in the log but counts them all`, async () => {
    const badRows = Array.from({ length: 150 }, (_, index) => `mv${index},Bad,US,not-a-date`).join("\n");
    s3Mock.on(GetObjectCommand).resolves({ Body: s3Body(badRows) });

    const result = await handler(s3Event(s3EventRecord(BUCKET, "bad.csv")), lambdaContext);

    expect(result.objects).toEqual([{ bucket: BUCKET, key: "bad.csv", written: 0, rejected: 150 }]);
    const [summary] = stdout.lines();
    expect(summary?.rejectedCount).toBe(150);
    expect(summary?.rejected).toHaveLength(100);
    expect((summary?.rejected as { line: number }[])[99]).toEqual({
      line: 100,
      reason: 'release_date "not-a-date" is not a valid YYYY-MM-DD date',
    });
  });

  it("throws when DynamoDB fails", async () => {
    s3Mock.on(GetObjectCommand).resolves({ Body: s3Body("mv1,Heat,US,1995-12-15\n") });
    ddbMock.on(BatchWriteCommand).rejects(new Error("ResourceNotFoundException"));
    await expect(handler(s3Event(s3EventRecord(BUCKET, "a.csv")), lambdaContext)).rejects.toThrow(
      "ResourceNotFoundException",
    );
  });

  it("returns an empty result for an event without records", async () => {
    await expect(handler({ Records: [] }, lambdaContext)).resolves.toEqual({ objects: [], ignored: [] });
  });
});

describe("module init", () => {
  it.each(["MOVIE_INFOS_TABLE", "MOVIE_INFOS_BUCKET"])("fails naming %s when it is unset", (name) => {
    delete process.env[name];
    try {
      jest.isolateModules(() => {
        expect(() => jest.requireActual("../../../../lambdas/upload-infos")).toThrow(
          `Missing required environment variable ${name}`,
        );
      });
    } finally {
      Object.assign(process.env, TEST_ENV);
    }
  });
});
