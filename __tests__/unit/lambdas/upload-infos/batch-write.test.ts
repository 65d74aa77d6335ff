import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  type BatchWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { DeadlineExceededError, type Deadline } from "../../../../lambdas/shared/deadline";
import {
  isRetryableWriteError,
  writeBatch,
  type LocatedItem,
} from "../../../../lambdas/upload-infos/batch-write";

const TABLE = "movie_infos";
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1" }));
const ddbMock = mockClient(DynamoDBDocumentClient);

const entry = (id: string, line: number): LocatedItem => ({
  item: { movie_id: id, name: `Movie ${id}`, release_date: "2001-01-01" },
  line,
});
const idsOf = (input: BatchWriteCommandInput) =>
  (input.RequestItems?.[TABLE] ?? []).map((request) => String(request.PutRequest?.Item?.movie_id));
const named = (name: string, message = name) => Object.assign(new Error(message), { name });

/** A deadline on a clock that only the recorded sleeps advance. */
function fakeDeadline(budgetMs: number) {
  let now = 0;
  const controller = new AbortController();
  const sleeps: number[] = [];
  const deadline: Deadline = { remainingMs: () => budgetMs - now, signal: controller.signal };
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    now += ms;
  };
  return { deadline, sleeps, sleep, controller };
}

beforeEach(() => {
  ddbMock.reset();
});

describe("writeBatch", () => {
  it("keeps retrying throttling and UnprocessedItems while the deadline allows, with growing delays", async () => {
    const { deadline, sleeps, sleep } = fakeDeadline(60_000);
    ddbMock
      .on(BatchWriteCommand)
      .rejectsOnce(named("ProvisionedThroughputExceededException"))
      .rejectsOnce(named("ThrottlingException"))
      .callsFakeOnce(async (input: BatchWriteCommandInput) => ({
        UnprocessedItems: { [TABLE]: (input.RequestItems?.[TABLE] ?? []).slice(1) },
      }))
      .rejectsOnce(named("TimeoutError"))
      .resolves({});
    const rejected: unknown[] = [];

    const written = await writeBatch(ddb, TABLE, [entry("a", 1), entry("b", 2), entry("c", 3)], {
      deadline,
      delays: { baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.99, sleep },
      onRejected: (...args) => rejected.push(args),
    });

    expect(written).toBe(3);
    expect(rejected).toEqual([]);
    expect(ddbMock.commandCalls(BatchWriteCommand).map((call) => idsOf(call.args[0].input))).toEqual([
      ["a", "b", "c"],
      ["a", "b", "c"],
      ["a", "b", "c"],
      ["b", "c"],
      ["b", "c"],
    ]);
    expect(sleeps).toEqual([99, 198, 396, 792]);
  });

  it("stops with DeadlineExceededError, the last error as its cause, when the next delay would pass the deadline", async () => {
    const { deadline, sleeps, sleep } = fakeDeadline(2_500);
    const throttled = named("ProvisionedThroughputExceededException");
    ddbMock.on(BatchWriteCommand).rejects(throttled);

    const error = await writeBatch(ddb, TABLE, [entry("a", 1)], {
      deadline,
      delays: { baseDelayMs: 1_000, maxDelayMs: 1_000, random: () => 0.99, sleep },
      onRejected: () => undefined,
    }).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as Error).message).toBe(
      "BatchWriteItem on movie_infos still had 1 items to write after 3 attempts when the invocation's time ran out",
    );
    expect((error as Error).cause).toBe(throttled);
    expect(sleeps).toEqual([990, 990]);
  });

  it("turns a call aborted at the deadline into DeadlineExceededError", async () => {
    const { deadline, controller } = fakeDeadline(60_000);
    ddbMock.on(BatchWriteCommand).callsFake(async () => {
      controller.abort();
      throw named("AbortError", "Request aborted");
    });
    await expect(
      writeBatch(ddb, TABLE, [entry("a", 1)], { deadline, onRejected: () => undefined }),
    ).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(ddbMock).toHaveReceivedCommandTimes(BatchWriteCommand, 1);
  });

  it("splits a batch DynamoDB refuses until the refused row stands alone, and writes the others", async () => {
    const { deadline } = fakeDeadline(60_000);
    ddbMock.on(BatchWriteCommand).callsFake(async (input: BatchWriteCommandInput) => {
      if (idsOf(input).includes("bad"))
        throw named("ValidationException", "Item size has exceeded the maximum allowed size");
      return {};
    });
    const rejected: [number, string][] = [];
    const entries = ["a", "b", "c", "bad", "e", "f"].map((id, index) => entry(id, index + 10));

    const written = await writeBatch(ddb, TABLE, entries, {
      deadline,
      onRejected: (line, reason) => rejected.push([line, reason]),
    });

    expect(written).toBe(5);
    expect(rejected).toEqual([
      [13, "DynamoDB refused the item: Item size has exceeded the maximum allowed size"],
    ]);
    expect(ddbMock.commandCalls(BatchWriteCommand).map((call) => idsOf(call.args[0].input))).toEqual([
      ["a", "b", "c", "bad", "e", "f"],
      ["a", "b", "c"],
      ["bad", "e", "f"],
      ["bad", "e"],
      ["bad"],
      ["e"],
      ["f"],
    ]);
  });

  it("throws other errors at once", async () => {
    const { deadline } = fakeDeadline(60_000);
    ddbMock.on(BatchWriteCommand).rejects(named("ResourceNotFoundException", "Requested resource not found"));
    await expect(
      writeBatch(ddb, TABLE, [entry("a", 1)], { deadline, onRejected: () => undefined }),
    ).rejects.toThrow("Requested resource not found");
    expect(ddbMock).toHaveReceivedCommandTimes(BatchWriteCommand, 1);
  });
});

describe("isRetryableWriteError", () => {
  it.each([
    [named("ProvisionedThroughputExceededException"), true],
    [named("ThrottlingException"), true],
    [named("RequestLimitExceeded"), true],
    [named("InternalServerError"), true],
    [named("TimeoutError"), true],
    [Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), true],
    [Object.assign(new Error("Bad Gateway"), { $metadata: { httpStatusCode: 502 } }), true],
    [named("AbortError"), false],
    [named("ValidationException"), false],
    [named("ResourceNotFoundException"), false],
    [new Error("plain"), false],
    ["a string", false],
  ])("%p → %p", (error, retryable) => {
    expect(isRetryableWriteError(error)).toBe(retryable);
  });
});
