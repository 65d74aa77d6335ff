import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DeleteItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { projectRoot } from "../tooling/project-root";
import { moviesApp, ordersApi, type LocalEndpoints } from "./endpoints";

/** The movie the workshop's Test section ends with. */
export const EXPECTED_MV1 = {
  movie_id: "mv1",
  name: "Interstellar",
  country_of_origin: "United States",
  release_date: "2014-10-26",
  rotten_tomatoes_rating: 98,
  imdb_rating: 43,
} as const;

/** The workshop's three lines. */
export const WORKSHOP_CSV = join(projectRoot, "__tests__", "fixtures", "movie-infos.csv");

export interface ScenarioOptions {
  /** One line per step. @default dropped */
  readonly log?: (line: string) => void;
  /** How long to wait for the upload to be ingested. @default 30 s */
  readonly ingestTimeoutMs?: number;
}

export interface HttpResult {
  readonly status: number;
  readonly body: string;
  readonly json: unknown;
}

/** One HTTP request over real fetch; the body is parsed as JSON when it is JSON. */
export async function request(url: string, init: RequestInit = {}): Promise<HttpResult> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const body = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: response.status, body, json };
}

class ScenarioError extends Error {
  override readonly name = "ScenarioError";
}

function expectThat(condition: boolean, message: string): void {
  if (!condition) throw new ScenarioError(message);
}

/** Clients for the local S3 server and DynamoDB Local, with the credentials they accept. */
export function localClients(endpoints: LocalEndpoints): { s3: S3Client; ddb: DynamoDBClient } {
  // A copy: the SDK decorates the credentials object it is given.
  const config = { region: endpoints.region, credentials: { ...endpoints.credentials } };
  return {
    s3: new S3Client({ ...config, endpoint: endpoints.s3.endpoint, forcePathStyle: true }),
    ddb: new DynamoDBClient({ ...config, endpoint: endpoints.dynamodb.endpoint }),
  };
}

/**
 * The workshop's Test section over HTTP against a local run: upload movie-infos.csv to the bucket, wait
 * until the notification's function has ingested it (polling GET), PATCH mv1's ratings, GET mv1 and
 * check the merged movie. mv1..mv3 are deleted from movie_infos first, so a second run proves the
 * upload path again instead of finding the first run's data.
 */
export async function runMoviesScenario(
  endpoints: LocalEndpoints,
  options: ScenarioOptions = {},
): Promise<void> {
  const log = options.log ?? (() => undefined);
  const app = moviesApp(endpoints);
  if (!app) throw new ScenarioError("no stack with GET /movies/{movieId} and a *.csv bucket notification");
  const movie = `${app.api.url}/movies/mv1`;
  const { s3, ddb } = localClients(endpoints);
  try {
    if (app.infosTable) {
      for (const id of ["mv1", "mv2", "mv3"]) {
        await ddb.send(
          new DeleteItemCommand({ TableName: app.infosTable.name, Key: { movie_id: { S: id } } }),
        );
      }
      log(`cleared mv1..mv3 from ${app.infosTable.name}`);
    }
    await s3.send(
      new PutObjectCommand({
        Bucket: app.bucket.name,
        Key: "movie-infos.csv",
        Body: readFileSync(WORKSHOP_CSV),
      }),
    );
    log(`uploaded movie-infos.csv to s3://${app.bucket.name}`);

    const deadline = Date.now() + (options.ingestTimeoutMs ?? 30_000);
    let got = await request(movie);
    while (got.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      got = await request(movie);
    }
    expectThat(got.status === 200, `GET ${movie} after the upload: ${got.status} ${got.body}`);
    log(`ingested: GET ${movie} → 200`);

    const patched = await request(movie, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ movie_id: "mv1", rotten_tomatoes_rating: 98, imdb_rating: 43 }),
    });
    expectThat(patched.status === 200, `PATCH ${movie}: ${patched.status} ${patched.body}`);
    log(`PATCH ${movie} → 200 ${patched.body}`);

    const merged = await request(movie);
    expectThat(
      merged.status === 200 && JSON.stringify(merged.json) === JSON.stringify(EXPECTED_MV1),
      `GET ${movie}: expected 200 ${JSON.stringify(EXPECTED_MV1)}, got ${merged.status} ${merged.body}`,
    );
    log(`GET ${movie} → 200 ${merged.body}`);
  } finally {
    s3.destroy();
    ddb.destroy();
  }
}

/**
 * The Orders flow, when a chosen stack has the Orders API: POST /orders → 201 with `order_id`, then
 * GET /orders/{orderId} → 200. Returns false, having done nothing, when there is no Orders API.
 */
export async function runOrdersScenario(
  endpoints: LocalEndpoints,
  options: ScenarioOptions = {},
): Promise<boolean> {
  const log = options.log ?? (() => undefined);
  const api = ordersApi(endpoints);
  if (!api) return false;
  const created = await request(`${api.url}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      customer_id: "c-1",
      items: [{ sku: "book-1", quantity: 2, unit_price_cents: 1299 }],
    }),
  });
  const orderId = (created.json as { order_id?: unknown } | undefined)?.order_id;
  expectThat(
    created.status === 201 && typeof orderId === "string" && orderId.length > 0,
    `POST ${api.url}/orders: expected 201 with an order_id, got ${created.status} ${created.body}`,
  );
  log(`POST ${api.url}/orders → 201 order ${String(orderId)}`);
  const url = `${api.url}/orders/${encodeURIComponent(orderId as string)}`;
  const got = await request(url);
  expectThat(got.status === 200, `GET ${url}: ${got.status} ${got.body}`);
  log(`GET ${url} → 200 ${got.body}`);
  return true;
}
