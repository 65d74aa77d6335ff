import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { executionName } from "../../lambdas/upload-infos/fan-out";
import { startLocalRun, type LocalRun } from "../../local/local-run";
import { localClients } from "../../local/scenario";
import type { TerraformJson } from "../../local/terraform";
import { synthesized } from "../helpers/synth";

/**
 * The fan-out path, locally: upload-infos (its threshold lowered to 200 bytes for the test) starts the
 * ingestion state machine for a larger object, and the local Step Functions stand-in runs the definition's
 * Distributed Map through upload-infos-batch, batch after batch (50 rows each here), writing
 * the results where the ResultWriter would. Every row is written once, and every bad row is reported with
 * its line.
 */

const ROWS = 120;
/** The test's batch size, lowered from the definition's 1,000 like the threshold, so 121 lines make 3 batches. */
const BATCH_SIZE = 50;
/** Lines (1-based, the header is line 1) whose rows are bad, and why upload-infos-batch rejects them. */
const BAD: Record<number, { line: string; reason: string }> = {
  2: { line: "mv1,No date,US,", reason: "release_date is empty" },
  51: {
    line: "mv50,Bad date,US,2001-02-30",
    reason: 'release_date "2001-02-30" is not a valid YYYY-MM-DD date',
  },
  52: { line: "mv51,Short", reason: "expected 4 columns, got 2" },
  121: {
    line: "bad id!,Name,US,2001-01-01",
    reason: 'movie_id must be 1 to 128 characters of letters, digits, "_", "." or "-"',
  },
};

function bigCsv(): string {
  const lines = ["movie_id,name,country_of_origin,release_date"];
  for (let i = 1; i <= ROWS; i++) {
    const line = i + 1;
    lines.push(
      BAD[line]?.line ?? `mv${i},"Movie ${i}, the sequel",United States,2001-0${1 + (i % 9)}-1${i % 10}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** movies-dev with the state machine's `MaxItemsPerBatch` set to `size`. */
function withBatchSize(stack: TerraformJson, size: number): TerraformJson {
  const copy = JSON.parse(JSON.stringify(stack)) as TerraformJson;
  const machine = copy.resource?.aws_sfn_state_machine?.ingestion_state_machine as { definition: string };
  const lowered = machine.definition.replace('"MaxItemsPerBatch" = 1000', `"MaxItemsPerBatch" = ${size}`);
  expect(lowered).not.toBe(machine.definition);
  machine.definition = lowered;
  return copy;
}

let run: LocalRun;
let stateDir: string;
let s3: S3Client;
let ddb: DynamoDBDocumentClient;
const logs: string[] = [];

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "fan-out-"));
  run = await startLocalRun({
    stacks: [{ name: "movies-dev", json: withBatchSize(synthesized("movies-dev"), BATCH_SIZE) }],
    stateDir,
    fresh: true,
    apiPort: 0,
    s3Port: 0,
    dynamodbPort: 0,
    lambdaPort: 0,
    log: (line) => {
      logs.push(line);
      if (process.env.LOCAL_RUN_DEBUG) process.stderr.write(`${line}\n`);
    },
    functionEnvironment: (fn, environment) =>
      fn.functionName === "upload-infos-dev"
        ? { ...environment, FAN_OUT_THRESHOLD_BYTES: "200" }
        : environment,
  });
  const clients = localClients(run.urls);
  s3 = clients.s3;
  ddb = DynamoDBDocumentClient.from(clients.ddb);
}, 120_000);

afterAll(async () => {
  await run?.stop();
  rmSync(stateDir, { recursive: true, force: true });
}, 30_000);

async function scan(table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function json<T>(bucket: string, key: string): Promise<T> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse((await got.Body?.transformToString("utf8")) ?? "null") as T;
}

it("ingests a file above the threshold through the Distributed Map: every row written once, bad rows reported with their lines", async () => {
  const bucket = run.urls.s3.buckets[0]?.name as string;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "big.csv", Body: bigCsv() }));

  // The S3 server keeps no versions: the event names none, and the execution is named after version "null".
  const name = executionName({ bucket, key: "big.csv", versionId: "null" });
  const deadline = Date.now() + 60_000;
  while (!run.stepFunctions?.execution(name) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const execution = run.stepFunctions?.execution(name);
  expect(execution).toBeDefined();
  await execution?.done;
  expect(execution?.status).toBe("SUCCEEDED");
  expect(logs).toContainEqual(expect.stringMatching(/fanned out upload/));
  expect(logs).toContainEqual(
    `[states] movie-infos-ingestion-dev ${name}: ${ROWS + 1} items in 3 batches → upload-infos-batch-dev`,
  );

  // Every good row is in the table, exactly as the small path writes it.
  const items = await scan("movie_infos-dev");
  const bad = new Set(Object.keys(BAD).map((line) => Number(line) - 1));
  const expected = Array.from({ length: ROWS }, (_, k) => k + 1).filter((i) => !bad.has(i));
  expect(items.map((item) => item.movie_id).sort()).toEqual(expected.map((i) => `mv${i}`).sort());
  expect(items.find((item) => item.movie_id === "mv7")).toEqual({
    movie_id: "mv7",
    name: "Movie 7, the sequel",
    country_of_origin: "United States",
    release_date: "2001-08-17",
  });

  // The ResultWriter's files: a manifest, every batch's outcome, no failed batch.
  const { ResultWriterDetails } = JSON.parse(execution?.output ?? "{}") as {
    ResultWriterDetails: { Bucket: string; Key: string };
  };
  expect(ResultWriterDetails.Key).toMatch(/^fan-out-results\/[0-9a-f-]{36}\/manifest\.json$/);
  const manifest = await json<{ ResultFiles: Record<string, { Key: string }[]> }>(
    bucket,
    ResultWriterDetails.Key,
  );
  expect(manifest.ResultFiles.FAILED).toEqual([]);
  const [succeededFile] = manifest.ResultFiles.SUCCEEDED ?? [];
  const children = await json<{ Status: string; Output: string }[]>(bucket, succeededFile?.Key as string);
  const outputs = children.map((child) => JSON.parse(child.Output) as Record<string, unknown>);
  expect(outputs.map((o) => [o.firstLine, o.lastLine, o.written, o.skipped, o.rejectedCount])).toEqual([
    [1, 50, 48, 1, 1],
    [51, 100, 48, 0, 2],
    [101, 121, 20, 0, 1],
  ]);
  expect(outputs.flatMap((o) => o.rejected as { line: number; reason: string }[])).toEqual(
    Object.entries(BAD).map(([line, { reason }]) => ({ line: Number(line), reason })),
  );
}, 120_000);
