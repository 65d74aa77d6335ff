import { once } from "node:events";
import { createReadStream, createWriteStream, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import {
  BatchWriteItemCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { createDocumentClient } from "../lambdas/shared/dynamodb";
import { DEFAULT_INGEST_CONCURRENCY, ingestMovieInfos } from "../lambdas/upload-infos/ingest";
import { LocalLambda } from "../local/lambda-host";
import { createTables, type DeclaredTable } from "../local/tables";
import type { BenchEnvironment } from "./environment";
import { MiB, round } from "./stats";

const SWEEP = [1, 2, 4, 8, 16];
const SWEEP_ROWS = 20_000;
/** The bare loop runs over at most this many rows: at DynamoDB Local's ~6k rows/s, 1M more would not fit in 5 min. */
const CEILING_MAX_ROWS = 100_000;

const log = (line: string) => process.stderr.write(`${line}\n`);

/** One concurrency of the sweep: ingestMovieInfos in-process beside the bare loop at that concurrency. */
export interface SweepRun {
  readonly concurrency: number;
  readonly ingestRowsPerS: number;
  readonly ceilingRowsPerS: number;
  readonly ratio: number;
}

export interface SweepResult {
  readonly rows: number;
  readonly defaultConcurrency: number;
  readonly runs: SweepRun[];
}

/** One file size: the upload-infos bundle in its own process, and the bare loop beside it. */
export interface IngestRun {
  readonly rows: number;
  readonly ceilingRows: number;
  readonly fileMiB: number;
  readonly seconds: number;
  readonly ingestRowsPerS: number;
  readonly ceilingRowsPerS: number;
  readonly ratio: number;
  readonly peakRssMiB: number;
}

export interface IngestResult {
  readonly concurrency: number;
  readonly memorySize: number;
  readonly runs: IngestRun[];
}

/** Writes a movie infos CSV of `rows` rows to `path`, streaming (never held in memory). */
async function writeCsv(path: string, rows: number, prefix: string): Promise<number> {
  const out = createWriteStream(path);
  let chunk = "";
  for (let i = 1; i <= rows; i++) {
    chunk += `${prefix}${i},"Movie number ${i}, the sequel",United States,${1900 + (i % 120)}-0${1 + (i % 9)}-1${i % 10}\n`;
    if (chunk.length > 64 * 1024) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
  return statSync(path).size;
}

/** The ceiling: a bare loop of 25-item BatchWriteItem calls, `concurrency` in flight, no CSV, no retries. */
export async function ceiling(
  ddb: DynamoDBClient,
  table: string,
  rows: number,
  concurrency: number,
  prefix: string,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < rows) {
        const first = next;
        next = Math.min(rows, next + 25);
        const requests: WriteRequest[] = [];
        for (let i = first + 1; i <= next; i++) {
          requests.push({
            PutRequest: {
              Item: {
                movie_id: { S: `${prefix}${i}` },
                name: { S: `Movie number ${i}, the sequel` },
                country_of_origin: { S: "United States" },
                release_date: { S: "2001-01-11" },
              },
            },
          });
        }
        const output = await ddb.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
        if (Object.keys(output.UnprocessedItems ?? {}).length > 0)
          throw new Error("ceiling: unprocessed items");
      }
    }),
  );
  return rows / ((performance.now() - started) / 1000);
}

export async function recreateTable(ddb: DynamoDBClient, table: DeclaredTable): Promise<void> {
  await ddb.send(new DeleteTableCommand({ TableName: table.input.TableName }));
  await createTables(ddb, [table]);
}

/** Writes the CSV at `file` to the bench bucket as `key`. */
async function upload(env: BenchEnvironment, file: string, key: string, bytes: number): Promise<void> {
  await env.s3.send(
    new PutObjectCommand({
      Bucket: env.bucket,
      Key: key,
      Body: createReadStream(file),
      ContentLength: bytes,
    }),
  );
}

