import "../../../helpers/lambda-env";
import "../../../helpers/fan-out-env";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { handler } from "../../../../lambdas/upload-infos";
import {
  BatchEventError,
  executionName,
  recordsOfBatch,
  shouldFanOut,
  startFanOut,
} from "../../../../lambdas/upload-infos/fan-out";
import { lambdaContext } from "../../../helpers/context";
import { s3Event, s3EventRecord } from "../../../helpers/events";
import { FAN_OUT_ENV } from "../../../helpers/fan-out-env";
import { TEST_ENV } from "../../../helpers/lambda-env";
import { captureStdout } from "../../../helpers/logs";
import { s3Body } from "../../../helpers/s3";

const s3Mock = mockClient(S3Client);
const ddbMock = mockClient(DynamoDBDocumentClient);
const sfnMock = mockClient(SFNClient);
const BUCKET = TEST_ENV.MOVIE_INFOS_BUCKET;
const MACHINE = FAN_OUT_ENV.INGESTION_STATE_MACHINE_ARN;
let stdout: ReturnType<typeof captureStdout>;

beforeEach(() => {
  s3Mock.reset();
  ddbMock.reset();
  sfnMock.reset();
  ddbMock.on(BatchWriteCommand).resolves({});
  stdout = captureStdout();
});
afterEach(() => stdout.restore());

/** A record for an object of `size` bytes, version `v1`. */
function sized(key: string, size: number) {
  const record = s3EventRecord(BUCKET, key);
  return { ...record, s3: { ...record.s3, object: { ...record.s3.object, size, versionId: "v1" } } };
}

describe("shouldFanOut", () => {
  it.each([
    [1001, 1000, true],
    [1000, 1000, false],
    [0, 1000, false],
    [1001, undefined, false],
    [undefined, 1000, false],
  ])("size %p, threshold %p: %p", (size, threshold, expected) => {
    expect(shouldFanOut(size, threshold)).toBe(expected);
  });
});

describe("executionName", () => {
  const input = { bucket: "b", key: "big.csv", versionId: "v1" };

  it("is one name per object version, within Step Functions' 80 characters and alphabet", () => {
    expect(executionName(input)).toBe(executionName({ ...input }));
    expect(executionName(input)).toMatch(/^upload-[0-9a-f]{64}$/);
    expect(executionName({ ...input, versionId: "v2" })).not.toBe(executionName(input));
    expect(executionName({ ...input, key: "big.csv2" })).not.toBe(executionName(input));
  });
});

describe("startFanOut", () => {
  const input = { bucket: BUCKET, key: "big.csv", versionId: "v1" };
  const sfn = new SFNClient({ region: "eu-west-1" });

  it("starts the execution named after the upload, with the object as input", async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: "arn:x", startDate: new Date() });
    await expect(startFanOut(sfn, MACHINE, input)).resolves.toEqual({
      executionName: executionName(input),
      already: false,
      executionArn: "arn:x",
    });
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: MACHINE,
      name: executionName(input),
      input: JSON.stringify(input),
    });
  });

  it("takes ExecutionAlreadyExists as the upload's execution started before: no second one", async () => {
    sfnMock
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error("Execution Already Exists"), { name: "ExecutionAlreadyExists" }));
    await expect(startFanOut(sfn, MACHINE, input)).resolves.toEqual({
      executionName: executionName(input),
      already: true,
    });
  });

  it("throws anything else, so that Lambda retries the S3 event", async () => {
    sfnMock
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error("slow down"), { name: "ThrottlingException" }));
    await expect(startFanOut(sfn, MACHINE, input)).rejects.toThrow("slow down");
  });
});

describe("upload-infos routes by the size the event gives", () => {
  it("starts the state machine for an object above the threshold, and reads nothing itself", async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: "arn:x", startDate: new Date() });
    const result = await handler(s3Event(sized("big.csv", 1001)), lambdaContext);
    const input = { bucket: BUCKET, key: "big.csv", versionId: "v1" };
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: MACHINE,
      name: executionName(input),
      input: JSON.stringify(input),
    });
    expect(s3Mock.calls()).toHaveLength(0);
    expect(ddbMock.calls()).toHaveLength(0);
    expect(result).toEqual({
      objects: [],
      ignored: [],
      fannedOut: [{ bucket: BUCKET, key: "big.csv", executionName: executionName(input), already: false }],
    });
    expect(stdout.lines().find((line) => line.message === "fanned out upload")).toMatchObject({
      ...input,
      size: 1001,
      already: false,
    });
  });

  it("ingests an object of the threshold's size itself", async () => {
    s3Mock.on(GetObjectCommand).resolves({ Body: s3Body("mv1,Heat,US,1995-12-15\n") });
    const result = await handler(s3Event(sized("small.csv", 1000)), lambdaContext);
    expect(sfnMock.calls()).toHaveLength(0);
    expect(result).toEqual({
      objects: [{ bucket: BUCKET, key: "small.csv", written: 1, rejected: 0 }],
      ignored: [],
    });
  });

  it("fails the event when the execution cannot be started, so that Lambda retries it", async () => {
    sfnMock
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error("down"), { name: "ServiceUnavailable" }));
    await expect(handler(s3Event(sized("big.csv", 5000)), lambdaContext)).rejects.toThrow("down");
  });
});

describe("recordsOfBatch", () => {
  const BatchInput = { bucket: "b", key: "big.csv", versionId: "v1" };
  const row = (movie_id: string, name = "N", country_of_origin = "US", release_date = "2001-01-01") => ({
    movie_id,
    name,
    country_of_origin,
    release_date,
  });

  it("numbers each record's line from its index and lists its fields in column order", () => {
    expect(
      recordsOfBatch({
        BatchInput,
        Items: [
          { index: 0, row: row("movie_id", "name", "x", "y") },
          { index: 41, row: row("mv1") },
        ],
      }),
    ).toEqual({
      input: BatchInput,
      records: [
        { line: 1, fields: ["movie_id", "name", "x", "y"] },
        { line: 42, fields: ["mv1", "N", "US", "2001-01-01"] },
      ],
    });
  });

  it("stops a short record's fields at its first missing column, so the row rules reject it", () => {
    expect(
      recordsOfBatch({ BatchInput, Items: [{ index: 3, row: { movie_id: "mv1", name: "N" } }] }).records,
    ).toEqual([{ line: 4, fields: ["mv1", "N"] }]);
  });

  it.each([
    [null, "the batch event is not an object"],
    [{ Items: [] }, "BatchInput must hold bucket, key and versionId strings"],
    [{ BatchInput, Items: {} }, "Items must be an array"],
    [
      { BatchInput, Items: [{ index: -1, row: {} }] },
      "Items[0] must be { index: a non-negative integer, row: an object }",
    ],
    [
      { BatchInput, Items: [{ index: 1 }] },
      "Items[0] must be { index: a non-negative integer, row: an object }",
    ],
  ])("refuses %j: %s", (event, message) => {
    expect(() => recordsOfBatch(event)).toThrow(new BatchEventError(message));
  });
});
