/**
 * The "dirty file" case of `npm run bench`: upload-infos on a file of 100,000 rows with 1% bad rows of each
 * kind that once lost data (issue 12), beside the same file clean, each in a fresh function process.
 * Rows/s and the process's own peak RSS for both, and the summary checked exactly: every good row written,
 * every bad one rejected.
 *
 *   BENCH_DIRTY_ROWS=20000   rows of both files (default 100000)
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { BenchEnvironment } from "./environment";
import { runUploadInfos } from "./handler-run";
import { writeCsv } from "./movie-rows";
import { MiB, round } from "./stats";
import { putVerified } from "./upload";

/** Each kind of bad row, as the file holds it (row `i` of the file, 1-based). */
export const DIRTY_KINDS = {
  /** An item of more than 400 KB on a line under the 512 KiB line limit: refused by its size. */
  oversizedItem: (i: number) => `d${i},${"o".repeat(401 * 1024)},France,2001-04-25\n`,
  /** A quote left open: with csv-parse it swallowed the rest of the file. */
  unclosedQuote: (i: number) => `d${i},"Unclosed title,France,2001-04-25\n`,
  /** Windows-1252 bytes ("é" as 0xE9): once stored as U+FFFD. */
  invalidUtf8: (i: number) => Buffer.from(`d${i},Amélie ${i},France,2001-04-25\n`, "latin1"),
  /** A line over the 512 KiB limit: once held whole in memory. */
  longLine: (i: number) => `d${i},${"l".repeat(513 * 1024)},France,2001-04-25\n`,
} as const;

const KINDS = Object.values(DIRTY_KINDS);

/** One file's run. */
export interface DirtyFileRun {
  readonly fileMiB: number;
  readonly seconds: number;
  readonly written: number;
  readonly rejected: number;
  /** Rows written per second of handler time. */
  readonly rowsPerS: number;
  /** Physical lines read per second of handler time. */
  readonly linesPerS: number;
  /** The function process's own peak RSS (VmHWM). */
  readonly peakRssMiB: number;
}

export interface DirtyFileResult {
  readonly rows: number;
  readonly badRowsPerKind: number;
  readonly kinds: string[];
  readonly clean: DirtyFileRun;
  readonly dirty: DirtyFileRun;
}

/** Rows 1, 2, 3 and 4 of every 100 are bad rows of the four kinds. */
const dirtyRow = (i: number) => KINDS[(i - 1) % 100]?.(i);

/** Writes, uploads (verified) and ingests one file, and checks that every row of it is accounted for. */
async function runOne(env: BenchEnvironment, rows: number, name: "clean" | "dirty"): Promise<DirtyFileRun> {
  const file = join(env.tmp, `${name}-${rows}.csv`);
  const bad = await writeCsv(file, rows, "m", name === "dirty" ? { replace: dirtyRow } : {});
  const key = `bench/${name} ${rows}.csv`;
  const { bytes } = await putVerified(env.s3, env.bucket, key, file);
  rmSync(file);
  const run = await runUploadInfos(env, key);
  if (run.written !== rows - bad || run.rejected !== bad) {
    throw new Error(`${name} file: wrote ${run.written} and rejected ${run.rejected} of ${rows} rows`);
  }
  const result = {
    fileMiB: round(bytes / MiB),
    seconds: round(run.seconds),
    written: run.written,
    rejected: run.rejected,
    rowsPerS: Math.round(run.written / run.seconds),
    linesPerS: Math.round((run.written + run.rejected) / run.seconds),
    peakRssMiB: round(run.peakRssBytes / MiB),
  };
  process.stderr.write(
    `${name} file, ${rows} rows (${result.fileMiB} MiB): ${result.rowsPerS} rows/s written, ` +
      `${result.linesPerS} lines/s, peak RSS ${result.peakRssMiB} MiB\n`,
  );
  return result;
}

/** Runs the clean and the dirty file. */
export async function benchDirtyFile(
  env: BenchEnvironment,
  rows = Number(process.env.BENCH_DIRTY_ROWS ?? 100_000),
): Promise<DirtyFileResult> {
  const clean = await runOne(env, rows, "clean");
  const dirty = await runOne(env, rows, "dirty");
  return {
    rows,
    badRowsPerKind: dirty.rejected / KINDS.length,
    kinds: Object.keys(DIRTY_KINDS),
    clean,
    dirty,
  };
}
