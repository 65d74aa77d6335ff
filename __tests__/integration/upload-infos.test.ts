import { GetObjectCommand } from "@aws-sdk/client-s3";
import { maxTotalBackoffMs } from "../../lambdas/shared/retry";
import { startLocalAws, type LocalAws } from "../helpers/local-aws";
import { LocalMovies, UPLOAD_INFOS } from "../helpers/local-movies";
import { synthesized } from "../helpers/synth";
import { startThrottlingProxy, type BatchWriteFault } from "../helpers/throttling-proxy";

let local: LocalAws;
let movies: LocalMovies;

beforeAll(async () => {
  local = await startLocalAws(synthesized("movies-dev"));
  movies = new LocalMovies(local);
}, 60_000);

afterAll(async () => {
  await local?.stop();
});

beforeEach(async () => {
  await movies.clear(movies.infosTable);
});

/** A movie_infos item as upload-infos writes it. */
function info(movie_id: string, name: string, country: string, release_date: string) {
  return { movie_id, name, ...(country ? { country_of_origin: country } : {}), release_date };
}

/** `count` valid rows `<prefix>1..<prefix>count`, one per line. */
function rows(prefix: string, count: number, name = "Movie"): string {
  return Array.from(
    { length: count },
    (_, i) => `${prefix}${i + 1},${name} ${i + 1},France,2001-04-25\n`,
  ).join("");
}

