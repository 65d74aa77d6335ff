/**
 * The parser's old slow path, measured: upload-infos over 100,000 rows after a first line of one column
 * (`1f40`, the aws-chunked size line that s3rver once stored at the top of the bench's files) beside the same
 * rows without it, alternated in pairs, each run in a fresh function process. With csv-parse the first
 * record set the column count and every later row built an error object; our per-line parser
 * (lambdas/upload-infos/csv-line.ts) rejects that line alone. The time ratio must stay within 1.2.
 *
 *   BENCH_SHORT_ROWS=20000   rows of both files (default 100000)
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { BenchEnvironment } from "./environment";
import { runUploadInfos, type HandlerRun } from "./handler-run";
import { writeCsv } from "./movie-rows";
import { alternatedPairs, median, round } from "./stats";
import { putVerified } from "./upload";

/** The first line of the short file. */
export const SHORT_FIRST_LINE = "1f40";

/** One pair: the clean file, then the file with the short first line. */
export interface ShortFirstLinePair {
  readonly cleanSeconds: number;
  readonly shortSeconds: number;
  /** shortSeconds / cleanSeconds. */
  readonly ratio: number;
  /** The same ratio of the function processes' CPU time: steadier than wall time on a shared machine. */
  readonly cpuRatio: number;
}

export interface ShortFirstLineResult {
  readonly rows: number;
  readonly firstLine: string;
  readonly pairs: ShortFirstLinePair[];
  readonly medianRatio: number;
  readonly medianCpuRatio: number;
}

/** Writes and uploads (verified) rows 1..`rows`, after `firstLine` when given; returns the key. */
async function upload(
  env: BenchEnvironment,
  name: string,
  rows: number,
  firstLine?: string,
): Promise<string> {
  const file = join(env.tmp, `${name}.csv`);
  await writeCsv(file, rows, "f", firstLine === undefined ? {} : { firstLine });
  const key = `bench/${name}.csv`;
  await putVerified(env.s3, env.bucket, key, file);
  rmSync(file);
  return key;
}

/** Ingests `key` and checks the rows: all written, and only the short first line (if any) rejected. */
async function ingest(
  env: BenchEnvironment,
  key: string,
  rows: number,
  rejected: number,
): Promise<HandlerRun> {
  const run = await runUploadInfos(env, key);
  if (run.written !== rows || run.rejected !== rejected) {
    throw new Error(`${key}: wrote ${run.written} and rejected ${run.rejected} of ${rows} rows`);
  }
  return run;
}

/** `pairs` alternated pairs of the clean and the short-first-line file. */
export async function benchShortFirstLine(
  env: BenchEnvironment,
  pairs: number,
  rows = Number(process.env.BENCH_SHORT_ROWS ?? 100_000),
): Promise<ShortFirstLineResult> {
  const clean = await upload(env, `clean-first-line ${rows}`, rows);
  const short = await upload(env, `short-first-line ${rows}`, rows, SHORT_FIRST_LINE);
  const runs = await alternatedPairs(
    pairs,
    () => ingest(env, clean, rows, 0),
    () => ingest(env, short, rows, 1),
  );
  const result = runs.map(({ a, b }, index) => {
    process.stderr.write(
      `short first line, pair ${index + 1}/${pairs}: clean ${round(a.seconds, 2)} s ` +
        `(${round(a.cpuSeconds, 2)} s CPU), short first line ${round(b.seconds, 2)} s ` +
        `(${round(b.cpuSeconds, 2)} s CPU)\n`,
    );
    return {
      cleanSeconds: round(a.seconds, 2),
      shortSeconds: round(b.seconds, 2),
      ratio: round(b.seconds / a.seconds, 3),
      cpuRatio: round(b.cpuSeconds / a.cpuSeconds, 3),
    };
  });
  return {
    rows,
    firstLine: SHORT_FIRST_LINE,
    pairs: result,
    medianRatio: median(result.map((p) => p.ratio)),
    medianCpuRatio: median(result.map((p) => p.cpuRatio)),
  };
}
