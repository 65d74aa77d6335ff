import { LocalLambda } from "../local/lambda-host";
import { FULL_VCPU_MEMORY_MB, loadConfig } from "../stacks/config";
import type { BenchEnvironment } from "./environment";
import { countItems } from "./handler-run";
import { movieRow } from "./movie-rows";
import { cpuSeconds } from "./process-cpu";
import { median, round } from "./stats";

const log = (line: string) => process.stderr.write(`${line}\n`);

/**
 * What Step Functions adds per batch on AWS, by assumption (not measured here): the child execution's
 * start and the Lambda invoke, about 50 ms.
 */
export const BATCH_OVERHEAD_SECONDS = 0.05;
/** What an execution adds once on AWS, by assumption: the map run's start and the item reader's first read. */
export const EXECUTION_OVERHEAD_SECONDS = 5;

export interface FanOutProjection {
  readonly rows: number;
  readonly batches: number;
  readonly seconds: number;
  readonly minutes: number;
  /** The limit the projected rate met: the batches' CPU, or the table's write throughput. */
  readonly boundBy: "batches" | "table";
}

export interface FanOutResult {
  /** Rows per batch, as prod configures it. */
  readonly batchSize: number;
  readonly batchesMeasured: number;
  /** CPU time of upload-infos-batch's process per row, median over the batches (µs, at one full core). */
  readonly cpuUsPerRow: number;
  /** Rows per second of one batch invocation here (wall time in the handler), median. */
  readonly rowsPerSecondPerBatch: number;
  /** Time in the handler not spent on CPU (waiting on DynamoDB), per batch, median (s). */
  readonly waitSecondsPerBatch: number;
  readonly prod: {
    readonly memorySize: number;
    readonly maxConcurrency: number;
    readonly tableWriteUnitsPerSecond: number;
    /** The CPU share Lambda gives at that memory (1 vCPU at 1,769 MB). */
    readonly cpuShare: number;
    /** One batch's projected time on AWS (s). */
    readonly batchSeconds: number;
    readonly rowsPerSecond: number;
    readonly projections: FanOutProjection[];
  };
  readonly method: string;
}

/** The event the map's ItemBatcher sends for rows `first..first+count-1` (line = row + 1, after a header). */
function batchEvent(prefix: string, first: number, count: number) {
  return {
    BatchInput: { bucket: "bench", key: "bench.csv", versionId: "null" },
    Items: Array.from({ length: count }, (_, k) => {
      const i = first + k;
      return { index: i, row: movieRow(prefix, i) };
    }),
  };
}

/**
 * Runs upload-infos-batch, as the stack declares it, in a fresh process over `batches` batches of prod's batch
 * size (after a one-batch warm-up), each into the emptied table, measuring the process's CPU and the time in
 * the handler per batch; then projects an execution's wall time on AWS for 1M and 10M rows at prod's settings.
 */
export async function benchFanOut(env: BenchEnvironment, batches = 10): Promise<FanOutResult> {
  const { ingestion } = loadConfig("prod", {});
  const batchSize = ingestion.batchSize;
  const lambda = new LocalLambda(env.batch, {
    environment: env.variables,
    timeoutSeconds: 900,
    memorySize: 1024,
  });
  const cpu: number[] = [];
  const rate: number[] = [];
  const wait: number[] = [];
  try {
    await lambda.invokeOrThrow(batchEvent("w", 1, batchSize));
    await env.resetInfos();
    for (let b = 0; b < batches; b++) {
      const pid = lambda.pid as number;
      const before = cpuSeconds(pid);
      const outcome = await lambda.invoke(batchEvent("f", 1 + b * batchSize, batchSize));
      const cpuUsed = cpuSeconds(pid) - before;
      if (!outcome.ok || !outcome.stats)
        throw new Error(`upload-infos-batch failed: ${JSON.stringify(outcome)}`);
      const written = (outcome.result as { written: number }).written;
      if (written !== batchSize) throw new Error(`batch ${b} wrote ${written} of ${batchSize} rows`);
      const seconds = outcome.stats.durationMs / 1000;
      cpu.push((cpuUsed / batchSize) * 1e6);
      rate.push(batchSize / seconds);
      wait.push(Math.max(0, seconds - cpuUsed));
    }
    const stored = await countItems(env.ddb, env.infosName);
    if (stored !== batches * batchSize)
      throw new Error(`the table holds ${stored} rows, not ${batches * batchSize}`);
  } finally {
    await lambda.stop();
  }
  const cpuUsPerRow = median(cpu);
  const waitSecondsPerBatch = median(wait);
  const cpuShare = Math.min(ingestion.memorySize, FULL_VCPU_MEMORY_MB) / FULL_VCPU_MEMORY_MB;
  const batchSeconds =
    (batchSize * cpuUsPerRow) / 1e6 / cpuShare + waitSecondsPerBatch + BATCH_OVERHEAD_SECONDS;
  const batchesRate = (ingestion.maxConcurrency * batchSize) / batchSeconds;
  const rowsPerSecond = Math.min(batchesRate, ingestion.tableWriteUnitsPerSecond);
  const boundBy = batchesRate <= ingestion.tableWriteUnitsPerSecond ? "batches" : "table";
  const projections = [1_000_000, 10_000_000].map((rows) => {
    const seconds = rows / rowsPerSecond + EXECUTION_OVERHEAD_SECONDS;
    return {
      rows,
      batches: Math.ceil(rows / batchSize),
      seconds: round(seconds, 1),
      minutes: round(seconds / 60, 1),
      boundBy,
    } as const;
  });
  const result: FanOutResult = {
    batchSize,
    batchesMeasured: batches,
    cpuUsPerRow: round(cpuUsPerRow, 1),
    rowsPerSecondPerBatch: Math.round(median(rate)),
    waitSecondsPerBatch: round(waitSecondsPerBatch, 3),
    prod: {
      memorySize: ingestion.memorySize,
      maxConcurrency: ingestion.maxConcurrency,
      tableWriteUnitsPerSecond: ingestion.tableWriteUnitsPerSecond,
      cpuShare: round(cpuShare, 3),
      batchSeconds: round(batchSeconds, 3),
      rowsPerSecond: Math.round(rowsPerSecond),
      projections,
    },
    method:
      `upload-infos-batch's bundle in a fresh process (one warm-up batch), ${batches} batches of ${batchSize} rows ` +
      "into DynamoDB Local; CPU per row = the process's user+system CPU over the batch / rows (median); on AWS a " +
      "batch takes rows × CPU per row ÷ the CPU share of prod's memory (memory / 1,769 MB) + the time the batch " +
      `waited here (DynamoDB) + ${BATCH_OVERHEAD_SECONDS * 1000} ms for the child execution and invoke (assumed); ` +
      "rows/s = min(MaxConcurrency × batch size ÷ batch time, the table's write units per second); wall time = " +
      `rows ÷ rows/s + ${EXECUTION_OVERHEAD_SECONDS} s for the execution to start and read (assumed)`,
  };
  log(`fan-out: ${JSON.stringify(result)}`);
  return result;
}