describe("upload-infos on DynamoDB Local and s3rver: CSV edge cases", () => {
  it("writes quoted titles, escaped quotes, non-ASCII titles from a CRLF file with a BOM, header and blank lines", async () => {
    const csv =
      "\uFEFFmovie_id,name,country_of_origin,release_date\r\n" +
      'mv10,"Crouching Tiger, Hidden Dragon",Taiwan,2000-07-06\r\n' +
      "\r\n" +
      'mv11,"The ""Best"" Years of Our Lives",United States,1946-11-21\r\n' +
      "mv12,Amélie,France,2001-04-25\r\n" +
      "\r\n" +
      "mv13,千と千尋の神隠し,Japan,2001-07-20\r\n";

    const { outcome, summary } = await movies.upload("edge/quoted.csv", csv);

    expect(outcome).toMatchObject({
      ok: true,
      result: {
        objects: [{ bucket: movies.bucket, key: "edge/quoted.csv", written: 4, rejected: 0 }],
        ignored: [],
      },
    });
    expect(summary).toMatchObject({ written: 4, rejectedCount: 0, rejected: [] });
    expect(await movies.scan(movies.infosTable)).toEqual([
      info("mv10", "Crouching Tiger, Hidden Dragon", "Taiwan", "2000-07-06"),
      info("mv11", 'The "Best" Years of Our Lives', "United States", "1946-11-21"),
      info("mv12", "Amélie", "France", "2001-04-25"),
      info("mv13", "千と千尋の神隠し", "Japan", "2001-07-20"),
    ]);
  });

  it("reads the last row of a file without a trailing newline, and mixed LF/CRLF", async () => {
    const { summary } = await movies.upload(
      "edge/no-newline.csv",
      "mv1,Heat,US,1995-12-15\r\nmv2,Alien,UK,1979-05-25",
    );

    expect(summary).toMatchObject({ written: 2, rejected: [] });
    expect(await movies.scan(movies.infosTable)).toEqual([
      info("mv1", "Heat", "US", "1995-12-15"),
      info("mv2", "Alien", "UK", "1979-05-25"),
    ]);
  });

  it("keeps the last row of a repeated id, in one batch and across batches, with no duplicate-key error", async () => {
    // Line 1 (d2 "Early") is in the first batch, flushed at line 25; d1 repeats within the last batch,
    // where DynamoDB Local would reject two puts of one key; d2 "Late" replaces "Early" in a later batch.
    const csv =
      "d2,Early,US,2000-01-01\n" +
      rows("u", 25) +
      "d1,First,US,2000-01-01\n" +
      "d1,Second,US,2000-01-02\n" +
      "d1,Third,US,2000-01-03\n" +
      "d2,Late,US,2000-01-04\n";

    const { outcome, summary } = await movies.upload("edge/duplicates.csv", csv);

    expect(outcome.ok).toBe(true);
    // 25 puts in the first batch, then u25, d1 and d2: the two replaced d1 rows are never sent.
    expect(summary).toMatchObject({ written: 28, rejected: [] });
    const items = await movies.scan(movies.infosTable);
    expect(items).toHaveLength(27);
    expect(items.find((item) => item.movie_id === "d1")).toEqual(info("d1", "Third", "US", "2000-01-03"));
    expect(items.find((item) => item.movie_id === "d2")).toEqual(info("d2", "Late", "US", "2000-01-04"));
  });

  it("rejects bad rows with their line number and reason, and writes the good ones", async () => {
    const csv = [
      "movie_id,name,country_of_origin,release_date", // 1: header
      "mv1,Heat,US,1995-12-15", // 2
      "mv2,Alien,UK,1979-13-01", // 3: month 13
      "mv3,Leap,,2023-02-29", // 4: not a leap year
      "mv4,Slashes,US,2001/01/01", // 5
      "", // 6: blank
      "mv5,Missing Date,Nowhere", // 7: 3 columns
      "mv6,Too,Many,2001-01-01,extra", // 8: 5 columns
      ",No Id,US,2001-01-01", // 9
      "mv 7,Space In Id,US,2001-01-01", // 10
      "mv8,,US,2001-01-01", // 11: no name
      "mv9,No Country,,2024-02-29", // 12: valid, leap day, no country
      "mv10,Empty Date,US,", // 13
    ].join("\n");

    const { outcome, summary } = await movies.upload("edge/rejects.csv", csv);

    expect(outcome).toMatchObject({ ok: true, result: { objects: [{ written: 2, rejected: 9 }] } });
    expect(summary).toEqual(
      expect.objectContaining({
        written: 2,
        rejectedCount: 9,
        rejected: [
          { line: 3, reason: 'release_date "1979-13-01" is not a valid YYYY-MM-DD date' },
          { line: 4, reason: 'release_date "2023-02-29" is not a valid YYYY-MM-DD date' },
          { line: 5, reason: 'release_date "2001/01/01" is not a valid YYYY-MM-DD date' },
          { line: 7, reason: "expected 4 columns, got 3" },
          { line: 8, reason: "expected 4 columns, got 5" },
          { line: 9, reason: "movie_id is empty" },
          { line: 10, reason: 'movie_id must be 1 to 128 characters of letters, digits, "_", "." or "-"' },
          { line: 11, reason: "name is empty" },
          { line: 13, reason: "release_date is empty" },
        ],
      }),
    );
    expect(await movies.scan(movies.infosTable)).toEqual([
      info("mv1", "Heat", "US", "1995-12-15"),
      info("mv9", "No Country", "", "2024-02-29"),
    ]);
  });

  it("counts lines as an editor does: blank lines, CRLF and line breaks inside quoted fields", async () => {
    const csv =
      '\r\n\r\nmv1,"Two\r\nLines",US,2001-01-01\r\nmv2,Bad,US,2001-02-30\r\n\r\nmv3,"A\nB",US,x\r\n';

    const { summary } = await movies.upload("edge/lines.csv", csv);

    expect(summary).toMatchObject({
      written: 1,
      rejected: [
        { line: 5, reason: 'release_date "2001-02-30" is not a valid YYYY-MM-DD date' },
        { line: 7, reason: 'release_date "x" is not a valid YYYY-MM-DD date' },
      ],
    });
    expect(await movies.scan(movies.infosTable)).toEqual([info("mv1", "Two\r\nLines", "US", "2001-01-01")]);
  });

  it("reports a quote left open at the end of the file, after writing the rows before it", async () => {
    const { summary } = await movies.upload(
      "edge/open-quote.csv",
      'mv1,Heat,US,1995-12-15\nmv2,"Unclosed,US,2001-01-01\n',
    );

    expect(summary).toMatchObject({
      written: 1,
      rejected: [{ line: 2, reason: "quoted field is not closed before the end of the file" }],
    });
    expect(await movies.scan(movies.infosTable)).toEqual([info("mv1", "Heat", "US", "1995-12-15")]);
  });

  it.each([
    ["an empty file", ""],
    ["a header only", "movie_id,name,country_of_origin,release_date\n"],
    ["a BOM and blank lines only", "\uFEFF\r\n\n\r\n"],
  ])("writes nothing and rejects nothing for %s", async (_what, csv) => {
    const { outcome, summary } = await movies.upload("edge/empty.csv", csv);

    expect(outcome).toMatchObject({ ok: true, result: { objects: [{ written: 0, rejected: 0 }] } });
    expect(summary).toMatchObject({ written: 0, rejectedCount: 0, rejected: [] });
    expect(await movies.scan(movies.infosTable)).toEqual([]);
  });

  it("reads a key with spaces and unicode, URL-encoded in the event, from the object stored under the decoded key", async () => {
    const key = "uploads/été 2024/films + séries 千と.csv";

    const { outcome, summary } = await movies.upload(key, "mv1,Heat,US,1995-12-15\n");

    const stored = await local.s3Client.send(new GetObjectCommand({ Bucket: movies.bucket, Key: key }));
    expect(await stored.Body?.transformToString()).toBe("mv1,Heat,US,1995-12-15\n");
    expect(outcome).toMatchObject({ ok: true, result: { objects: [{ key, written: 1, rejected: 0 }] } });
    expect(summary).toMatchObject({ written: 1 });
    expect(await movies.scan(movies.infosTable)).toEqual([info("mv1", "Heat", "US", "1995-12-15")]);
  });
});

