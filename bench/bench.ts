/**
 * `npm run bench`: the data path measured on DynamoDB Local and s3rver. Prints a table and writes
 * bench/results.json. Figures are for this machine; the targets say what we expect of them.
 *
 *   BENCH_SIZES=10000,100000   rows of the upload-infos runs (default 10000,100000,1000000)
 *   BENCH_SWEEP=1              also run the concurrency sweep that chose DEFAULT_INGEST_CONCURRENCY (~40 s)
 *   BENCH_SKIP=synth,bundles   sections to leave out (ingest, dirty, get-movie, bundles, synth)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { once } from "node:events";
import {
  BatchWriteItemCommand,
  DeleteTableCommand,
  DynamoDBClient,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { projectRoot } from "../constructs/project-root";
import { getMovie } from "../lambdas/get-movie/get-movie";
import { createDocumentClient } from "../lambdas/shared/dynamodb";
import { DEFAULT_INGEST_CONCURRENCY, ingestMovieInfos } from "../lambdas/upload-infos/ingest";
import { createBuckets, declaredBuckets } from "../local/buckets";
import { LOCAL_CREDENTIALS, startDynamoDbLocal, startS3Server } from "../local/emulators";
import { declaredFunctions } from "../local/functions";
import { LocalLambda } from "../local/lambda-host";
import { createTables, declaredTables, type DeclaredTable } from "../local/tables";
import { readStack, TerraformResolver } from "../local/terraform";
import { benchDirtyFile } from "./dirty-file";

const TARGETS = {
  ingestVsCeiling: 0.8,
  rssGrowthBytes: 64 * 1024 * 1024,
  bundleZipBytes: 250 * 1024,
  bundleInitMs: 60,
  synthMs: 3_000,
  synthRssBytes: 400 * 1024 * 1024,
  getMovieRoundTrips: 1,
};
const SWEEP = [1, 2, 4, 8, 16];
const SWEEP_ROWS = 20_000;
/** The bare loop runs over at most this many rows: at DynamoDB Local's ~6k rows/s, 1M more would not fit in 5 min. */
const CEILING_MAX_ROWS = 100_000;
const STACK = "movies-dev";
const REGION = "eu-central-1";
const sizes = (process.env.BENCH_SIZES ?? "10000,100000,1000000").split(",").map(Number);
const skip = new Set((process.env.BENCH_SKIP ?? "").split(",").filter(Boolean));

