import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DeleteItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { projectRoot } from "../tooling/project-root";
import { randomUUID } from "node:crypto";
import { cognitoCall } from "./cognito";
import { moviesApp, ordersApi, type LocalApiEndpoint, type LocalEndpoints } from "./endpoints";

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
  /**
   * A signed-in user's tokens (see {@link signUpAndSignIn}), for the routes that need one.
   * @default none: such a route is only checked to answer 401
   */
  readonly tokens?: UserTokens;
}

/** What USER_PASSWORD_AUTH gives a signed-in user. */
export interface UserTokens {
  readonly idToken: string;
  readonly accessToken: string;
  /** The user's `sub`: an order's customer behind the authorizer. */
  readonly sub: string;
}

/**
 * Signs a new user up with the first app client of the run's first user pool, confirms them as an admin
 * (AdminConfirmSignUp: no e-mail locally) and signs them in (InitiateAuth, USER_PASSWORD_AUTH). Returns
 * undefined, having done nothing, when the run has no user pool.
 */
export async function signUpAndSignIn(
  endpoints: Pick<LocalEndpoints, "cognito">,
  options: Pick<ScenarioOptions, "log"> & { readonly pool?: string } = {},
): Promise<UserTokens | undefined> {
  const log = options.log ?? (() => undefined);
  const pool = endpoints.cognito?.userPools.find(
    (p) => p.clients.length > 0 && (!options.pool || p.name === options.pool),
  );
  const client = pool?.clients[0];
  if (!endpoints.cognito || !pool || !client) return undefined;
  const { endpoint } = endpoints.cognito;
  const email = `smoke-${randomUUID().slice(0, 8)}@example.com`;
  const password = `Smoke-${randomUUID()}-Aa1!`;
  const signedUp = await cognitoCall<{ UserSub: string }>(endpoint, "SignUp", {
    ClientId: client.id,
    Username: email,
    Password: password,
    UserAttributes: [{ Name: "email", Value: email }],
  });
  log(`SignUp ${email} in ${pool.name} → sub ${signedUp.UserSub}`);
  await cognitoCall(endpoint, "AdminConfirmSignUp", { UserPoolId: pool.id, Username: email });
  log(`AdminConfirmSignUp ${email}`);
  const auth = await cognitoCall<{ AuthenticationResult?: { IdToken?: string; AccessToken?: string } }>(
    endpoint,
    "InitiateAuth",
    {
      ClientId: client.id,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: email, PASSWORD: password },
    },
  );
  const { IdToken, AccessToken } = auth.AuthenticationResult ?? {};
  expectThat(Boolean(IdToken && AccessToken), `InitiateAuth ${email}: no tokens in ${JSON.stringify(auth)}`);
  log(`InitiateAuth USER_PASSWORD_AUTH → ID and access tokens`);
  return { idToken: IdToken as string, accessToken: AccessToken as string, sub: signedUp.UserSub };
}

/** Does `api` put a Cognito authorizer on `method path`? */
function needsToken(api: LocalApiEndpoint, method: string, path: string): boolean {
  return api.routes.some((r) => r.method === method && r.path === path && r.authorization !== undefined);
}

/**
 * A request to a route that needs a token: first without one (401 Unauthorized, as API Gateway answers),
 * then with `token`. Open routes get the request once, as is.
 */
async function callRoute(
  api: LocalApiEndpoint,
  route: { method: string; path: string; url: string },
  init: RequestInit,
  options: { tokens?: UserTokens; token?: "idToken" | "accessToken"; log: (line: string) => void },
): Promise<HttpResult> {
  if (!needsToken(api, route.method, route.path))
    return request(route.url, { ...init, method: route.method });
  const refused = await request(route.url, { ...init, method: route.method });
  expectThat(
    refused.status === 401 && refused.body === '{"message":"Unauthorized"}',
    `${route.method} ${route.url} without a token: expected 401 Unauthorized, got ${refused.status} ${refused.body}`,
  );
  options.log(`${route.method} ${route.url} without a token → 401 ${refused.body}`);
  expectThat(
    options.tokens !== undefined,
    `${route.method} ${route.url} needs a token, and no user pool is running`,
  );
  const kind = options.token ?? "idToken";
  const headers = {
    ...(init.headers as Record<string, string>),
    authorization: (options.tokens as UserTokens)[kind],
  };
  return request(route.url, { ...init, method: route.method, headers });
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

    const patched = await callRoute(
      app.api,
      { method: "PATCH", path: "/movies/{movieId}", url: movie },
      {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ movie_id: "mv1", rotten_tomatoes_rating: 98, imdb_rating: 43 }),
      },
      { ...(options.tokens ? { tokens: options.tokens } : {}), log },
    );
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
  const items = [{ sku: "book-1", quantity: 2, unit_price_cents: 1299 }];
  // Behind the authorizer, the order is the signed-in user's: the body names no customer.
  const signedIn = needsToken(api, "POST", "/orders");
  const auth = { ...(options.tokens ? { tokens: options.tokens } : {}), log };
  const created = await callRoute(
    api,
    { method: "POST", path: "/orders", url: `${api.url}/orders` },
    {
      headers: { "content-type": "application/json" },
      body: JSON.stringify(signedIn ? { items } : { customer_id: "c-1", items }),
    },
    auth,
  );
  const order = created.json as { order_id?: unknown; customer_id?: unknown } | undefined;
  const orderId = order?.order_id;
  expectThat(
    created.status === 201 && typeof orderId === "string" && orderId.length > 0,
    `POST ${api.url}/orders: expected 201 with an order_id, got ${created.status} ${created.body}`,
  );
  if (signedIn) {
    expectThat(
      order?.customer_id === options.tokens?.sub,
      `POST ${api.url}/orders: expected the order of ${options.tokens?.sub}, got ${created.body}`,
    );
  }
  log(
    `POST ${api.url}/orders → 201 order ${String(orderId)}${signedIn ? ` of ${String(order?.customer_id)}` : ""}`,
  );
  const url = `${api.url}/orders/${encodeURIComponent(orderId as string)}`;
  // The access token this time: the authorizer accepts both kinds.
  const got = await callRoute(
    api,
    { method: "GET", path: "/orders/{orderId}", url },
    {},
    { ...auth, token: "accessToken" },
  );
  expectThat(got.status === 200, `GET ${url}: ${got.status} ${got.body}`);
  log(`GET ${url} → 200 ${got.body}`);
  return true;
}