describe("upload-infos: re-uploads", () => {
  it("leaves the table identical when the same file is uploaded again, and a second file changes only its rows", async () => {
    const first = "mv1,Heat,US,1995-12-15\nmv2,Alien,UK,1979-05-25\nmv3,Amélie,France,2001-04-25\n";
    await movies.upload("reupload/first.csv", first);
    const afterFirst = await movies.scan(movies.infosTable);

    const again = await movies.upload("reupload/first.csv", first);

    expect(again.summary).toMatchObject({ written: 3, rejected: [] });
    expect(await movies.scan(movies.infosTable)).toEqual(afterFirst);

    await movies.upload(
      "reupload/second.csv",
      "mv2,Alien (Director's Cut),UK,2003-10-31\nmv4,Se7en,US,1995-09-22\n",
    );

    expect(await movies.scan(movies.infosTable)).toEqual([
      afterFirst[0],
      info("mv2", "Alien (Director's Cut)", "UK", "2003-10-31"),
      afterFirst[2],
      info("mv4", "Se7en", "US", "1995-09-22"),
    ]);
  });
});

describe("upload-infos behind a throttling DynamoDB (a proxy in front of DynamoDB Local)", () => {
  async function uploadThrough(faultFor: (call: number) => BatchWriteFault, key: string, csv: string) {
    const proxy = await startThrottlingProxy(local.dynamodb.endpoint, faultFor);
    const lambda = local.lambda(UPLOAD_INFOS, { environment: { AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint } });
    try {
      const started = Date.now();
      const result = await movies.upload(key, csv, lambda);
      return { ...result, elapsedMs: Date.now() - started, batchWrites: proxy.batchWrites };
    } finally {
      await lambda.stop();
      await proxy.stop();
    }
  }

  it("loses no row when DynamoDB throttles and leaves items unprocessed for a while", async () => {
    const faults: BatchWriteFault[] = [
      "throttle",
      "unprocess-half",
      "unprocess-half",
      "throttle",
      "unprocess-half",
    ];

    const { outcome, summary, batchWrites } = await uploadThrough(
      (call) => faults[call - 1] ?? "pass",
      "throttled/transient.csv",
      rows("t", 200),
    );

    expect(outcome.ok).toBe(true);
    expect(summary).toMatchObject({ written: 200, rejected: [] });
    expect(batchWrites.slice(0, faults.length).map((call) => call.fault)).toEqual(faults);
    const items = await movies.scan(movies.infosTable);
    expect(items.map((item) => item.movie_id).sort()).toEqual(
      Array.from({ length: 200 }, (_, i) => `t${i + 1}`).sort(),
    );
  });

  it("gives up with RetriesExhaustedError within the retry bound when items stay unprocessed", async () => {
    const { outcome, elapsedMs, batchWrites } = await uploadThrough(
      () => "unprocess-all",
      "throttled/unprocessed.csv",
      rows("p", 100),
    );

    expect(outcome).toMatchObject({ ok: false, error: { name: "RetriesExhaustedError" } });
    expect(!outcome.ok && outcome.error.message).toMatch(/still had unprocessed items after 8 attempts/);
    // 4 batches in flight, each making its 8 attempts, sleeping at most maxTotalBackoffMs() (5.15 s) in all.
    expect(batchWrites).toHaveLength(4 * 8);
    expect(elapsedMs).toBeLessThan(maxTotalBackoffMs() + 3_000);
    expect(await movies.scan(movies.infosTable)).toEqual([]);
  });

  it("fails the invocation with the throttling error once the SDK's attempts are spent", async () => {
    const { outcome, elapsedMs, batchWrites } = await uploadThrough(
      () => "throttle",
      "throttled/exceptions.csv",
      rows("x", 25),
    );

    expect(outcome).toMatchObject({ ok: false, error: { name: "ProvisionedThroughputExceededException" } });
    // The bundled SDK retries throttling itself: 4 attempts for DynamoDB, full-jitter delays of at most
    // 1 s, 2 s and 4 s between them; upload-infos adds no retry of its own on a thrown error.
    expect(batchWrites).toHaveLength(4);
    expect(elapsedMs).toBeLessThan(1_000 + 2_000 + 4_000 + 2_000);
    expect(await movies.scan(movies.infosTable)).toEqual([]);
  });
});
