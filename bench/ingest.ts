import { rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createDocumentClient } from "../lambdas/shared/dynamodb";
import { DEFAULT_INGEST_CONCURRENCY, ingestMovieInfos } from "../lambdas/upload-infos/ingest";
import { bareLoop, bareLoopInFreshProcess, type BareLoopProcessRun } from "./bare-loop";
import type { BenchEnvironment } from "./environment";
import { countItems, MEMORY_SIZE, runUploadInfos, type HandlerRun } from "./handler-run";
import { writeCsv } from "./movie-rows";
import { median, MiB, round } from "./stats";
import { putVerified } from "./upload";

const SWEEP = [1, 2, 4, 8, 16];
const SWEEP_ROWS = 20_000;

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

/** One pair: the handler, then the bare loop, over the same rows, each in a fresh process. */
export interface IngestPair {
  readonly handlerRowsPerS: number;
  readonly bareRowsPerS: number;
  readonly ratio: number;
  /** CPU time of each side's process per row written, in µs: what load elsewhere does not change. */
  readonly handlerCpuUsPerRow: number;
  readonly bareCpuUsPerRow: number;
}

/** The alternated pairs that give the ingest/bare-loop ratio. */
export interface IngestPairs {
  readonly rows: number;
  readonly fileMiB: number;
  /**
   * One pair run first and left out of the medians: until then s3rver's read path (in the bench's process)
   * has never streamed a large object and DynamoDB Local has not written a table of this size, and the first
   * pair was the lowest of its run in each of four runs on 2026-12-02 (docs/benchmarks.md). Absent from a
   * results.json written before the bench had it, which a run with BENCH_SKIP=ingest carries over.
   */
  readonly warmUp?: IngestPair;
  readonly runs: IngestPair[];
  readonly medianHandlerRowsPerS: number;
  readonly medianBareRowsPerS: number;
  readonly medianRatio: number;
  readonly medianHandlerCpuUsPerRow: number;
  readonly medianBareCpuUsPerRow: number;
}

/** upload-infos over one file size, in a fresh process: rate and the process's own peak RSS. */
export interface SizeRun {
  readonly rows: number;
  readonly fileMiB: number;
  readonly seconds: number;
  readonly rowsPerS: number;
  readonly peakRssMiB: number;
}

export interface IngestResult {
  readonly concurrency: number;
  readonly memorySize: number;
  readonly pairs: IngestPairs;
  readonly sizes: SizeRun[];
}

/** What the upload-infos part of the bench runs. */
export interface IngestPlan {
  /** File sizes of the rate and peak RSS runs. */
  readonly sizes: readonly number[];
  /** Rows of each pair's file. */
  readonly pairRows: number;
  /** Pairs (handler, bare loop); the ratio is their median. */
  readonly pairs: number;
}

/** Writes rows 1..`rows` of `prefix` as a CSV, uploads it verified (upload.ts) as `key`, and returns its size. */
async function uploadRows(env: BenchEnvironment, key: string, rows: number, prefix: string): Promise<number> {
  const file = join(env.tmp, `${prefix}-${rows}.csv`);
  await writeCsv(file, rows, prefix);
  try {
    return (await putVerified(env.s3, env.bucket, key, file)).bytes;
  } finally {
    rmSync(file);
  }
}

/** The handler over a file of `rows` clean rows; every row must be written, or the figure means nothing. */
async function handlerOver(env: BenchEnvironment, key: string, rows: number): Promise<HandlerRun> {
  const run = await runUploadInfos(env, key);
  if (run.written !== rows || run.rejected !== 0) {
    throw new Error(
      `upload-infos wrote ${run.written} and rejected ${run.rejected} of the ${rows} rows of ${key}`,
    );
  }
  return run;
}

/** The bare loop over the same rows in a fresh process, into an emptied table, its rows counted there. */
async function bareOver(env: BenchEnvironment, rows: number, prefix: string): Promise<BareLoopProcessRun> {
  await env.resetInfos();
  const table = env.infosName;
  const run = await bareLoopInFreshProcess(
    { table, rows, prefix, concurrency: DEFAULT_INGEST_CONCURRENCY },
    env.variables,
  );
  const stored = await countItems(env.ddb, table);
  if (run.written !== rows || stored !== rows) {
    throw new Error(`the bare loop wrote ${run.written} of ${rows} rows; the table holds ${stored}`);
  }
  return run;
}

