import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  type BatchWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DeadlineExceededError, deadlineIn } from "../../../../lambdas/shared/deadline";
import type { MovieInfo } from "../../../../lambdas/shared/movies";
import { ObjectNotFoundError } from "../../../../lambdas/upload-infos/body";
import { UNCLOSED_QUOTE_REASON } from "../../../../lambdas/upload-infos/csv-line";
import {
  ingestMovieInfos,
  MAX_BATCH_BYTES,
  MAX_KEPT_REJECTIONS,
  type IngestParams,
} from "../../../../lambdas/upload-infos/ingest";
import { MAX_LINE_BYTES } from "../../../../lambdas/upload-infos/lines";
import { failingS3Body, s3Body } from "../../../helpers/s3";

const TABLE = "movie_infos";
const BUCKET = "movie-infos";
const KEY = "uploads/movies.csv";
const s3 = new S3Client({ region: "eu-west-1" });
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1" }));
const s3Mock = mockClient(S3Client);
const ddbMock = mockClient(DynamoDBDocumentClient);
const noSleep = { sleep: async () => undefined };
/** Every test runs against a short deadline, so a retry loop that never ends fails the test instead of hanging. */
const deadline = () => deadlineIn(5_000);

const fixture = (name: string) => readFileSync(join(__dirname, "../../../fixtures", name));

beforeEach(() => {
  s3Mock.reset();
  ddbMock.reset();
  ddbMock.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
});

/** Runs the ingestion of an object whose content arrives as `chunks`. */
function ingest(chunks: (string | Buffer)[], params: Partial<IngestParams> = {}) {
  s3Mock.on(GetObjectCommand).resolves({ Body: s3Body(...chunks) });
  return ingestMovieInfos({
    s3,
    ddb,
    bucket: BUCKET,
    key: KEY,
    table: TABLE,
    retry: noSleep,
    deadline: deadline(),
    ...params,
  });
}

/** The items of each BatchWriteItem call, in call order. */
function batches(): MovieInfo[][] {
  return ddbMock.commandCalls(BatchWriteCommand).map((call) => {
    const requests = (call.args[0].input as BatchWriteCommandInput).RequestItems?.[TABLE] ?? [];
    return requests.map((request) => request.PutRequest?.Item as MovieInfo);
  });
}

const movie = (id: string, name = `Movie ${id}`): MovieInfo => ({
  movie_id: id,
  name,
  country_of_origin: "United States",
  release_date: "2014-10-26",
});
const csvRow = (item: MovieInfo) =>
  `${item.movie_id},${item.name},${item.country_of_origin},${item.release_date}`;

