import { fork } from "node:child_process";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from "@aws-sdk/client-dynamodb";
import { movieRow } from "./movie-rows";

/** What one bare loop did: rows DynamoDB accepted, and the time it took. */
export interface BareLoopRun {
  readonly written: number;
  readonly seconds: number;
}

/** A bare loop in a process of its own, with that process's CPU time (user + system) during the loop. */
export interface BareLoopProcessRun extends BareLoopRun {
  readonly cpuSeconds: number;
}

/** The bare loop's arguments, the same in this process and in a fresh one. */
export interface BareLoopParams {
  readonly table: string;
  /** Rows 1..rows of `prefix` (movie-rows.ts), as the handler's CSV holds them. */
  readonly rows: number;
  readonly prefix: string;
  /** BatchWriteItem calls in flight. */
  readonly concurrency: number;
}

/** Put requests for rows `from`..`to` of `prefix` (movie-rows.ts), as raw attribute values. */
export function putRequests(prefix: string, from: number, to: number): WriteRequest[] {
  const requests: WriteRequest[] = [];
  for (let i = from; i <= to; i++) {
    const row = movieRow(prefix, i);
    requests.push({
      PutRequest: {
        Item: {
          movie_id: { S: row.movie_id },
          name: { S: row.name },
          country_of_origin: { S: row.country_of_origin },
          release_date: { S: row.release_date },
        },
      },
    });
  }
  return requests;
}

/**
 * The ceiling: the same rows written by 25-item BatchWriteItem calls, `concurrency` in flight, with no S3,
 * CSV, validation or retries (an unprocessed item fails the run, so `written` is what DynamoDB took).
 */
export async function bareLoop(ddb: DynamoDBClient, params: BareLoopParams): Promise<BareLoopRun> {
  const { table, rows, prefix, concurrency } = params;
  let next = 0;
  let written = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < rows) {
        const first = next + 1;
        next = Math.min(rows, next + 25);
        const requests = putRequests(prefix, first, next);
        const output = await ddb.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
        if (Object.keys(output.UnprocessedItems ?? {}).length > 0) {
          throw new Error("bare loop: DynamoDB returned unprocessed items");
        }
        written += requests.length;
      }
    }),
  );
  return { written, seconds: (performance.now() - started) / 1000 };
}

/**
 * The bare loop in a fresh node process (bare-loop-process.ts), as the handler runs in one: its own
 * connections, JIT and heap, warmed up by one batch of the same rows before the timed loop. `environment`
 * points its SDK at the local endpoints.
 */
export function bareLoopInFreshProcess(
  params: BareLoopParams,
  environment: Readonly<Record<string, string>>,
): Promise<BareLoopProcessRun> {
  // __dirname is dist/infra/bench once built, where the child's script sits beside this one.
  const child = fork(join(__dirname, "bare-loop-process.js"), [JSON.stringify(params)], {
    env: {
      PATH: process.env.PATH ?? "",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...environment,
    },
    execArgv: [],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    let result: BareLoopProcessRun | undefined;
    child.once("message", (message: BareLoopProcessRun) => (result = message));
    child.once("error", reject);
    // "close" comes after the process exited and its IPC channel closed, so the result has arrived.
    child.once("close", (code) => {
      if (code === 0 && result) resolve(result);
      else reject(new Error(`the bare loop's process exited with code ${code} and no result`));
    });
  });
}
