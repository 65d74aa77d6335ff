import type { S3Client } from "@aws-sdk/client-s3";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DeadlineExceededError, deadlineIn, type Deadline } from "../shared/deadline";
import { writeBatch, type LocatedItem, type RetryDelays } from "./batch-write";
import { chunksOf, openObject, type ObjectRef } from "./body";
import { LineSplitter, type PhysicalLine } from "./lines";
import { readFieldsAsRow, readLineAsRow, type LineOutcome, type RowRejection } from "./rows";

/** BatchWriteItem accepts at most 25 put requests. */
export const MAX_BATCH_SIZE = 25;

/**
 * A batch is sent once its items reach this many bytes (as DynamoDB counts them), even with fewer than 25:
 * a request then stays far below BatchWriteItem's 16 MB limit, and the batches in flight bound memory.
 */
export const MAX_BATCH_BYTES = 1024 * 1024;

/**
 * BatchWriteItem calls in flight at once, unless the caller says otherwise. Chosen with `npm run bench`'s
 * concurrency sweep against a bare BatchWriteItem loop (docs/benchmarks.md).
 */
export const DEFAULT_INGEST_CONCURRENCY = 8;

/** How long the object's body may send nothing while we wait for it, before the read fails. */
export const DEFAULT_BODY_STALL_MS = 10_000;

/** Lambda's longest timeout: the budget of a caller that gives no deadline. */
const MAX_LAMBDA_TIMEOUT_MS = 15 * 60 * 1000;

export interface IngestParams extends ObjectRef {
  readonly s3: S3Client;
  readonly ddb: DynamoDBDocumentClient;
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
  /** Delays between retries of a batch (throttling, UnprocessedItems); see RetryDelays for defaults. */
  readonly retry?: RetryDelays;
  /**
   * When to stop retrying and fail, so that Lambda retries the event; the handler passes the invocation's.
   * @default 15 minutes from the call (Lambda's longest timeout)
   */
  readonly deadline?: Deadline;
  /**
   * How long the body may stall before the read fails.
   * @default DEFAULT_BODY_STALL_MS
   */
  readonly bodyStallMs?: number;
}

/** How many rejected rows one summary log line lists; the count is always exact. */
export const MAX_LOGGED_REJECTS = 100;

/** How many rejected rows a summary keeps; the count stays exact, so a file of bad rows cannot grow memory. */
export const MAX_KEPT_REJECTIONS = 1000;

/**
 * What one object produced. Every physical line is accounted for exactly once:
 * `lines = written + superseded + skipped + rejectedCount`.
 */
export interface IngestSummary extends ObjectRef {
  /** Physical lines read, blank lines and the header included. */
  readonly lines: number;
  /** Put requests DynamoDB accepted. */
  readonly written: number;
  /** Valid rows replaced by a later row of the same id before they were sent (the last row wins). */
  readonly superseded: number;
  /** Blank lines and the header. */
  readonly skipped: number;
  /** Every rejected row, counted. */
  readonly rejectedCount: number;
  /** The first {@link MAX_KEPT_REJECTIONS} rejected rows, ordered by line. */
  readonly rejected: RowRejection[];
}

/**
 * Collects rejections in bounded memory: the exact count, and the lowest-numbered lines. Rows that DynamoDB
 * refuses arrive after later lines were read, so the list is trimmed by line, not by arrival.
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

/**
 * Streams a movie infos CSV from S3 into the movie_infos table. The object is read line by line as it
 * arrives, in bounded memory; each line is written, rejected with its number and reason, or skipped
 * (blank, header), so a bad line never stops the good ones (see `readLineAsRow` for the checks). Valid rows
 * are written with BatchWriteItem in batches of up to 25 items and 1 MiB, several batches in flight.
 *
 * Within one file the last row for an id wins: a repeated id replaces the pending row in the unsent
 * batch (so no request carries the same key twice), and a batch holding an id that an earlier batch is
 * still writing waits for that batch first.
 *
 * @throws ObjectNotFoundError when the object (version) no longer exists.
 * @throws DeadlineExceededError when writes were still being retried at the deadline; any other S3 or
 *   DynamoDB error as it is. Either way after in-flight batches settle, so that Lambda's asynchronous retry
 *   re-runs the whole object; puts are idempotent.
 */