/** The sweep that chose DEFAULT_INGEST_CONCURRENCY: ingestMovieInfos and the bare loop in this process. */
export async function runSweep(env: BenchEnvironment): Promise<SweepResult> {
  await uploadRows(env, "sweep.csv", SWEEP_ROWS, "s");
  const docClient = createDocumentClient();
  const runs: SweepRun[] = [];
  for (const concurrency of SWEEP) {
    await env.resetInfos();
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
    await env.resetInfos();
    const bare = await bareLoop(env.ddb, {
      table: env.infosName,
      rows: SWEEP_ROWS,
      prefix: "s",
      concurrency,
    });
    const bareRate = bare.written / bare.seconds;
    runs.push({
      concurrency,
      ingestRowsPerS: Math.round(ingest),
      ceilingRowsPerS: Math.round(bareRate),
      ratio: round(ingest / bareRate, 2),
    });
    log(
      `sweep concurrency ${concurrency}: ${Math.round(ingest)} rows/s, ceiling ${Math.round(bareRate)} rows/s`,
    );
  }
  docClient.destroy();
  return { rows: SWEEP_ROWS, defaultConcurrency: DEFAULT_INGEST_CONCURRENCY, runs };
}

/** One pair's figures, logged as `label`. */
function pairOf(handler: HandlerRun, bare: BareLoopProcessRun, rows: number, label: string): IngestPair {
  const handlerRowsPerS = handler.written / handler.seconds;
  const bareRowsPerS = bare.written / bare.seconds;
  const ratio = handlerRowsPerS / bareRowsPerS;
  const handlerCpuUsPerRow = round((handler.cpuSeconds * 1e6) / handler.written);
  const bareCpuUsPerRow = round((bare.cpuSeconds * 1e6) / bare.written);
  log(
    `${label}, ${rows} rows: handler ${Math.round(handlerRowsPerS)} rows/s ` +
      `(${handlerCpuUsPerRow} µs CPU a row), bare loop ${Math.round(bareRowsPerS)} rows/s ` +
      `(${bareCpuUsPerRow} µs), ratio ${round(ratio, 2)}`,
  );
  return {
    handlerRowsPerS: Math.round(handlerRowsPerS),
    bareRowsPerS: Math.round(bareRowsPerS),
    ratio: round(ratio, 3),
    handlerCpuUsPerRow,
    bareCpuUsPerRow,
  };
}

/**
 * Handler and bare loop alternated over the same file, each in a fresh process; the ratio per pair. A first
 * pair warms up what the processes share (see {@link IngestPairs.warmUp}) and is kept apart.
 */
async function runPairs(env: BenchEnvironment, rows: number, count: number): Promise<IngestPairs> {
  const key = `bench/pairs ${rows}.csv`;
  const bytes = await uploadRows(env, key, rows, "p");
  const runPair = async (label: string) => {
    const handler = await handlerOver(env, key, rows);
    return pairOf(handler, await bareOver(env, rows, "p"), rows, label);
  };
  const warmUp = await runPair("warm-up pair (not counted)");
  const runs: IngestPair[] = [];
  for (let index = 0; index < count; index++) runs.push(await runPair(`pair ${index + 1}/${count}`));
  return {
    rows,
    fileMiB: round(bytes / MiB),
    warmUp,
    runs,
    medianHandlerRowsPerS: median(runs.map((r) => r.handlerRowsPerS)),
    medianBareRowsPerS: median(runs.map((r) => r.bareRowsPerS)),
    medianRatio: median(runs.map((r) => r.ratio)),
    medianHandlerCpuUsPerRow: median(runs.map((r) => r.handlerCpuUsPerRow)),
    medianBareCpuUsPerRow: median(runs.map((r) => r.bareCpuUsPerRow)),
  };
}

/** upload-infos over a file of `rows` rows in a fresh process: rate and peak RSS. */
async function sizeRun(env: BenchEnvironment, rows: number): Promise<SizeRun> {
  const key = `bench/movies ${rows}.csv`;
  const bytes = await uploadRows(env, key, rows, "m");
  const run = await handlerOver(env, key, rows);
  const result = {
    rows,
    fileMiB: round(bytes / MiB),
    seconds: round(run.seconds),
    rowsPerS: Math.round(run.written / run.seconds),
    peakRssMiB: round(run.peakRssBytes / MiB),
  };
  log(`ingest ${rows} rows: ${result.rowsPerS} rows/s, peak RSS ${result.peakRssMiB} MiB`);
  return result;
}

/** upload-infos beside the bare loop (alternated pairs), then over each file size. */
export async function runIngest(env: BenchEnvironment, plan: IngestPlan): Promise<IngestResult> {
  const pairs = await runPairs(env, plan.pairRows, plan.pairs);
  const sizes: SizeRun[] = [];
  for (const rows of plan.sizes) sizes.push(await sizeRun(env, rows));
  await env.resetInfos();
  return { concurrency: DEFAULT_INGEST_CONCURRENCY, memorySize: MEMORY_SIZE, pairs, sizes };
}

/** DynamoDB Local is a JVM: its first thousands of writes run slower until the JIT has compiled them. */
export async function warmUpDatabase(env: BenchEnvironment): Promise<void> {
  await bareLoop(env.ddb, { table: env.infosName, rows: 20_000, prefix: "warm", concurrency: 8 });
  await env.resetInfos();
}
