/**
 * `npm run bench`: the data path measured on DynamoDB Local and s3rver. Prints a table and writes
 * bench/results.json. Figures are for this machine; the targets say what we expect of them.
 *
 *   BENCH_SIZES=10000,100000   rows of the upload-infos runs (default 10000,100000,1000000)
 *   BENCH_SWEEP=1              also run the concurrency sweep that chose DEFAULT_INGEST_CONCURRENCY (~40 s)
 *   BENCH_SKIP=synth,bundles   sections to leave out (ingest, dirty, get-movie, bundles, synth)
 *
 * Each section lives in a module of its own: ingest.ts (sweep and upload-infos runs), get-movie.ts,
 * dirty-file.ts (1% bad rows of each kind beside the same rows clean), bundles.ts, synth.ts;
 * environment.ts starts the emulators, report.ts checks targets and prints.
 */
import { writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../tooling/project-root";
import { measureBundles } from "./bundles";
import { startBenchEnvironment, type BenchEnvironment } from "./environment";
import { benchDirtyFile } from "./dirty-file";
import { measureGetMovie } from "./get-movie";
import { recreateTable, runIngest, runSweep, warmUpDatabase } from "./ingest";
import { checks, formatReport, type BenchResults } from "./report";
import { round } from "./stats";
import { measureSynth } from "./synth";

const sizes = (process.env.BENCH_SIZES ?? "10000,100000,1000000").split(",").map(Number);
const skip = new Set((process.env.BENCH_SKIP ?? "").split(",").filter(Boolean));
const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const startedAt = Date.now();
  const results: BenchResults = { machine: { cpus: cpus().length } };
  const env = await startBenchEnvironment();
  try {
    await warmUpDatabase(env);
    if (process.env.BENCH_SWEEP === "1") results.concurrencySweep = await runSweep(env);
    if (!skip.has("ingest")) results.ingest = await runIngest(env, sizes);
    if (!skip.has("dirty")) results.dirtyFile = await runDirtyFile(env);
    if (!skip.has("get-movie")) {
      results.getMovie = await measureGetMovie(env);
      log(`get-movie: ${JSON.stringify(results.getMovie)}`);
    }
  } finally {
    await env.stop();
  }
  if (!skip.has("bundles")) {
    results.bundles = measureBundles(env.variables);
    log(`bundles: ${JSON.stringify(results.bundles)}`);
  }
  if (!skip.has("synth")) {
    results.synth = measureSynth();
    log(`synth: ${JSON.stringify(results.synth)}`);
  }
  results.totalSeconds = round((Date.now() - startedAt) / 1000);
  results.checks = checks(results);
  await writeFile(join(projectRoot, "bench", "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(formatReport(results));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

/** The dirty-file case (bench/dirty-file.ts) on this run's emulators. */
function runDirtyFile(env: BenchEnvironment) {
  const { bucket, upload, variables: environment, tmp } = env;
  return benchDirtyFile({
    bucket,
    upload,
    environment,
    tmp,
    resetTable: () => recreateTable(env.ddb, env.infos),
    log,
  });
}
