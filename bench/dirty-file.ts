/**
 * The "dirty file" case of `npm run bench`: upload-infos on a file of 100,000 rows with 1% bad rows of each
 * kind that once lost data (issue 12), beside the same file clean, each in a fresh function process.
 * Rows/s and the process's own peak RSS (VmHWM, see ./peak-rss.ts) for both, and the summary checked
 * exactly: every good row written, every bad one rejected.
 *
 *   BENCH_DIRTY_ROWS=20000   rows of both files (default 100000)
 */
import { createReadStream, createWriteStream, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { DeclaredFunction } from "../local/functions";
import { LocalLambda } from "../local/lambda-host";
import { peakRssBytes } from "./peak-rss";

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
const MiB = 1024 * 1024;
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** What the case needs from the bench's local run. */
export interface DirtyFileContext {
  readonly bucket: string;
  /** upload-infos, as the stack declares it. */
  readonly upload: DeclaredFunction;
  /** The local endpoints, region and credentials the function runs with. */
  readonly environment: Readonly<Record<string, string>>;
  /** A scratch directory for the generated files. */
  readonly tmp: string;
  /** Empties movie_infos before each run. */
  readonly resetTable: () => Promise<void>;
  readonly log: (line: string) => void;
}

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

/**
 * Writes a movie infos file of `rows` rows to `path`, streaming; with `dirty`, rows 1, 2, 3 and 4 of every
 * 100 are bad rows of the four kinds. Returns how many rows are bad.
 */
async function writeFile(path: string, rows: number, dirty: boolean): Promise<number> {
  let bad = 0;
  const out = createWriteStream(path);
  let chunk = "";
  const write = async (data: string | Buffer) => {
    if (!out.write(data)) await once(out, "drain");
  };
  for (let i = 1; i <= rows; i++) {
    const kind = dirty ? KINDS[(i - 1) % 100] : undefined;
    if (kind === undefined) {
      chunk += `m${i},"Movie number ${i}, the sequel",United States,${1900 + (i % 120)}-0${1 + (i % 9)}-1${i % 10}\n`;
      if (chunk.length > 64 * 1024) {
        await write(chunk);
        chunk = "";
      }
      continue;
    }
    await write(chunk);
    chunk = "";
    await write(kind(i));
    bad++;
  }
  out.end(chunk);
  await once(out, "finish");
  return bad;
}

/** Uploads the file, then ingests it in a fresh function process after a one-row warm-up. */
async function run(
  context: DirtyFileContext,
  s3: S3Client,
  file: string,
  key: string,
): Promise<DirtyFileRun> {
  const { bucket, upload, environment } = context;
  const bytes = statSync(file).size;
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: createReadStream(file), ContentLength: bytes }),
  );
  await context.resetTable();
  const event = (objectKey: string) => ({
    Records: [
      {
        eventName: "ObjectCreated:Put",
        s3: { bucket: { name: bucket }, object: { key: encodeURIComponent(objectKey).replace(/%20/g, "+") } },
      },
    ],
  });
  const lambda = new LocalLambda(upload, { environment, timeoutSeconds: 900, memorySize: 256 });
  try {
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: "bench/warm-up.csv", Body: "w1,Warm,US,2001-01-01\n" }),
    );
    await lambda.invokeOrThrow(event("bench/warm-up.csv"));
    const outcome = await lambda.invoke(event(key));
    if (!outcome.ok || !outcome.stats) throw new Error(`upload-infos failed: ${JSON.stringify(outcome)}`);
    const { written, rejected } = (outcome.result as { objects: { written: number; rejected: number }[] })
      .objects[0] ?? { written: NaN, rejected: NaN };
    const seconds = outcome.stats.durationMs / 1000;
    return {
      fileMiB: round(bytes / MiB),
      seconds: round(seconds),
      written,
      rejected,
      rowsPerS: Math.round(written / seconds),
      linesPerS: Math.round((written + rejected) / seconds),
      peakRssMiB: round(peakRssBytes(lambda.pid as number) / MiB),
    };
  } finally {
    await lambda.stop();
  }
}

/** Runs the clean and the dirty file and checks that every row of each is accounted for. */
export async function benchDirtyFile(
  context: DirtyFileContext,
  rows = Number(process.env.BENCH_DIRTY_ROWS ?? 100_000),
): Promise<DirtyFileResult> {
  // Not the SDK's default: it would send a streamed body aws-chunked, and s3rver stores the chunk framing.
  const s3 = new S3Client({ requestChecksumCalculation: "WHEN_REQUIRED" });
  const runOne = async (name: "clean" | "dirty"): Promise<DirtyFileRun> => {
    const file = join(context.tmp, `${name}-${rows}.csv`);
    const bad = await writeFile(file, rows, name === "dirty");
    const result = await run(context, s3, file, `bench/${name} ${rows}.csv`);
    rmSync(file);
    if (result.written !== rows - bad || result.rejected !== bad) {
      throw new Error(
        `${name} file: wrote ${result.written} and rejected ${result.rejected} of ${rows} rows`,
      );
    }
    context.log(
      `${name} file, ${rows} rows (${result.fileMiB} MiB): ${result.rowsPerS} rows/s written, ` +
        `${result.linesPerS} lines/s, peak RSS ${result.peakRssMiB} MiB`,
    );
    return result;
  };
  try {
    const clean = await runOne("clean");
    const dirty = await runOne("dirty");
    return {
      rows,
      badRowsPerKind: dirty.rejected / KINDS.length,
      kinds: Object.keys(DIRTY_KINDS),
      clean,
      dirty,
    };
  } finally {
    s3.destroy();
  }
}
