import { Readable } from "node:stream";
import { BatchWriteItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { withoutSdkLogging } from "../lambdas/shared/sdk-clients";
import { putRequests } from "./bare-loop";
import { median, round } from "./stats";

/** The SDK's own CPU for a 25-item BatchWriteItem, with and without its logger middleware (sdk-clients.ts). */
export interface SdkLoggingResult {
  readonly batchesPerRound: number;
  /** Rounds measured, after the warm-up rounds. */
  readonly rounds: number;
  /** Client CPU per row written, median over the rounds: the SDK's defaults. */
  readonly withLoggerUsPerRow: number;
  /** The same with the logger middleware removed, as every function's clients are. */
  readonly withoutLoggerUsPerRow: number;
  /** without ÷ with, median of the per-round ratios. */
  readonly ratio: number;
  readonly method: string;
}

const BATCH = 25;
const WARM_UP_ROUNDS = 2;

/** Answers every request at once with an empty BatchWriteItem output: only the client's own work is timed. */
const instantHandler = {
  handle: async () => ({
    response: {
      statusCode: 200,
      headers: { "content-type": "application/x-amz-json-1.0" },
      body: Readable.from([Buffer.from('{"UnprocessedItems":{}}')]),
    },
  }),
};

function client(): DynamoDBClient {
  return new DynamoDBClient({
    region: "eu-central-1",
    endpoint: "http://127.0.0.1:9",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
    requestHandler: instantHandler,
  });
}

/** CPU µs per row of `batches` BatchWriteItem calls of the bench's rows (movie-rows.ts), one at a time. */
async function cpuPerRow(ddb: DynamoDBClient, pass: number, batches: number): Promise<number> {
  const started = process.cpuUsage();
  for (let index = 0; index < batches; index++) {
    const first = index * BATCH + 1;
    const requests = putRequests(`r${pass}-`, first, first + BATCH - 1);
    await ddb.send(new BatchWriteItemCommand({ RequestItems: { bench: requests } }));
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / (batches * BATCH);
}

/**
 * Two clients in this process, one as the SDK builds it and one without its logger middleware, each sending
 * `batches` 25-item BatchWriteItem calls per round to a handler that answers at once, alternating which goes
 * first; the first rounds warm up the JIT and are not counted.
 */
export async function measureSdkLogging(rounds = 8, batches = 4_000): Promise<SdkLoggingResult> {
  const withLogger = client();
  const withoutLogger = withoutSdkLogging(client());
  const plain: number[] = [];
  const quiet: number[] = [];
  for (let pass = 0; pass < WARM_UP_ROUNDS + rounds; pass++) {
    let a: number;
    let b: number;
    if (pass % 2 === 0) {
      a = await cpuPerRow(withLogger, pass, batches);
      b = await cpuPerRow(withoutLogger, pass, batches);
    } else {
      b = await cpuPerRow(withoutLogger, pass, batches);
      a = await cpuPerRow(withLogger, pass, batches);
    }
    if (pass < WARM_UP_ROUNDS) continue;
    plain.push(a);
    quiet.push(b);
  }
  withLogger.destroy();
  withoutLogger.destroy();
  return {
    batchesPerRound: batches,
    rounds,
    withLoggerUsPerRow: round(median(plain)),
    withoutLoggerUsPerRow: round(median(quiet)),
    ratio: round(median(quiet.map((value, index) => value / (plain[index] as number))), 3),
    method:
      `${rounds} rounds (after ${WARM_UP_ROUNDS} warm-up rounds) of ${batches} 25-item BatchWriteItem calls per ` +
      "client, alternating which client goes first, to an in-process handler that answers at once: the " +
      "client's own CPU (serializing, signing, middleware) per row, median over the rounds",
  };
}