export async function ingestMovieInfos(params: IngestParams): Promise<IngestSummary> {
  const {
    s3,
    ddb,
    bucket,
    key,
    versionId,
    table,
    batchSize = MAX_BATCH_SIZE,
    concurrency = DEFAULT_INGEST_CONCURRENCY,
    retry = {},
    deadline = deadlineIn(MAX_LAMBDA_TIMEOUT_MS),
    bodyStallMs = DEFAULT_BODY_STALL_MS,
  } = params;
  const ref: ObjectRef = { bucket, key, ...(versionId ? { versionId } : {}) };
  const { rejections, writer, rows } = rowSink({ ddb, table, batchSize, concurrency, retry, deadline });
  try {
    const body = await openObject(s3, ref, deadline.signal);
    const splitter = new LineSplitter();
    const complete: PhysicalLine[] = [];
    const takeAll = async (): Promise<void> => {
      for (const line of complete) if (rows.take(line)) await writer.submit(rows.drain());
      complete.length = 0;
    };
    for await (const chunk of chunksOf(body, ref, bodyStallMs)) {
      splitter.push(chunk, complete);
      await takeAll();
    }
    splitter.end(complete);
    await takeAll();
    if (rows.hasPending) await writer.submit(rows.drain());
  } catch (error) {
    await writer.settle();
    throw readFailure(error, ref, deadline);
  }
  await writer.settle();
  writer.throwIfFailed();
  return { ...ref, ...summaryOf(rows, writer, rejections) };
}

/** One CSV record of a fan-out batch: its line in the uploaded file, and its fields in column order. */
export interface NumberedRecord {
  /** 1-based, as in the small path (the Step Functions item index + 1). */
  readonly line: number;
  readonly fields: readonly string[];
}

export interface IngestRecordsParams {
  readonly ddb: DynamoDBDocumentClient;
  readonly table: string;
  /** The records, in file order. */
  readonly records: readonly NumberedRecord[];
  /** @default 25 */
  readonly batchSize?: number;
  /** @default DEFAULT_INGEST_CONCURRENCY */
  readonly concurrency?: number;
  readonly retry?: RetryDelays;
  /** @default 15 minutes from the call */
  readonly deadline?: Deadline;
}

/** What one batch of records produced: `lines = written + superseded + skipped + rejectedCount`. */
export type RecordsSummary = Omit<IngestSummary, keyof ObjectRef>;

/**
 * Writes records that were already split from the file (one batch of a Step Functions Distributed Map,
 * whose CSV item reader parsed them) with exactly the rules and writer of {@link ingestMovieInfos}: each
 * record is validated as a row (line 1 may be the header), rejected with its line and reason, or written
 * with BatchWriteItem, the last row of an id winning within the batch. Throws as `ingestMovieInfos` does,
 * after in-flight batches settle, so the caller (Step Functions) retries the whole batch; puts are idempotent.
 */
export async function ingestRecords(params: IngestRecordsParams): Promise<RecordsSummary> {
  const {
    ddb,
    table,
    records,
    batchSize = MAX_BATCH_SIZE,
    concurrency = DEFAULT_INGEST_CONCURRENCY,
    retry = {},
    deadline = deadlineIn(MAX_LAMBDA_TIMEOUT_MS),
  } = params;
  const { rejections, writer, rows } = rowSink({ ddb, table, batchSize, concurrency, retry, deadline });
  try {
    for (const record of records) {
      // Only the file's first line may be its header, as in the small path.
      const outcome = readFieldsAsRow(record.fields, record.line === 1);
      if (rows.account(record.line, outcome)) await writer.submit(rows.drain());
    }
    if (rows.hasPending) await writer.submit(rows.drain());
  } finally {
    await writer.settle();
  }
  writer.throwIfFailed();
  return summaryOf(rows, writer, rejections);
}

/**
 * What both paths write rows with: the rejections by line, the BatchWriteItem writer (`concurrency`
 * batches in flight, retried until `deadline`) and the collector of the pending batch.
 */
