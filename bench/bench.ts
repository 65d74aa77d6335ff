/**
 * `npm run bench`: the data path measured on DynamoDB Local and s3rver. Prints a table per section with its
 * method, and writes bench/results.json. Figures are for this machine; the targets say what we expect of them.
 *
 *   BENCH_SIZES=10000,100000   rows of the upload-infos rate and peak RSS runs (default 10000,100000,1000000)
 *   BENCH_PAIRS=5              alternated pairs of the ratio figures (default 5)
 *   BENCH_PAIR_ROWS=100000     rows of each upload-infos / bare loop pair (default 100000)
 *   BENCH_SWEEP=1              also run the concurrency sweep that chose DEFAULT_INGEST_CONCURRENCY (~40 s)
 *   BENCH_FANOUT_BATCHES=10    batches of prod's batch size the fan-out section measures (default 10)
 *   BENCH_SKIP=synth,bundles   sections to leave out (ingest, short, dirty, get-movie, fanout, sdk-logging,
 *                              bundles, synth)
 *   BENCH_SYNTH_BASELINE=<dir> an older checkout, `dist/infra/main.js` built (npm ci && npm run build:infra),
 *                              whose synth the warm-cache synth is compared with, triple by triple
 *
 * Each section lives in a module of its own: ingest.ts (sweep, pairs beside the bare loop, file sizes),
 * short-first-line.ts, dirty-file.ts, get-movie.ts, sdk-logging.ts, bundles.ts, synth.ts; environment.ts starts the
 * emulators, upload.ts stores each file verified byte-exact, report.ts checks targets and prints. The bench
 * fails (exit code 1) when a file is not stored as sent or its rows are not all accounted for.
 */
import { readFile, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../tooling/project-root";
import { measureBundles } from "./bundles";
import { benchDirtyFile } from "./dirty-file";
import { startBenchEnvironment } from "./environment";
import { benchFanOut } from "./fan-out";
import { measureGetMovie } from "./get-movie";
import { runIngest, runSweep, warmUpDatabase } from "./ingest";
import { checks, formatReport, type BenchResults } from "./report";
import { measureSdkLogging } from "./sdk-logging";
import { benchShortFirstLine } from "./short-first-line";
import { round } from "./stats";
import { measureSynth } from "./synth";

const sizes = (process.env.BENCH_SIZES ?? "10000,100000,1000000").split(",").map(Number);
const pairs = Number(process.env.BENCH_PAIRS ?? 5);
const pairRows = Number(process.env.BENCH_PAIR_ROWS ?? 100_000);
const skip = new Set((process.env.BENCH_SKIP ?? "").split(",").filter(Boolean));
const log = (line: string) => process.stderr.write(`${line}\n`);
const load = () => loadavg().map((value) => round(value, 2));

async function main(): Promise<void> {
  const startedAt = Date.now();
  const results: BenchResults = { machine: { cpus: cpus().length } };
  const loadAtStart = load();
  const env = await startBenchEnvironment();
  try {
    await warmUpDatabase(env);
    if (process.env.BENCH_SWEEP === "1") results.concurrencySweep = await runSweep(env);
    if (!skip.has("ingest")) results.ingest = await runIngest(env, { sizes, pairRows, pairs });
    if (!skip.has("short")) results.shortFirstLine = await benchShortFirstLine(env, pairs);
    if (!skip.has("dirty")) results.dirtyFile = await benchDirtyFile(env);
    if (!skip.has("fanout")) {
      results.fanOut = await benchFanOut(env, Number(process.env.BENCH_FANOUT_BATCHES ?? 10));
    }
    if (!skip.has("get-movie")) {
      results.getMovie = await measureGetMovie(env);
      log(`get-movie: ${JSON.stringify(results.getMovie)}`);
    }
  } finally {
    await env.stop();
  }
  if (!skip.has("sdk-logging")) {
    results.sdkLogging = await measureSdkLogging();
    log(`sdk-logging: ${JSON.stringify(results.sdkLogging)}`);
  }
  if (!skip.has("bundles")) {
    results.bundles = measureBundles();
    log(`bundles: ${JSON.stringify(results.bundles)}`);
  }
  if (!skip.has("synth")) {
    results.synth = measureSynth(pairs);
    log(`synth: ${JSON.stringify(results.synth)}`);
  }
  keepSkippedSections(results, await readPrevious());
  results.machine.loadAverage = { start: loadAtStart, end: load() };
  results.totalSeconds = round((Date.now() - startedAt) / 1000);
  results.checks = checks(results);
  await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(formatReport(results));
}

const RESULTS = join(projectRoot, "bench", "results.json");

/** The section each BENCH_SKIP name leaves out. */
const SECTIONS: Readonly<Record<string, keyof BenchResults>> = {
  ingest: "ingest",
  short: "shortFirstLine",
  dirty: "dirtyFile",
  "get-movie": "getMovie",
  fanout: "fanOut",
  "sdk-logging": "sdkLogging",
  bundles: "bundles",
  synth: "synth",
};

async function readPrevious(): Promise<BenchResults | undefined> {
  try {
    return JSON.parse(await readFile(RESULTS, "utf8")) as BenchResults;
  } catch {
    return undefined;
  }
}

/**
 * A section left out with BENCH_SKIP keeps its figures of the previous results.json, so running one section
 * does not erase the others' (each section's figures say how they were measured; the load averages are this run's).
 */
function keepSkippedSections(results: BenchResults, previous: BenchResults | undefined): void {
  if (!previous) return;
  for (const [name, section] of Object.entries(SECTIONS)) {
    if (skip.has(name) && results[section] === undefined && previous[section] !== undefined) {
      (results as unknown as Record<string, unknown>)[section] = previous[section];
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
