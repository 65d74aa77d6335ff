import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import { parse, type CsvError, type Options as CsvOptions } from "csv-parse";
import { pipeline, Readable } from "node:stream";
import type { MovieInfo } from "../shared/movies";
import { drainWithBackoff, type BackoffOptions } from "../shared/retry";
import { isHeaderRow, parseMovieInfoRow, type RowRejection } from "./rows";

/** BatchWriteItem accepts at most 25 put requests. */
export const MAX_BATCH_SIZE = 25;

/**
 * BatchWriteItem calls in flight at once, unless the caller says otherwise. Chosen with `npm run bench`'s
 * concurrency sweep against a bare BatchWriteItem loop (docs/benchmarks.md).
 */
export const DEFAULT_INGEST_CONCURRENCY = 8;

export interface IngestParams {
  readonly s3: S3Client;
  readonly ddb: DynamoDBDocumentClient;
  readonly bucket: string;
  /** The object key, already URL-decoded. */
  readonly key: string;
  /** The movie_infos table name. */
  readonly table: string;
  /**
   * Put requests per BatchWriteItem call, at most 25.
   * @default 25
   */
  readonly batchSize?: number;
  /**
   * BatchWriteItem calls in flight at once; reading the object pauses while this many are pending.
   * @default DEFAULT_INGEST_CONCURRENCY
   */
  readonly concurrency?: number;
  /** Bounds for retrying UnprocessedItems; see BackoffOptions for defaults (8 attempts). */
  readonly retry?: BackoffOptions;
}

/** How many rejected rows a summary keeps; the count stays exact, so a file of bad rows cannot grow memory. */
export const MAX_KEPT_REJECTIONS = 1000;

/** What one object produced. */
export interface IngestSummary {
  readonly bucket: string;
  readonly key: string;
  /** Put requests DynamoDB accepted (a row replaced by a later duplicate in the same batch is not counted). */
  readonly written: number;
  /** Every rejected row, counted. */
  readonly rejectedCount: number;
  /** The first {@link MAX_KEPT_REJECTIONS} rejected rows, ordered by line. */
  readonly rejected: RowRejection[];
}

/**
 * Collects rejections in bounded memory: the exact count, and the lowest-numbered lines. Parse errors can
 * arrive a little ahead of the rows being validated, so the list is trimmed by line, not by arrival.
 */
class Rejections {
  count = 0;
  private kept: RowRejection[] = [];

  add(line: number, reason: string): void {
    this.count += 1;
    this.kept.push({ line, reason });
    if (this.kept.length >= 2 * MAX_KEPT_REJECTIONS) this.kept = this.sorted();
  }

  sorted(): RowRejection[] {
    return this.kept.sort((a, b) => a.line - b.line).slice(0, MAX_KEPT_REJECTIONS);
  }
}

type WriteRequests = NonNullable<BatchWriteCommandInput["RequestItems"]>[string];

/** A parsed record with the 1-based line it starts on. */
interface LocatedRecord {
  readonly fields: string[];
  readonly line: number;
}

/**
 * Streams a movie infos CSV from S3 into the movie_infos table: the object is parsed as it arrives
 * (never held in memory), bad rows are collected with their line numbers and never stop the good ones,
 * and valid rows are written with BatchWriteItem in batches of up to 25, several batches in flight.
 *
 * Within one file the last row for an id wins: a repeated id replaces the pending row in the unflushed
 * batch (so no request carries the same key twice), and a batch holding an id that an earlier batch is
 * still writing waits for that batch first.
 *
 * @throws the S3 or DynamoDB error (or RetriesExhaustedError), after in-flight batches settle, so that
 *   Lambda's asynchronous retry re-runs the whole object; puts are idempotent.
 */
export async function ingestMovieInfos(params: IngestParams): Promise<IngestSummary> {
  const {
    s3,
    ddb,
    bucket,
    key,
    table,
    batchSize = MAX_BATCH_SIZE,
    concurrency = DEFAULT_INGEST_CONCURRENCY,
    retry = {},
  } = params;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new RangeError(`batchSize must be an integer between 1 and ${MAX_BATCH_SIZE}`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError("concurrency must be a positive integer");
  }

  const output = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!(output.Body instanceof Readable)) {
    throw new Error(`GetObject returned no readable body for s3://${bucket}/${key}`);
  }

  const rejections = new Rejections();
  const parser = createRecordParser((line, reason) => rejections.add(line, reason));
  // pipeline forwards a failing S3 stream to the parser, whose iterator then throws; breaking out of the
  // loop destroys both streams. The callback has nothing left to do.
  pipeline(output.Body, parser, () => undefined);

  const writer = new BatchWriter((items) => writeBatch(ddb, table, items, retry), concurrency);
  let pending = new Map<string, MovieInfo>();
  let firstRecord = true;
  try {
    for await (const { fields, line } of parser as AsyncIterable<LocatedRecord>) {
      if (firstRecord) {
        firstRecord = false;
        if (isHeaderRow(fields)) continue;
      }
      const result = parseMovieInfoRow(fields);
      if (!result.ok) {
        rejections.add(line, result.reason);
        continue;
      }
      pending.set(result.item.movie_id, result.item);
      if (pending.size >= batchSize) {
        await writer.submit([...pending.values()]);
        pending = new Map();
      }
    }
    if (pending.size > 0) await writer.submit([...pending.values()]);
  } finally {
    await writer.settle();
  }
  writer.throwIfFailed();
  return {
    bucket,
    key,
    written: writer.written,
    rejectedCount: rejections.count,
    rejected: rejections.sorted(),
  };
}