/** The sweep that chose DEFAULT_INGEST_CONCURRENCY: ingestMovieInfos in this process, per concurrency. */
export async function runSweep(env: BenchEnvironment): Promise<SweepResult> {
  const file = join(env.tmp, "sweep.csv");
  await upload(env, file, "sweep.csv", await writeCsv(file, SWEEP_ROWS, "s"));
  const docClient = createDocumentClient();
  const runs: SweepRun[] = [];
  for (const concurrency of SWEEP) {
    await recreateTable(env.ddb, env.infos);
    const started = performance.now();
    const summary = await ingestMovieInfos({
      s3: env.s3,
      ddb: docClient,
      bucket: env.bucket,
      key: "sweep.csv",
      table: env.infosName,
      concurrency,
    });
    const ingest = summary.written / ((performance.now() - started) / 1000);
    await recreateTable(env.ddb, env.infos);
    const bare = await ceiling(env.ddb, env.infosName, SWEEP_ROWS, concurrency, "s");
    runs.push({
      concurrency,
      ingestRowsPerS: Math.round(ingest),
      ceilingRowsPerS: Math.round(bare),
      ratio: round(ingest / bare, 2),
    });
    log(`sweep concurrency ${concurrency}: ${Math.round(ingest)} rows/s, ceiling ${Math.round(bare)} rows/s`);
  }
  docClient.destroy();
  return { rows: SWEEP_ROWS, defaultConcurrency: DEFAULT_INGEST_CONCURRENCY, runs };
}

/** The S3 event for one object of the bench bucket, its key URL-encoded as S3 sends it. */
function s3Event(bucket: string, objectKey: string) {
  return {
    Records: [
      {
        eventName: "ObjectCreated:Put",
        s3: {
          bucket: { name: bucket },
          object: { key: encodeURIComponent(objectKey).replace(/%20/g, "+") },
        },
      },
    ],
  };
}

/** upload-infos over a file of `rows` rows, in a fresh process, and the bare loop beside it. */
async function ingestRun(env: BenchEnvironment, rows: number): Promise<IngestRun> {
  const file = join(env.tmp, `movies-${rows}.csv`);
  const bytes = await writeCsv(file, rows, "m");
  const key = `bench/movies ${rows}.csv`;
  await upload(env, file, key, bytes);
  rmSync(file);
  await recreateTable(env.ddb, env.infos);
  // A fresh process per size, so its peak RSS is this file's; a one-row file first warms it up
  // (connections, JIT), so the figure is the steady-state rate, not a cold start.
  const lambda = new LocalLambda(env.upload, {
    environment: env.variables,
    timeoutSeconds: 900,
    memorySize: 256,
  });
  await env.s3.send(
    new PutObjectCommand({ Bucket: env.bucket, Key: "warm-up.csv", Body: "w1,Warm,US,2001-01-01\n" }),
  );
  await lambda.invokeOrThrow(s3Event(env.bucket, "warm-up.csv"));
  const outcome = await lambda.invoke(s3Event(env.bucket, key));
  await lambda.stop();
  if (!outcome.ok || !outcome.stats) throw new Error(`upload-infos failed: ${JSON.stringify(outcome)}`);
  const ingest = rows / (outcome.stats.durationMs / 1000);
  await recreateTable(env.ddb, env.infos);
  const ceilingRows = Math.min(rows, CEILING_MAX_ROWS);
  const bare = await ceiling(env.ddb, env.infosName, ceilingRows, DEFAULT_INGEST_CONCURRENCY, "m");
  const peakRssMiB = round(outcome.stats.maxRssBytes / MiB);
  log(
    `ingest ${rows} rows: ${Math.round(ingest)} rows/s (ceiling ${Math.round(bare)}), peak RSS ${peakRssMiB} MiB`,
  );
  return {
    rows,
    ceilingRows,
    fileMiB: round(bytes / MiB),
    seconds: round(outcome.stats.durationMs / 1000),
    ingestRowsPerS: Math.round(ingest),
    ceilingRowsPerS: Math.round(bare),
    ratio: round(ingest / bare, 2),
    peakRssMiB,
  };
}

/** upload-infos per file size (the bundle in its own process, 256 MB), each beside the bare loop. */
export async function runIngest(env: BenchEnvironment, sizes: readonly number[]): Promise<IngestResult> {
  const runs: IngestRun[] = [];
  for (const rows of sizes) runs.push(await ingestRun(env, rows));
  await recreateTable(env.ddb, env.infos);
  return { concurrency: DEFAULT_INGEST_CONCURRENCY, memorySize: 256, runs };
}

/** DynamoDB Local is a JVM: its first thousands of writes run slower until the JIT has compiled them. */
export async function warmUpDatabase(env: BenchEnvironment): Promise<void> {
  await ceiling(env.ddb, env.infosName, 20_000, 8, "warm");
  await recreateTable(env.ddb, env.infos);
}
