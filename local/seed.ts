import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { parseCsvLine } from "../lambdas/upload-infos/csv-line";
import { isHeaderRow, parseMovieInfoRow } from "../lambdas/upload-infos/rows";
import { parseCommand, requireRunningEndpoints, runCommand, stateDirOf, UsageError } from "./cli";
import { moviesApp } from "./endpoints";
import { functionLogPath } from "./function-logs";
import { localClients, WORKSHOP_CSV } from "./scenario";

export const SEED_USAGE = `Usage: npm run seed -- [--file <csv>] [--force] [--state-dir <dir>]

Seeds the running local run with the workshop's movies the way they arrive on AWS: uploads the CSV
(default: __tests__/fixtures/movie-infos.csv) to the ingestion bucket, whose notification runs upload-infos,
and waits until every movie of the CSV is in movie_infos. Idempotent: when they are all there already with
the same values, nothing is uploaded (--force uploads anyway).

Options:
  --file <csv>        The CSV to upload (its key is its file name)
  --force             Upload even when movie_infos already holds the CSV's movies
  --state-dir <dir>   The local run's state directory (default: .local, or $LOCAL_STATE_DIR)
  --timeout <s>       How long to wait for the ingestion (default: 30)`;

/** The items upload-infos writes for `csv`: its valid rows, parsed by the function's own code. */
export function expectedItems(csv: Buffer): Record<string, string>[] {
  const items: Record<string, string>[] = [];
  csv
    .toString("utf8")
    .split(/\r?\n/)
    .forEach((line, index) => {
      if (line.trim() === "") return;
      const parsed = parseCsvLine(line);
      if (!parsed.ok || (index === 0 && isHeaderRow(parsed.fields))) return;
      const row = parseMovieInfoRow(parsed.fields);
      if (row.ok) items.push({ ...row.item });
    });
  return items;
}

/** The ids of `items` that movie_infos does not hold with exactly these values. */
async function missingItems(
  documents: DynamoDBDocumentClient,
  table: string,
  items: readonly Record<string, string>[],
): Promise<string[]> {
  const missing: string[] = [];
  for (const item of items) {
    const got = await documents.send(
      new GetCommand({ TableName: table, Key: { movie_id: item.movie_id }, ConsistentRead: true }),
    );
    if (!got.Item || JSON.stringify(sorted(got.Item)) !== JSON.stringify(sorted(item))) {
      missing.push(item.movie_id as string);
    }
  }
  return missing;
}

function sorted(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** `npm run seed`: 0 when movie_infos holds every movie of the CSV. */
export async function seedCommand(
  argv: string[],
  log = (line: string) => console.log(line),
): Promise<number> {
  const parsed = parseCommand(
    argv,
    {
      file: { type: "string" },
      force: { type: "boolean" },
      timeout: { type: "string" },
      "state-dir": { type: "string" },
    },
    SEED_USAGE,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new UsageError(`Unexpected argument ${positionals[0]}\n\n${SEED_USAGE}`);
  const stateDir = stateDirOf(values["state-dir"]);
  const endpoints = requireRunningEndpoints(stateDir);
  const app = moviesApp(endpoints);
  if (!app?.infosTable)
    throw new UsageError(
      "The local run has no movies stack (GET /movies/{movieId}, a *.csv bucket notification)",
    );
  const file = values.file ?? WORKSHOP_CSV;
  const csv = readFileSync(file);
  const items = expectedItems(csv);
  const key = basename(file);
  const table = app.infosTable.name;
  const { s3, ddb } = localClients(endpoints);
  const documents = DynamoDBDocumentClient.from(ddb);
  try {
    if (!values.force && (await missingItems(documents, table, items)).length === 0) {
      log(
        `Already seeded: ${table} holds the ${items.length} movies of ${key} (nothing uploaded; --force uploads anyway)`,
      );
      return 0;
    }
    const started = Date.now();
    await s3.send(new PutObjectCommand({ Bucket: app.bucket.name, Key: key, Body: csv }));
    const notified = app.bucket.notifications.map((n) => n.functionName).join(", ");
    const deadline = started + Number(values.timeout ?? 30) * 1000;
    let missing = await missingItems(documents, table, items);
    while (missing.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      missing = await missingItems(documents, table, items);
    }
    if (missing.length > 0) {
      const logFile = functionLogPath(stateDir, app.bucket.notifications[0]?.functionName ?? "upload-infos");
      throw new Error(
        `uploaded s3://${app.bucket.name}/${key}, but ${table} still lacks ${missing.join(", ")}; see ${logFile}`,
      );
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    log(
      `Seeded ${items.length} movies into ${table}: s3://${app.bucket.name}/${key} → ${notified} in ${seconds} s`,
    );
    return 0;
  } finally {
    s3.destroy();
    ddb.destroy();
  }
}

if (require.main === module) runCommand("seed", (argv) => seedCommand(argv));