function rowSink(options: {
  ddb: DynamoDBDocumentClient;
  table: string;
  batchSize: number;
  concurrency: number;
  retry: RetryDelays;
  deadline: Deadline;
}): { rejections: Rejections; writer: BatchWriter; rows: RowCollector } {
  const { ddb, table, batchSize, concurrency, retry, deadline } = options;
  checkLimits(batchSize, concurrency);
  const rejections = new Rejections();
  const writer = new BatchWriter(
    (entries) =>
      writeBatch(ddb, table, entries, {
        deadline,
        delays: retry,
        onRejected: (line, reason) => rejections.add(line, reason),
      }),
    concurrency,
  );
  return { rejections, writer, rows: new RowCollector(batchSize, rejections) };
}

/** The summary of a finished ingestion: `lines = written + superseded + skipped + rejectedCount`. */
function summaryOf(rows: RowCollector, writer: BatchWriter, rejections: Rejections): RecordsSummary {
  const { lines, superseded, skipped } = rows;
  return {
    lines,
    written: writer.written,
    superseded,
    skipped,
    rejectedCount: rejections.count,
    rejected: rejections.sorted(),
  };
}

function checkLimits(batchSize: number, concurrency: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new RangeError(`batchSize must be an integer between 1 and ${MAX_BATCH_SIZE}`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError("concurrency must be a positive integer");
  }
}

/**
 * Accounts for each physical line (blank, header, rejected, or a row for the pending batch) and holds the
 * pending batch: a repeated id replaces its pending row (the last row wins; `superseded` counts it).
 */
class RowCollector {
  lines = 0;
  skipped = 0;
  superseded = 0;
  private seenRecord = false;
  private pending = new Map<string, LocatedItem & { readonly size: number }>();
  private pendingBytes = 0;

  constructor(
    private readonly batchSize: number,
    private readonly rejections: Rejections,
  ) {}

  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** Accounts for one physical line; true when the pending batch is full. */
  take(line: PhysicalLine): boolean {
    return this.account(line.number, readLineAsRow(line, !this.seenRecord));
  }

  /** Accounts for line `number`, read as `outcome`; true when the pending batch is full. */
  account(number: number, outcome: LineOutcome): boolean {
    this.lines++;
    if (outcome.kind === "blank") {
      this.skipped++;
      return false;
    }
    this.seenRecord = true;
    if (outcome.kind === "header") {
      this.skipped++;
    } else if (outcome.kind === "rejected") {
      this.rejections.add(number, outcome.reason);
    } else {
      const { movie_id: id } = outcome.item;
      const replaced = this.pending.get(id);
      if (replaced !== undefined) this.superseded++;
      this.pending.set(id, { item: outcome.item, line: number, size: outcome.size });
      this.pendingBytes += outcome.size - (replaced?.size ?? 0);
    }
    return this.pending.size >= this.batchSize || this.pendingBytes >= MAX_BATCH_BYTES;
  }

  /** The pending batch, handed over and emptied. */
  drain(): LocatedItem[] {
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.pendingBytes = 0;
    return batch;
  }
}

/** A read that failed because the deadline aborted it says so; anything else is thrown as it is. */
function readFailure(error: unknown, ref: ObjectRef, deadline: Deadline): unknown {
  if (!deadline.signal.aborted || error instanceof DeadlineExceededError) return error;
  return new DeadlineExceededError(
    `reading s3://${ref.bucket}/${ref.key} stopped when the invocation's time ran out`,
    { cause: error },
  );
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
    private readonly write: (entries: readonly LocatedItem[]) => Promise<number>,
    private readonly concurrency: number,
  ) {}

  /** Starts writing `entries`, first waiting while `concurrency` batches are in flight. */
  async submit(entries: readonly LocatedItem[]): Promise<void> {
    this.throwIfFailed();
    while (this.inFlight.size >= this.concurrency) {
      await Promise.race(this.inFlight);
      this.throwIfFailed();
    }
    const earlier = new Set<Promise<void>>();
    for (const { item } of entries) {
      const previous = this.lastWriteOf.get(item.movie_id);
      if (previous !== undefined) earlier.add(previous);
    }
    // Never rejects: the error is kept in `failure`, so nothing is left unhandled while we keep reading.
    const task = Promise.all(earlier).then(async () => {
      if (this.failure !== undefined) return;
      try {
        const count = await this.write(entries);
        this.written += count;
      } catch (error) {
        this.failure ??= { error };
      }
    });
    this.inFlight.add(task);
    for (const { item } of entries) this.lastWriteOf.set(item.movie_id, task);
    void task.then(() => {
      this.inFlight.delete(task);
      for (const { item } of entries) {
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