const MiB = 1024 * 1024;
const median = (values: number[]) => percentile(values, 0.5);
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
}
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const log = (line: string) => process.stderr.write(`${line}\n`);

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
async function ceiling(
  ddb: DynamoDBClient,
  table: string,
  rows: number,
  concurrency: number,
  prefix: string,
) {
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

async function recreateTable(ddb: DynamoDBClient, table: DeclaredTable): Promise<void> {
  await ddb.send(new DeleteTableCommand({ TableName: table.input.TableName }));
  await createTables(ddb, [table]);
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const results: Record<string, unknown> = { machine: { cpus: (await import("node:os")).cpus().length } };
  const stack = readStack(join(projectRoot, "cdktf.out"), STACK);
  const resolver = new TerraformResolver(stack, { region: REGION });
  const tmp = mkdtempSync(join(tmpdir(), "movies-bench-"));
  const [dynamodb, s3server] = await Promise.all([
    startDynamoDbLocal(),
    startS3Server({ directory: join(tmp, "s3"), resetOnClose: true }),
  ]);
  const environment = {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    AWS_ENDPOINT_URL_S3: s3server.endpoint,
  };
  Object.assign(process.env, environment, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" });
  const ddb = new DynamoDBClient({});
  const s3 = new S3Client({});
  const tables = declaredTables(resolver);
  const buckets = declaredBuckets(resolver);
  await createTables(ddb, tables);
  await createBuckets(s3, buckets);
  const infos = tables.find((t) => t.address === "aws_dynamodb_table.movie_infos_table") as DeclaredTable;
  const infosName = infos.input.TableName as string;
  const ratingsName = resolver.reference("aws_dynamodb_table.movie_ratings_table.name");
  const bucket = buckets[0]?.name as string;
  const upload = declaredFunctions(resolver).find((f) => f.address.endsWith(".upload_movie_infos_lambda"));
  if (!upload) throw new Error("upload_movie_infos_lambda is not in the stack");

  try {
    // 1. Concurrency sweep: ingestMovieInfos in this process, beside the bare loop at the same concurrency.
    // DynamoDB Local is a JVM: its first thousands of writes run slower until the JIT has compiled them.
    await ceiling(ddb, infosName, 20_000, 8, "warm");
    await recreateTable(ddb, infos);

    if (process.env.BENCH_SWEEP === "1") {
      const file = join(tmp, "sweep.csv");
      await writeCsv(file, SWEEP_ROWS, "s");
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: "sweep.csv",
          Body: createReadStream(file),
          ContentLength: statSync(file).size,
        }),
      );
      const docClient = createDocumentClient();
      const sweep = [];
      for (const concurrency of SWEEP) {
        await recreateTable(ddb, infos);
        const started = performance.now();
        const summary = await ingestMovieInfos({
          s3,
          ddb: docClient,
          bucket,
          key: "sweep.csv",
          table: infosName,
          concurrency,
        });
        const ingest = summary.written / ((performance.now() - started) / 1000);
        await recreateTable(ddb, infos);
        const bare = await ceiling(ddb, infosName, SWEEP_ROWS, concurrency, "s");
        sweep.push({
          concurrency,
          ingestRowsPerS: Math.round(ingest),
          ceilingRowsPerS: Math.round(bare),
          ratio: round(ingest / bare, 2),
        });
        log(
          `sweep concurrency ${concurrency}: ${Math.round(ingest)} rows/s, ceiling ${Math.round(bare)} rows/s`,
        );
      }
      docClient.destroy();
      results.concurrencySweep = {
        rows: SWEEP_ROWS,
        defaultConcurrency: DEFAULT_INGEST_CONCURRENCY,
        runs: sweep,
      };
    }

    // 2. upload-infos, the bundle in its own process, per file size; the bare loop beside it.
    if (!skip.has("ingest")) {
      const runs = [];
      for (const rows of sizes) {
        const file = join(tmp, `movies-${rows}.csv`);
        const bytes = await writeCsv(file, rows, "m");
        const key = `bench/movies ${rows}.csv`;
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: createReadStream(file),
            ContentLength: bytes,
          }),
        );
        rmSync(file);
        await recreateTable(ddb, infos);
        // A fresh process per size, so its peak RSS is this file's; a one-row file first warms it up
        // (connections, JIT), so the figure is the steady-state rate, not a cold start.
        const lambda = new LocalLambda(upload, { environment, timeoutSeconds: 900, memorySize: 256 });
        const event = (objectKey: string) => ({
          Records: [
            {
              eventName: "ObjectCreated:Put",
              s3: {
                bucket: { name: bucket },
                object: { key: encodeURIComponent(objectKey).replace(/%20/g, "+") },
              },
            },
          ],
        });
        await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: "warm-up.csv", Body: "w1,Warm,US,2001-01-01\n" }),
        );
        await lambda.invokeOrThrow(event("warm-up.csv"));
        const outcome = await lambda.invoke(event(key));
        await lambda.stop();
        if (!outcome.ok || !outcome.stats) throw new Error(`upload-infos failed: ${JSON.stringify(outcome)}`);
        const ingest = rows / (outcome.stats.durationMs / 1000);
        await recreateTable(ddb, infos);
        const ceilingRows = Math.min(rows, CEILING_MAX_ROWS);
        const bare = await ceiling(ddb, infosName, ceilingRows, DEFAULT_INGEST_CONCURRENCY, "m");
        runs.push({
          rows,
          ceilingRows,
          fileMiB: round(bytes / MiB),
          seconds: round(outcome.stats.durationMs / 1000),
          ingestRowsPerS: Math.round(ingest),
          ceilingRowsPerS: Math.round(bare),
          ratio: round(ingest / bare, 2),
          peakRssMiB: round(outcome.stats.maxRssBytes / MiB),
        });
        log(
          `ingest ${rows} rows: ${Math.round(ingest)} rows/s (ceiling ${Math.round(bare)}), peak RSS ${round(outcome.stats.maxRssBytes / MiB)} MiB`,
        );
      }
      await recreateTable(ddb, infos);
      results.ingest = { concurrency: DEFAULT_INGEST_CONCURRENCY, memorySize: 256, runs };
    }

    // 2b. A file with 1% bad rows of each kind beside the same file clean (bench/dirty-file.ts).
    if (!skip.has("dirty")) {
      const resetTable = () => recreateTable(ddb, infos);
      results.dirtyFile = await benchDirtyFile({ bucket, upload, environment, tmp, resetTable, log });
    }

    // 3. get-movie's domain function in this process: latency and round trips per call.
    if (!skip.has("get-movie")) {
      const base = new DynamoDBClient({});
      let roundTrips = 0;
      base.middlewareStack.add(
        (next) => async (args) => {
          roundTrips++;
          return next(args);
        },
        // The deserialize step runs once per HTTP attempt (inside the retry middleware).
        { step: "deserialize", name: "countRoundTrips" },
      );
      const doc = DynamoDBDocumentClient.from(base);
      await doc.send(
        new PutCommand({
          TableName: infosName,
          Item: {
            movie_id: "mv1",
            name: "Interstellar",
            country_of_origin: "United States",
            release_date: "2014-10-26",
          },
        }),
      );
      await doc.send(
        new PutCommand({
          TableName: ratingsName,
          Item: { movie_id: "mv1", rotten_tomatoes_rating: 98, imdb_rating: 43 },
        }),
      );
      const tablesOf = { infos: infosName, ratings: ratingsName };
      for (let i = 0; i < 50; i++) await getMovie(doc, tablesOf, "mv1");
      roundTrips = 0;
      const latencies: number[] = [];
      for (let i = 0; i < 1000; i++) {
        const started = performance.now();
        const movie = await getMovie(doc, tablesOf, "mv1");
        latencies.push(performance.now() - started);
        if (movie?.imdb_rating !== 43) throw new Error("get-movie returned the wrong movie");
      }
      results.getMovie = {
        calls: 1000,
        medianMs: round(median(latencies), 2),
        p99Ms: round(percentile(latencies, 0.99), 2),
        roundTripsPerCall: roundTrips / 1000,
      };
      base.destroy();
      log(`get-movie: ${JSON.stringify(results.getMovie)}`);
    }
  } finally {
    ddb.destroy();
    s3.destroy();
    await Promise.all([dynamodb.stop(), s3server.stop()]);
    rmSync(tmp, { recursive: true, force: true });
  }

  // 4. Bundles: zip size, and cold init in a fresh node process (require + module-scope clients), median of 10.
  if (!skip.has("bundles")) {
    const lambdasDir = join(projectRoot, "dist", "lambdas");
    // Every function of every dev stack, each initialised with exactly the environment its stack declares.
    const functions = ["movies-dev", "orders-dev"]
      .flatMap((name) =>
        declaredFunctions(new TerraformResolver(readStack(join(projectRoot, "cdktf.out"), name))),
      )
      .sort((a, b) => a.bundle.localeCompare(b.bundle));
    const bundles = [];
    for (const fn of functions) {
      const name = basename(dirname(fn.bundle));
      const script = `const t=process.hrtime.bigint();require(${JSON.stringify(fn.bundle)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
      const inits: number[] = [];
      for (let i = 0; i < 10; i++) {
        const out = execFileSync(process.execPath, ["-e", script], {
          env: {
            PATH: process.env.PATH ?? "",
            ...environment,
            ...fn.environment,
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
          },
        });
        inits.push(Number(out.toString()));
      }
      bundles.push({
        name,
        zipKiB: round(statSync(join(lambdasDir, `${name}.zip`)).size / 1024),
        initMs: round(median(inits)),
      });
    }
    results.bundles = bundles;
    log(`bundles: ${JSON.stringify(bundles)}`);
  }

  // 5. Synth: `npm run synth` (every stack of the app), wall time and peak RSS, median of 5.
  if (!skip.has("synth")) {
    const time = "/usr/bin/time";
    const withTime = existsSync(time);
    const walls: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const args = withTime ? ["-f", "%M", "npm", "run", "--silent", "synth"] : ["run", "--silent", "synth"];
      const run = spawnSync(withTime ? time : "npm", args, { cwd: projectRoot, encoding: "utf8" });
      walls.push(performance.now() - started);
      if (run.status !== 0) throw new Error(`npm run synth failed:\n${run.stderr}`);
      // GNU time's %M: the peak RSS, in KiB, of the largest process of the run (tsc or the app).
      if (withTime) rss.push(Number(run.stderr.trim().split("\n").pop()) * 1024);
    }
    const manifest = JSON.parse(
      (await import("node:fs")).readFileSync(join(projectRoot, "cdktf.out", "manifest.json"), "utf8"),
    ) as { stacks: Record<string, unknown> };
    results.synth = {
      stacks: Object.keys(manifest.stacks),
      medianMs: Math.round(median(walls)),
      peakRssMiB: withTime ? round(median(rss) / MiB) : null,
    };
    log(`synth: ${JSON.stringify(results.synth)}`);
  }

  results.totalSeconds = round((Date.now() - startedAt) / 1000);
  results.checks = checks(results);
  await writeFile(join(projectRoot, "bench", "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  printTable(results);
}

interface Check {
  readonly figure: string;
  readonly value: string;
  readonly target: string;
  readonly met: boolean;
}

function checks(results: Record<string, unknown>): Check[] {
  const list: Check[] = [];
  const ingest = results.ingest as
    { runs: { rows: number; ratio: number; peakRssMiB: number }[] } | undefined;
  for (const run of ingest?.runs ?? []) {
    list.push({
      figure: `ingest ${run.rows} rows vs ceiling`,
      value: `${Math.round(run.ratio * 100)}%`,
      target: "≥ 80%",
      met: run.ratio >= TARGETS.ingestVsCeiling,
    });
  }
  const [smallest, ...rest] = ingest?.runs ?? [];
  const largest = rest.pop();
  if (smallest && largest) {
    const growth = largest.peakRssMiB - smallest.peakRssMiB;
    list.push({
      figure: `peak RSS ${largest.rows} − ${smallest.rows} rows`,
      value: `${round(growth)} MiB`,
      target: "≤ 64 MiB",
      met: growth * MiB <= TARGETS.rssGrowthBytes,
    });
  }
  const getMovieResult = results.getMovie as { roundTripsPerCall: number } | undefined;
  if (getMovieResult) {
    list.push({
      figure: "get-movie round trips per call",
      value: String(getMovieResult.roundTripsPerCall),
      target: "1",
      met: getMovieResult.roundTripsPerCall === TARGETS.getMovieRoundTrips,
    });
  }
  for (const bundle of (results.bundles as { name: string; zipKiB: number; initMs: number }[] | undefined) ??
    []) {
    list.push({
      figure: `${bundle.name} zip`,
      value: `${bundle.zipKiB} KiB`,
      target: "< 250 KiB",
      met: bundle.zipKiB * 1024 < TARGETS.bundleZipBytes,
    });
    list.push({
      figure: `${bundle.name} cold init`,
      value: `${bundle.initMs} ms`,
      target: "< 60 ms",
      met: bundle.initMs < TARGETS.bundleInitMs,
    });
  }
  const synth = results.synth as { medianMs: number; peakRssMiB: number | null } | undefined;
  if (synth) {
    list.push({
      figure: "synth wall time",
      value: `${synth.medianMs} ms`,
      target: "< 3000 ms",
      met: synth.medianMs < TARGETS.synthMs,
    });
    if (synth.peakRssMiB !== null) {
      list.push({
        figure: "synth peak RSS",
        value: `${synth.peakRssMiB} MiB`,
        target: "< 400 MiB",
        met: synth.peakRssMiB * MiB < TARGETS.synthRssBytes,
      });
    }
  }
  return list;
}

function table(headers: string[], rows: (string | number)[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]) =>
    `| ${cells.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(headers), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

function printTable(results: Record<string, unknown>): void {
  const out: string[] = [];
  const sweep = results.concurrencySweep as { rows: number; runs: Record<string, number>[] } | undefined;
  if (sweep) {
    out.push(
      `Concurrency sweep (ingestMovieInfos in-process, ${sweep.rows} rows, vs. bare BatchWriteItem loop)`,
    );
    out.push(
      table(
        ["concurrency", "ingest rows/s", "ceiling rows/s", "ratio"],
        sweep.runs.map((r) => [r.concurrency, r.ingestRowsPerS, r.ceilingRowsPerS, r.ratio] as number[]),
      ),
    );
  }
  const ingest = results.ingest as { concurrency: number; runs: Record<string, number>[] } | undefined;
  if (ingest) {
    out.push(
      `\nupload-infos bundle (own process, 256 MB, concurrency ${ingest.concurrency}) vs. bare loop at the same concurrency`,
    );
    out.push(
      table(
        [
          "rows",
          "file MiB",
          "seconds",
          "ingest rows/s",
          "ceiling rows/s (over N rows)",
          "ratio",
          "peak RSS MiB",
        ],
        ingest.runs.map((r) => [
          r.rows ?? NaN,
          r.fileMiB ?? NaN,
          r.seconds ?? NaN,
          r.ingestRowsPerS ?? NaN,
          `${r.ceilingRowsPerS} (${r.ceilingRows})`,
          r.ratio ?? NaN,
          r.peakRssMiB ?? NaN,
        ]),
      ),
    );
  }
  const gm = results.getMovie as Record<string, number> | undefined;
  if (gm) {
    out.push("\nget-movie (getMovie in-process, real client, 1000 calls)");
    out.push(
      table(
        ["median ms", "p99 ms", "round trips/call"],
        [[gm.medianMs ?? NaN, gm.p99Ms ?? NaN, gm.roundTripsPerCall ?? NaN]],
      ),
    );
  }
  const bundles = results.bundles as Record<string, string | number>[] | undefined;
  if (bundles) {
    out.push("\nBundles (zip size; cold init = require + clients in a fresh node, median of 10)");
    out.push(
      table(
        ["bundle", "zip KiB", "init ms"],
        bundles.map((b) => [b.name ?? "", b.zipKiB ?? "", b.initMs ?? ""]),
      ),
    );
  }
  const synth = results.synth as
    { stacks: string[]; medianMs: number; peakRssMiB: number | null } | undefined;
  if (synth) {
    out.push(`\nnpm run synth (${synth.stacks.join(", ")}), median of 5`);
    out.push(table(["wall ms", "peak RSS MiB"], [[synth.medianMs, synth.peakRssMiB ?? "n/a"]]));
  }
  const list = results.checks as Check[];
  out.push("\nTargets");
  out.push(
    table(
      ["figure", "value", "target", "met"],
      list.map((c) => [c.figure, c.value, c.target, c.met ? "yes" : "NO"]),
    ),
  );
  out.push(`\nbench/results.json written; ${results.totalSeconds} s in all`);
  process.stdout.write(`${out.join("\n")}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