describe("ingestMovieInfos", () => {
  it("writes the workshop file with one BatchWriteItem and reads the object it was given", async () => {
    const summary = await ingest([fixture("movie-infos.csv")]);

    expect(summary).toEqual({
      bucket: BUCKET,
      key: KEY,
      lines: 3,
      written: 3,
      superseded: 0,
      skipped: 0,
      rejectedCount: 0,
      rejected: [],
    });
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: BUCKET, Key: KEY });
    expect(ddbMock).toHaveReceivedCommandTimes(BatchWriteCommand, 1);
    expect(ddbMock).toHaveReceivedCommandWith(BatchWriteCommand, {
      RequestItems: {
        movie_infos: [
          {
            PutRequest: {
              Item: {
                movie_id: "mv1",
                name: "Interstellar",
                country_of_origin: "United States",
                release_date: "2014-10-26",
              },
            },
          },
          {
            PutRequest: {
              Item: {
                movie_id: "mv2",
                name: "The Dark Knight Rises",
                country_of_origin: "United States",
                release_date: "2012-07-16",
              },
            },
          },
          {
            PutRequest: {
              Item: {
                movie_id: "mv3",
                name: "The Prestige",
                country_of_origin: "United Kingdom",
                release_date: "2006-10-17",
              },
            },
          },
        ],
      },
    });
  });

  it("skips the header, keeps quoted commas, escaped quotes and non-ASCII titles, and reports bad rows by line", async () => {
    const summary = await ingest([fixture("mixed-movie-infos.csv")]);

    expect(batches()).toEqual([
      [
        {
          movie_id: "mv10",
          name: "Crouching Tiger, Hidden Dragon",
          country_of_origin: "Taiwan",
          release_date: "2000-07-06",
        },
        {
          movie_id: "mv11",
          name: 'The "Best" Years of Our Lives',
          country_of_origin: "United States",
          release_date: "1946-11-21",
        },
        { movie_id: "mv12", name: "Amélie", country_of_origin: "France", release_date: "2001-04-25" },
        {
          movie_id: "mv13",
          name: "千と千尋の神隠し",
          country_of_origin: "Japan",
          release_date: "2001-07-20",
        },
        { movie_id: "mv17", name: "No Country", release_date: "2024-02-29" },
      ],
    ]);
    expect(summary).toEqual({
      bucket: BUCKET,
      key: KEY,
      lines: 9,
      written: 5,
      superseded: 0,
      skipped: 1,
      rejectedCount: 3,
      rejected: [
        { line: 6, reason: "expected 4 columns, got 3" },
        { line: 7, reason: "expected 4 columns, got 5" },
        { line: 8, reason: 'release_date "2023-02-29" is not a valid YYYY-MM-DD date' },
      ],
    });
  });

  it("handles a BOM, CRLF, blank lines and a last line without a newline", async () => {
    const csv =
      "\uFEFFmovie_id,name,country_of_origin,release_date\r\n\r\nmv1,Heat,US,1995-12-15\r\n   \r\nmv2,Alien,UK,1979-05-25\r\n\r\nmv3,Bad,US,1979-13-01";
    const summary = await ingest([csv]);

    expect(batches()).toEqual([
      [
        { movie_id: "mv1", name: "Heat", country_of_origin: "US", release_date: "1995-12-15" },
        { movie_id: "mv2", name: "Alien", country_of_origin: "UK", release_date: "1979-05-25" },
      ],
    ]);
    expect(summary.rejected).toEqual([
      { line: 4, reason: "expected 4 columns, got 1" },
      { line: 7, reason: 'release_date "1979-13-01" is not a valid YYYY-MM-DD date' },
    ]);
  });

  it("accepts a file whose only BOM-prefixed line is data", async () => {
    const summary = await ingest(["\uFEFFmv1,Heat,US,1995-12-15\n"]);
    expect(summary).toMatchObject({ lines: 1, written: 1, skipped: 0, rejectedCount: 0, rejected: [] });
    expect(batches()).toEqual([
      [{ movie_id: "mv1", name: "Heat", country_of_origin: "US", release_date: "1995-12-15" }],
    ]);
  });

  it("parses across chunk boundaries, even inside a multi-byte character and a CRLF", async () => {
    const bytes = Buffer.from("mv1,Amélie,France,2001-04-25\r\nmv2,千と千尋,Japan,2001-07-20\r\n");
    const cut1 = bytes.indexOf(Buffer.from("é")) + 1;
    const cut2 = bytes.indexOf("\r\n") + 1;
    const cut3 = bytes.indexOf(Buffer.from("千")) + 2;
    const summary = await ingest([
      bytes.subarray(0, cut1),
      bytes.subarray(cut1, cut2),
      bytes.subarray(cut2, cut3),
      bytes.subarray(cut3),
    ]);

    expect(summary.rejected).toEqual([]);
    expect(batches()).toEqual([
      [
        { movie_id: "mv1", name: "Amélie", country_of_origin: "France", release_date: "2001-04-25" },
        { movie_id: "mv2", name: "千と千尋", country_of_origin: "Japan", release_date: "2001-07-20" },
      ],
    ]);
  });

  it("reads a row as one line: a quote left open rejects its line only, and the next line is a row again", async () => {
    const csv =
      'mv1,"Two\r\nLines",US,2001-01-01\r\nmv2,Heat,US,1995-12-15\r\nmv3,"Unclosed,US,2001-01-01\nmv4,Up,US,2009-05-29\n';
    const summary = await ingest([csv]);
    expect(batches()).toEqual([
      [
        { movie_id: "mv2", name: "Heat", country_of_origin: "US", release_date: "1995-12-15" },
        { movie_id: "mv4", name: "Up", country_of_origin: "US", release_date: "2009-05-29" },
      ],
    ]);
    expect(summary.rejected).toEqual([
      { line: 1, reason: UNCLOSED_QUOTE_REASON },
      { line: 2, reason: "expected 4 columns, got 3" },
      { line: 4, reason: UNCLOSED_QUOTE_REASON },
    ]);
  });

  it("keeps stray quotes in unquoted fields as text, so one cannot swallow the rows after it", async () => {
    const csv =
      'mv1,Heat,US,1995-12-15\nmv2,Al"ien,UK,1979-05-25\nmv3,"Se7en"x,US,1995-09-22\nmv4,Up,US,2009-05-29\n';
    const summary = await ingest([csv]);
    expect(batches()).toEqual([
      [
        { movie_id: "mv1", name: "Heat", country_of_origin: "US", release_date: "1995-12-15" },
        { movie_id: "mv2", name: 'Al"ien', country_of_origin: "UK", release_date: "1979-05-25" },
        { movie_id: "mv3", name: '"Se7en"x', country_of_origin: "US", release_date: "1995-09-22" },
        { movie_id: "mv4", name: "Up", country_of_origin: "US", release_date: "2009-05-29" },
      ],
    ]);
    expect(summary.rejected).toEqual([]);
  });

  it("accounts for every physical line: lines = written + superseded + skipped + rejected", async () => {
    const csv = [
      "movie_id,name,country_of_origin,release_date", // 1 skipped (header)
      "mv1,Heat,US,1995-12-15", // 2 superseded by line 6
      "", // 3 skipped (blank)
      'mv2,"Open,US,2001-01-01', // 4 rejected
      "mv3,Alien,UK,1979-05-25", // 5 written
      "mv1,Heat (remastered),US,1995-12-15", // 6 written
      "\r", // 7 skipped (blank, CRLF)
      "mv4,Bad,US,2001-02-30", // 8 rejected
    ].join("\n");
    const summary = await ingest([csv]);
    expect(summary).toMatchObject({ lines: 8, written: 2, superseded: 1, skipped: 3, rejectedCount: 2 });
    expect(summary.written + summary.superseded + summary.skipped + summary.rejectedCount).toBe(
      summary.lines,
    );
  });

  it("treats the header only as the first record; later, it is a bad row", async () => {
    const summary = await ingest(["mv1,Heat,US,1995-12-15\nmovie_id,name,country_of_origin,release_date\n"]);
    expect(summary.written).toBe(1);
    expect(summary.rejected).toEqual([
      { line: 2, reason: 'release_date "release_date" is not a valid YYYY-MM-DD date' },
    ]);
  });

  // csv-parse took the first record's column count for the file's; with relax_column_count it then built an
  // error with a stack trace for every later row (26 µs a row, issue 13). Our parser reads each line alone.
  it("lets a first line of another column count cost only itself: later rows are read as in the clean file", async () => {
    const clean = Array.from(
      { length: 60 },
      (_, i) => `mv${i + 1},"Movie ${i + 1}, the sequel",US,2001-01-01\n`,
    );
    const cleanSummary = await ingest([clean.join("")]);
    const cleanBatches = batches();
    ddbMock.resetHistory();
    const captureStackTrace = jest.spyOn(Error, "captureStackTrace");

    const summary = await ingest([`1f40\n${clean.join("")}`]);

    expect(batches()).toEqual(cleanBatches);
    expect(cleanSummary).toMatchObject({ lines: 60, written: 60, rejectedCount: 0 });
    expect(summary).toMatchObject({
      lines: 61,
      written: 60,
      skipped: 0,
      rejectedCount: 1,
      rejected: [{ line: 1, reason: "expected 4 columns, got 1" }],
    });
    // No error object is built for any row (csv-parse's CsvError captured a stack trace per relaxed row).
    expect(captureStackTrace).not.toHaveBeenCalled();
    captureStackTrace.mockRestore();
  });

  it("rejects rows with missing and extra columns, an empty id, an empty name and bad ids", async () => {
    const csv = [
      "mv1,Heat,US",
      "mv2,Alien,UK,1979-05-25,R",
      ",Nameless,US,2001-01-01",
      "mv4,,US,2001-01-01",
      "mv 5,Spaced,US,2001-01-01",
      "mv6",
    ].join("\n");
    const summary = await ingest([csv]);
    expect(ddbMock).toHaveReceivedCommandTimes(BatchWriteCommand, 0);
    expect(summary).toEqual({
      bucket: BUCKET,
      key: KEY,
      lines: 6,
      written: 0,
      superseded: 0,
      skipped: 0,
      rejectedCount: 6,
      rejected: [
        { line: 1, reason: "expected 4 columns, got 3" },
        { line: 2, reason: "expected 4 columns, got 5" },
        { line: 3, reason: "movie_id is empty" },
        { line: 4, reason: "name is empty" },
        { line: 5, reason: 'movie_id must be 1 to 128 characters of letters, digits, "_", "." or "-"' },
        { line: 6, reason: "expected 4 columns, got 1" },
      ],
    });
  });

  it("counts every rejected row but keeps only the first MAX_KEPT_REJECTIONS, by line", async () => {
    const badRows = 2 * MAX_KEPT_REJECTIONS + 500;
    const csv = Array.from({ length: badRows }, (_, i) => `mv${i},Title,Country,2020-02-30\n`).join("");
    const summary = await ingest([csv]);
    expect(summary.written).toBe(0);
    expect(summary.rejectedCount).toBe(badRows);
    expect(summary.rejected).toHaveLength(MAX_KEPT_REJECTIONS);
    expect(summary.rejected[0]).toEqual({
      line: 1,
      reason: 'release_date "2020-02-30" is not a valid YYYY-MM-DD date',
    });
    expect(summary.rejected.at(-1)?.line).toBe(MAX_KEPT_REJECTIONS);
  });

  it.each([
    ["an empty file", [""]],
    ["a file with only blank lines", ["\n\r\n\n"]],
    ["a file with only the header", ["movie_id,name,country_of_origin,release_date\r\n"]],
    ["a file with only a BOM", ["\uFEFF"]],
  ])("writes nothing for %s", async (_label, chunks) => {
    await expect(ingest(chunks)).resolves.toMatchObject({ written: 0, rejectedCount: 0, rejected: [] });
    expect(ddbMock.calls()).toHaveLength(0);
  });

  it("writes 60 rows in three batches of 25, 25 and 10", async () => {
    const items = Array.from({ length: 60 }, (_, index) => movie(`mv${index + 1}`));
    const summary = await ingest([items.map(csvRow).join("\n")]);

    expect(summary).toMatchObject({ lines: 60, written: 60, rejectedCount: 0, rejected: [] });
    expect(batches()).toEqual([items.slice(0, 25), items.slice(25, 50), items.slice(50)]);
  });

  it("lets the last row win for a repeated id and never sends one key twice in a request", async () => {
    const csv = [
      csvRow(movie("mv1", "First")),
      csvRow(movie("mv2")),
      csvRow(movie("mv1", "Second")),
      csvRow(movie("mv3")),
      csvRow(movie("mv1", "Third")),
    ].join("\n");
    const summary = await ingest([csv]);

    expect(batches()).toEqual([[movie("mv1", "Third"), movie("mv2"), movie("mv3")]]);
    expect(summary).toMatchObject({ lines: 5, written: 3, superseded: 2, rejectedCount: 0 });
  });

  it("keeps keys unique per request when duplicates straddle batches, and writes them in file order", async () => {
    const order: string[] = [];
    let releaseFirst: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    ddbMock.on(BatchWriteCommand).callsFake(async (input: BatchWriteCommandInput) => {
      const names = (input.RequestItems?.[TABLE] ?? []).map((r) => String(r.PutRequest?.Item?.name));
      order.push(names.join("|"));
      if (order.length === 1) await firstHeld;
      return { UnprocessedItems: {} };
    });
    // batchSize 2: [a1, b], [a2, c], [d, e]; the second batch must wait for the first (it repeats "a").
    const csv = [
      "a,a1,US,2001-01-01",
      "b,b,US,2001-01-01",
      "a,a2,US,2001-01-01",
      "c,c,US,2001-01-01",
      "d,d,US,2001-01-01",
      "e,e,US,2001-01-01",
    ].join("\n");
    const done = ingest([csv], { batchSize: 2, concurrency: 4 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual(["a1|b", "d|e"]);
    releaseFirst();
    const summary = await done;
    expect(order).toEqual(["a1|b", "d|e", "a2|c"]);
    expect(summary.written).toBe(6);
    for (const batch of batches()) {
      expect(new Set(batch.map((item) => item.movie_id)).size).toBe(batch.length);
    }
  });

  it("keeps at most `concurrency` batches in flight and pauses reading meanwhile", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const releases: (() => void)[] = [];
    ddbMock.on(BatchWriteCommand).callsFake(async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>((resolve) => releases.push(resolve));
      inFlight--;
      return {};
    });
    const items = Array.from({ length: 10 }, (_, index) => movie(`mv${index}`));
    const done = ingest([items.map(csvRow).join("\n")], { batchSize: 1, concurrency: 3 });

    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ddbMock).toHaveReceivedCommandTimes(BatchWriteCommand, 3);
    while (releases.length > 0 || inFlight > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await expect(done).resolves.toMatchObject({ written: 10 });
    expect(maxInFlight).toBe(3);
    expect(ddbMock).toHaveReceivedCommandTimes(BatchWriteCommand, 10);
  });

  it("retries UnprocessedItems, only those, until DynamoDB has taken them all", async () => {
    const [a, b, c] = [movie("mv1"), movie("mv2"), movie("mv3")];
    ddbMock
      .on(BatchWriteCommand)
      .resolvesOnce({
        UnprocessedItems: { [TABLE]: [{ PutRequest: { Item: b } }, { PutRequest: { Item: c } }] },
      })
      .resolvesOnce({ UnprocessedItems: { [TABLE]: [{ PutRequest: { Item: c } }] } })
      .resolvesOnce({ UnprocessedItems: {} });
    const sleeps: number[] = [];
    const summary = await ingest([[a, b, c].map(csvRow).join("\n")], {
      retry: { baseDelayMs: 100, random: () => 0.5, sleep: async (ms) => void sleeps.push(ms) },
    });

    expect(summary.written).toBe(3);
    expect(batches()).toEqual([[a, b, c], [b, c], [c]]);
    expect(sleeps).toEqual([50, 100]);
  });

  it("fails with DeadlineExceededError, after the batches in flight settle, when items stay unprocessed", async () => {
    ddbMock.on(BatchWriteCommand).callsFake(async (input: BatchWriteCommandInput) => ({
      UnprocessedItems: input.RequestItems,
    }));
    const error = await ingest([csvRow(movie("mv1"))], {
      retry: { baseDelayMs: 10, maxDelayMs: 10 },
      deadline: deadlineIn(200),
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(ddbMock.commandCalls(BatchWriteCommand).length).toBeGreaterThan(3);
  });

  it("sends a batch early once its items reach MAX_BATCH_BYTES, so a request stays far below 16 MB", async () => {
    const name = "x".repeat(300 * 1024);
    const csv = Array.from({ length: 8 }, (_, i) => `big${i},${name},US,2001-01-01`).join("\n");
    const summary = await ingest([csv]);
    expect(summary).toMatchObject({ written: 8, rejectedCount: 0 });
    // 300 KiB items: the fourth one takes a batch past 1 MiB.
    expect(batches().map((batch) => batch.length)).toEqual([4, 4]);
    expect(MAX_BATCH_BYTES).toBe(1024 * 1024);
  });

  it("rejects a line over MAX_LINE_BYTES with its length and reads the lines after it", async () => {
    const long = `mv2,${"y".repeat(MAX_LINE_BYTES)},US,2001-01-01`;
    const summary = await ingest([
      "mv1,Heat,US,1995-12-15\n",
      long.slice(0, 100_000),
      long.slice(100_000),
      "\nmv3,Up,US,2009-05-29\n",
    ]);
    expect(summary.rejected).toEqual([
      { line: 2, reason: `line is ${long.length} bytes, over the limit of ${MAX_LINE_BYTES} bytes` },
    ]);
    expect(batches()).toEqual([
      [
        { movie_id: "mv1", name: "Heat", country_of_origin: "US", release_date: "1995-12-15" },
        { movie_id: "mv3", name: "Up", country_of_origin: "US", release_date: "2009-05-29" },
      ],
    ]);
  });

  it("rejects a line that is not UTF-8 (a Windows-1252 é) and stores no U+FFFD", async () => {
    const summary = await ingest([
      Buffer.concat([
        Buffer.from("mv1,Am"),
        Buffer.from([0xe9]),
        Buffer.from("lie,France,2001-04-25\nmv2,Amélie,France,2001-04-25\n"),
      ]),
    ]);
    expect(summary.rejected).toEqual([
      { line: 1, reason: "not valid UTF-8: byte 0xE9 at byte 7 of the line (save the file as UTF-8)" },
    ]);
    expect(batches()).toEqual([
      [{ movie_id: "mv2", name: "Amélie", country_of_origin: "France", release_date: "2001-04-25" }],
    ]);
  });

  it("throws a DynamoDB error after the batches in flight have settled, and stops reading", async () => {
    let settled = 0;
    ddbMock.on(BatchWriteCommand).callsFake(async (input: BatchWriteCommandInput) => {
      const first = input.RequestItems?.[TABLE]?.[0]?.PutRequest?.Item?.movie_id;
      await new Promise((resolve) => setTimeout(resolve, first === "mv0" ? 1 : 10));
      settled++;
      if (first === "mv0")
        throw Object.assign(new Error("Requested resource not found"), { name: "ResourceNotFoundException" });
      return {};
    });
    const items = Array.from({ length: 100 }, (_, index) => movie(`mv${index}`));
    await expect(ingest([items.map(csvRow).join("\n")], { batchSize: 1, concurrency: 2 })).rejects.toThrow(
      "Requested resource not found",
    );
    const sent = ddbMock.commandCalls(BatchWriteCommand).length;
    expect(settled).toBe(sent);
    expect(sent).toBeLessThan(10);
  });

  it.each(["NoSuchKey", "NoSuchVersion"])(
    "throws ObjectNotFoundError on %s, writing nothing",
    async (name) => {
      s3Mock.on(GetObjectCommand).rejects(Object.assign(new Error("gone"), { name }));
      const error = await ingestMovieInfos({ s3, ddb, bucket: BUCKET, key: KEY, table: TABLE }).catch(
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(ObjectNotFoundError);
      expect((error as Error).message).toBe(`s3://${BUCKET}/${KEY} no longer exists`);
      expect((error as Error).cause).toMatchObject({ name });
      expect(ddbMock.calls()).toHaveLength(0);
    },
  );

  it("throws other GetObject errors as they are", async () => {
    s3Mock.on(GetObjectCommand).rejects(Object.assign(new Error("Access Denied"), { name: "AccessDenied" }));
    await expect(ingestMovieInfos({ s3, ddb, bucket: BUCKET, key: KEY, table: TABLE })).rejects.toThrow(
      "Access Denied",
    );
  });

  it("throws when the object stream fails midway", async () => {
    s3Mock
      .on(GetObjectCommand)
      .resolves({ Body: failingS3Body("mv1,Heat,US,1995-12-15\nmv2,Al", new Error("ECONNRESET")) });
    await expect(ingestMovieInfos({ s3, ddb, bucket: BUCKET, key: KEY, table: TABLE })).rejects.toThrow(
      "ECONNRESET",
    );
  });

  it("throws when GetObject returns no body", async () => {
    s3Mock.on(GetObjectCommand).resolves({});
    await expect(ingestMovieInfos({ s3, ddb, bucket: BUCKET, key: KEY, table: TABLE })).rejects.toThrow(
      `GetObject returned no readable body for s3://${BUCKET}/${KEY}`,
    );
  });

  it.each([
    [{ batchSize: 26 }, "batchSize must be an integer between 1 and 25"],
    [{ batchSize: 0 }, "batchSize must be an integer between 1 and 25"],
    [{ concurrency: 0 }, "concurrency must be a positive integer"],
    [{ concurrency: 1.5 }, "concurrency must be a positive integer"],
  ])("rejects options %p", async (options, message) => {
    await expect(ingest(["mv1,Heat,US,1995-12-15"], options)).rejects.toThrow(new RangeError(message));
    expect(s3Mock.calls()).toHaveLength(0);
  });
});
