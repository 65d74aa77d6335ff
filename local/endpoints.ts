import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { LocalUserPool } from "./cognito";

/**
 * What a running local run serves, as `startLocalRun` returns it and writes it to
 * `<stateDir>/endpoints.json` (which `npm run smoke` reads).
 */
export interface LocalEndpoints {
  readonly region: string;
  /** The credentials the local S3 server accepts (DynamoDB Local accepts any). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** One entry per API and stage. */
  readonly apis: readonly LocalApiEndpoint[];
  readonly s3: { readonly endpoint: string; readonly buckets: readonly LocalBucket[] };
  readonly dynamodb: { readonly endpoint: string; readonly tables: readonly LocalTable[] };
  /** The Lambda Invoke API (`aws lambda invoke --endpoint-url`), and the functions it serves. */
  readonly lambda: { readonly endpoint: string; readonly functions: readonly LocalFunction[] };
  /** Where each function's log is written (`<function>.log`). */
  readonly logs: string;
  /**
   * The Cognito emulator and the user pools of the stacks (sign up and sign in there; the APIs' Cognito
   * authorizers accept its tokens). Absent when no stack declares a user pool.
   */
  readonly cognito?: {
    readonly endpoint: string;
    readonly userPools: readonly LocalUserPool[];
  };
}

export interface LocalFunction {
  readonly stack: string;
  /** `aws_lambda_function.get_movie_lambda` */
  readonly address: string;
  /** The deployed name (`get-movie-dev`), which the Lambda endpoint and `npm run invoke` take. */
  readonly name: string;
}

export interface LocalApiEndpoint {
  readonly stack: string;
  /** `aws_api_gateway_rest_api.movies_api` */
  readonly address: string;
  readonly name: string;
  readonly stage: string;
  /** The stage's invoke URL (`http://127.0.0.1:3000/dev`), like the deployed stage's `invoke_url`. */
  readonly url: string;
  readonly routes: readonly {
    readonly method: string;
    readonly path: string;
    readonly functionName?: string;
    /** The container service that serves the route (an HTTP API to ECS, run as a local process). */
    readonly service?: string;
    /** `COGNITO_USER_POOLS` when the route needs a token (`Authorization` header). @default open */
    readonly authorization?: "COGNITO_USER_POOLS";
  }[];
}

export interface LocalBucket {
  readonly stack: string;
  readonly address: string;
  readonly name: string;
  readonly notifications: readonly {
    readonly events: readonly string[];
    readonly filterPrefix?: string;
    readonly filterSuffix?: string;
    readonly functionName: string;
  }[];
}

export interface LocalTable {
  readonly stack: string;
  /** `aws_dynamodb_table.movie_infos_table` */
  readonly address: string;
  readonly name: string;
}

/** A running local run's endpoints could not be read: what to do about it is in the message. */
export class NoLocalRunError extends Error {
  override readonly name = "NoLocalRunError";
}

/**
 * Reads `<stateDir>/endpoints.json` (the one a running `npm start` writes), saying what to run when there
 * is none.
 */
export function readEndpoints(stateDir: string): LocalEndpoints {
  const path = join(stateDir, "endpoints.json");
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LocalEndpoints;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new NoLocalRunError(
        `No ${path}: no local run is serving from ${stateDir}. Start one (\`npm start\`), or point at ` +
          "the state directory of a running one with --state-dir <dir>",
        { cause: error },
      );
    }
    throw error;
  }
}

/** The table of endpoints `npm start` prints. */
export function formatEndpoints(endpoints: LocalEndpoints): string {
  const lines: string[] = [];
  for (const api of endpoints.apis) {
    lines.push(`  API ${api.name} (${api.stack}, stage ${api.stage})  ${api.url}`);
    const width = Math.max(...api.routes.map((r) => r.path.length), 0);
    for (const route of api.routes) {
      const target =
        (route.functionName
          ? `→ ${route.functionName}`
          : route.service
            ? `→ ${route.service} (container, as a local process)`
            : "(not run locally)") + (route.authorization ? "  (token required)" : "");
      lines.push(`      ${route.method.padEnd(7)} ${api.url}${route.path.padEnd(width)}  ${target}`);
    }
  }
  lines.push(`  S3         ${endpoints.s3.endpoint}`);
  for (const bucket of endpoints.s3.buckets) {
    const notes = bucket.notifications.map(
      (n) => `${n.filterPrefix ?? ""}*${n.filterSuffix ?? ""} → ${n.functionName}`,
    );
    lines.push(`      s3://${bucket.name}${notes.length > 0 ? `  (${notes.join(", ")})` : ""}`);
  }
  lines.push(`  DynamoDB   ${endpoints.dynamodb.endpoint}`);
  lines.push(`      ${endpoints.dynamodb.tables.map((t) => t.name).join(", ")}`);
  lines.push(`  Lambda     ${endpoints.lambda.endpoint}  (aws lambda invoke --endpoint-url ...)`);
  lines.push(`      ${endpoints.lambda.functions.map((f) => f.name).join(", ")}`);
  lines.push(`  Logs       ${endpoints.logs}/<function>.log  (npm run logs -- <function> --follow)`);
  if (endpoints.cognito) {
    lines.push(`  Cognito    ${endpoints.cognito.endpoint}  (aws cognito-idp --endpoint-url ...)`);
    for (const pool of endpoints.cognito.userPools) {
      const clients = pool.clients.map((c) => `${c.name} ${c.id}`).join(", ");
      lines.push(`      ${pool.name} ${pool.id}  (clients: ${clients})`);
    }
  }
  lines.push(
    `  Credentials  AWS_ACCESS_KEY_ID=${endpoints.credentials.accessKeyId} ` +
      `AWS_SECRET_ACCESS_KEY=${endpoints.credentials.secretAccessKey} AWS_REGION=${endpoints.region} ` +
      `AWS_DEFAULT_REGION=${endpoints.region}`,
  );
  return lines.join("\n");
}

