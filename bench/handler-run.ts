import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { LocalLambda } from "../local/lambda-host";
import type { BenchEnvironment } from "./environment";
import { peakRssBytes } from "./peak-rss";
import { cpuSeconds } from "./process-cpu";

/** One upload-infos invocation over one object, in a function process of its own. */
export interface HandlerRun {
  /** Rows the handler reports written, equal to the rows the table holds afterwards (checked). */
  readonly written: number;
  readonly rejected: number;
  /** Time in the handler, measured inside the function's process. */
  readonly seconds: number;
  /** CPU time (user + system) the function's process used during the invocation. */
  readonly cpuSeconds: number;
  /** The function process's own peak resident set size (VmHWM, see peak-rss.ts). */
  readonly peakRssBytes: number;
}

const WARM_UP_KEY = "bench/warm-up.csv";

/** The function's memory size, as the stack declares it. */
export const MEMORY_SIZE = 256;

/**
 * Items in `table`, as DynamoDB Local counts them: its DescribeTable ItemCount is exact and live (20,000
 * right after 20,000 writes, measured), unlike DynamoDB's, which is refreshed about every six hours. A Scan
 * with Select COUNT says the same but took minutes over 1M items here.
 */
export async function countItems(ddb: DynamoDBClient, table: string): Promise<number> {
  const { Table } = await ddb.send(new DescribeTableCommand({ TableName: table }));
  if (Table?.ItemCount === undefined) throw new Error(`DescribeTable ${table} gave no ItemCount`);
  return Table.ItemCount;
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

/**
 * Runs the upload-infos bundle as the stack declares it (256 MB) in a fresh process over the object `key`:
 * a one-row warm-up invocation first (connections, JIT), then movie_infos is emptied and the object
 * ingested. Its figures are the handler's own, and the rows it reports written are counted in the table.
 * @throws when the invocation fails, or the table does not hold the rows the handler reports written.
 */
export async function runUploadInfos(env: BenchEnvironment, key: string): Promise<HandlerRun> {
  const lambda = new LocalLambda(env.upload, {
    environment: env.variables,
    timeoutSeconds: 900,
    memorySize: MEMORY_SIZE,
  });
  try {
    await env.s3.send(
      new PutObjectCommand({
        Bucket: env.bucket,
        Key: WARM_UP_KEY,
        Body: Buffer.from("w1,Warm,US,2001-01-01\n"),
      }),
    );
    await lambda.invokeOrThrow(s3Event(env.bucket, WARM_UP_KEY));
    await env.resetInfos();
    const pid = lambda.pid as number;
    const cpuBefore = cpuSeconds(pid);
    const outcome = await lambda.invoke(s3Event(env.bucket, key));
    const cpuAfter = cpuSeconds(pid);
    if (!outcome.ok || !outcome.stats) throw new Error(`upload-infos failed: ${JSON.stringify(outcome)}`);
    const [object] = (outcome.result as { objects: { written: number; rejected: number }[] }).objects;
    if (!object) throw new Error(`upload-infos ingested nothing: ${JSON.stringify(outcome.result)}`);
    const run = {
      written: object.written,
      rejected: object.rejected,
      seconds: outcome.stats.durationMs / 1000,
      cpuSeconds: cpuAfter - cpuBefore,
      peakRssBytes: peakRssBytes(pid),
    };
    const stored = await countItems(env.ddb, env.infosName);
    if (stored !== run.written) {
      throw new Error(`upload-infos reported ${run.written} rows written, the table holds ${stored}`);
    }
    return run;
  } finally {
    await lambda.stop();
  }
}