/**
 * csv-parse, configured for files people export from spreadsheets: RFC 4180 quoting ("a, b", ""quoted""),
 * CRLF or LF (even mixed), a UTF-8 BOM, blank lines skipped. Column counts are not enforced by the parser,
 * so that rows with missing or extra columns are reported by line like any other bad row. A quote left
 * open at the end of the file is reported through `onMalformed`, on the line where parsing stopped.
 */
function createRecordParser(onMalformed: (line: number, reason: string) => void) {
  // csv-parse counts every "\r" inside a record as a line break, so "\r\n" inside a quoted field counts
  // twice. Subtracting the "\r"s seen so far gives line numbers as an editor shows them.
  let extraLines = 0;
  const options: CsvOptions = {
    bom: true,
    record_delimiter: ["\r\n", "\n"],
    skip_empty_lines: true,
    relax_column_count: true,
    // A stray quote inside an unquoted field (Al"ien, "Se7en"x) is kept as text: strict RFC 4180 parsing
    // would stay "inside quotes" and swallow every following row into that one bad record.
    relax_quotes: true,
    skip_records_with_error: true,
    on_record: (fields: string[], context): LocatedRecord => {
      extraLines += fields.reduce((count, field) => count + countOf(field, "\r"), 0);
      const lastLine = context.lines - extraLines;
      return { fields, line: lastLine - fields.reduce((count, field) => count + countOf(field, "\n"), 0) };
    },
  };
  const parser = parse(options);
  parser.on("skip", (error: CsvError & { lines?: number }) => {
    onMalformed((error.lines ?? 0) - extraLines, malformedReason(error));
  });
  return parser;
}

function countOf(text: string, char: string): number {
  let count = 0;
  for (let index = text.indexOf(char); index !== -1; index = text.indexOf(char, index + 1)) count++;
  return count;
}

function malformedReason(error: CsvError): string {
  return error.code === "CSV_QUOTE_NOT_CLOSED"
    ? "quoted field is not closed before the end of the file"
    : `malformed CSV (${error.code})`;
}

/** Writes one batch of puts, retrying UnprocessedItems with bounded backoff. Returns the items written. */
async function writeBatch(
  ddb: DynamoDBDocumentClient,
  table: string,
  items: readonly MovieInfo[],
  retry: BackoffOptions,
): Promise<number> {
  const requests: WriteRequests = items.map((item) => ({ PutRequest: { Item: item } }));
  await drainWithBackoff(
    requests,
    async (batch) => {
      const output = await ddb.send(new BatchWriteCommand({ RequestItems: { [table]: batch } }));
      const unprocessed = output.UnprocessedItems?.[table] ?? [];
      return unprocessed.length > 0 ? unprocessed : undefined;
    },
    `BatchWriteItem on ${table}`,
    retry,
  );
  return items.length;
}

/**
 * Runs batch writes with at most `concurrency` in flight, keeping per-key order: a batch waits for the
 * in-flight batches that hold any of its keys. The first failure is kept and stops further writes.
 */
class BatchWriter {
  written = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly lastWriteOf = new Map<string, Promise<void>>();
  private failure: { readonly error: unknown } | undefined;

  constructor(
    private readonly write: (items: readonly MovieInfo[]) => Promise<number>,
    private readonly concurrency: number,
  ) {}

  /** Starts writing `items`, first waiting while `concurrency` batches are in flight. */
  async submit(items: readonly MovieInfo[]): Promise<void> {
    this.throwIfFailed();
    while (this.inFlight.size >= this.concurrency) {
      await Promise.race(this.inFlight);
      this.throwIfFailed();
    }
    const earlier = new Set<Promise<void>>();
    for (const item of items) {
      const previous = this.lastWriteOf.get(item.movie_id);
      if (previous !== undefined) earlier.add(previous);
    }
    // Never rejects: the error is kept in `failure`, so nothing is left unhandled while we keep reading.
    const task = Promise.all(earlier).then(async () => {
      if (this.failure !== undefined) return;
      try {
        const count = await this.write(items);
        this.written += count;
      } catch (error) {
        this.failure ??= { error };
      }
    });
    this.inFlight.add(task);
    for (const item of items) this.lastWriteOf.set(item.movie_id, task);
    void task.then(() => {
      this.inFlight.delete(task);
      for (const item of items) {
        if (this.lastWriteOf.get(item.movie_id) === task) this.lastWriteOf.delete(item.movie_id);
      }
    });
  }

  /** Waits for every batch in flight. */
  async settle(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }
}