/** The movies API and its ingestion bucket, when the endpoints include the workshop's app. */
export function moviesApp(
  endpoints: LocalEndpoints,
): { api: LocalApiEndpoint; bucket: LocalBucket; infosTable?: LocalTable } | undefined {
  const api = endpoints.apis.find((a) =>
    a.routes.some((r) => r.method === "GET" && r.path === "/movies/{movieId}"),
  );
  if (!api) return undefined;
  const bucket = endpoints.s3.buckets.find(
    (b) => b.stack === api.stack && b.notifications.some((n) => n.filterSuffix === ".csv"),
  );
  if (!bucket) return undefined;
  const infosTable = endpoints.dynamodb.tables.find(
    (t) => t.stack === api.stack && t.address === "aws_dynamodb_table.movie_infos_table",
  );
  return { api, bucket, ...(infosTable ? { infosTable } : {}) };
}

/** The Orders API (POST /orders, GET /orders/{orderId}), when a chosen stack declares it. */
export function ordersApi(endpoints: LocalEndpoints): LocalApiEndpoint | undefined {
  return endpoints.apis.find(
    (a) =>
      a.routes.some((r) => r.method === "POST" && r.path === "/orders") &&
      a.routes.some((r) => r.method === "GET" && /^\/orders\/\{[^}]+\}$/.test(r.path)),
  );
}

/**
 * The workshop's Test section (and the Orders flow), as commands for this local run: the AWS CLI (v1 reads
 * AWS_DEFAULT_REGION, v2 also AWS_REGION), curl, and node to read the new order's id.
 */
export function tryItCommands(
  endpoints: LocalEndpoints,
  csvPath = "__tests__/fixtures/movie-infos.csv",
): string {
  const { accessKeyId, secretAccessKey } = endpoints.credentials;
  const region = endpoints.region;
  const lines: string[] = [];
  const movies = moviesApp(endpoints);
  if (movies) {
    const api = `${movies.api.url}/movies`;
    lines.push(
      `export AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey} AWS_REGION=${region} AWS_DEFAULT_REGION=${region}`,
      `aws --endpoint-url ${endpoints.s3.endpoint} s3 cp ${csvPath} s3://${movies.bucket.name}/`,
      `curl --request PATCH --url ${api}/mv1 --header 'content-type: application/json' \\`,
      `  --data '{"movie_id": "mv1", "rotten_tomatoes_rating": 98, "imdb_rating": 43}'`,
      `curl --request GET --url ${api}/mv1`,
    );
    if (movies.infosTable) {
      lines.push(
        `aws --endpoint-url ${endpoints.dynamodb.endpoint} dynamodb scan --table-name ${movies.infosTable.name}`,
      );
    }
  }
  const getMovie = endpoints.lambda.functions.find((f) => f.name === movies?.api.routes[0]?.functionName);
  if (movies && getMovie) {
    lines.push(
      `npm run -s event -- api --method GET --path /movies/mv1 > get-mv1.json`,
      `aws lambda invoke --endpoint-url ${endpoints.lambda.endpoint} --function-name ${getMovie.name} \\`,
      `  --payload fileb://get-mv1.json out.json && cat out.json`,
    );
  }
  const orders = ordersApi(endpoints);
  if (orders) {
    lines.push(
      `ORDER_ID=$(curl --silent --request POST --url ${orders.url}/orders --header 'content-type: application/json' \\`,
      `  --data '{"customer_id":"c-1","items":[{"sku":"book-1","quantity":2,"unit_price_cents":1299}]}' \\`,
      `  | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).order_id')`,
      `curl --request GET --url ${orders.url}/orders/$ORDER_ID`,
    );
  }
  const catalog = endpoints.apis.find((a) => a.routes.some((r) => r.path === "/catalog/movies/{movieId}"));
  if (catalog) lines.push(`curl --request GET --url ${catalog.url}/catalog/movies/mv1`);
  return lines.map((l) => `  ${l}`).join("\n");
}
