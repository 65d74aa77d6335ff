import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { APIGatewayProxyResult } from "aws-lambda";
import { declaredTopicArns, startSnsEndpoint, type SnsEndpoint } from "../../local/sns-endpoint";
import { TerraformResolver } from "../../local/terraform";
import type { TerraformJson } from "../../tooling/terraform-json";
import { compareGrants, grantedAccesses, type Access } from "../helpers/aws-usage";
import {
  orderCreatedEvent,
  ordersApiEvent,
  s3Event,
  s3EventRecord,
  sqsEvent,
  sqsRecord,
} from "../helpers/events";
import { startLocalAws, type LocalAws } from "../helpers/local-aws";
import {
  GET_MOVIE,
  LocalMovies,
  UPDATE_RATING,
  UPLOAD_INFOS,
  UPLOAD_INFOS_BATCH,
} from "../helpers/local-movies";
import { synthesized } from "../helpers/synth";

/**
 * Least privilege, exactly: each function runs its bundle through every data path it has (against
 * DynamoDB Local and s3rver, through recording proxies keyed by function), and the IAM actions its
 * requests need are compared with what the synthesized policy grants, on which ARNs. Nothing missing
 * (the code would get AccessDenied on AWS), nothing extra (a grant no request needs).
 *
 * The function list comes from the stack, so a new function is checked as soon as it exists: until its
 * paths are driven here, its grants count as extra and the test fails.
 */

const ORDERS = "aws_lambda_function.orders_lambda";

function functionAddresses(stack: TerraformJson): string[] {
  return Object.keys(stack.resource?.aws_lambda_function ?? {}).map((name) => `aws_lambda_function.${name}`);
}

function comparison(local: LocalAws, address: string, stack: TerraformJson = local.stack) {
  const granted = grantedAccesses(stack, address, local.resolver);
  return compareGrants(granted, local.usage(address));
}

describe("movies-dev: each function is granted exactly the DynamoDB and S3 actions its requests need", () => {
  let local: LocalAws;
  let movies: LocalMovies;

  beforeAll(async () => {
    local = await startLocalAws(synthesized("movies-dev"));
    movies = new LocalMovies(local);
    // Every path that touches AWS: a CSV upload, a PATCH of a movie that exists and of one that does
    // not (the cancelled transaction), a GET of a movie with ratings and of one without.
    const csv = "mv1,Heat,US,1995-12-15\nmv2,Alien,UK,1979-05-25\n";
    const { outcome } = await movies.upload("least-privilege.csv", csv);
    expect(outcome.ok).toBe(true);
    // A versioned bucket's events name the version, and reading it is s3:GetObjectVersion. s3rver keeps no
    // versions, so only the request matters here, not what the function makes of the answer.
    const versioned = s3EventRecord(movies.bucket, "least-privilege.csv");
    versioned.s3.object.versionId = "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY";
    await local.lambda(UPLOAD_INFOS).invoke(s3Event(versioned));
    // A batch of a large upload, as the ingestion state machine sends it: rows only, no object to read.
    const batch = await local.lambda(UPLOAD_INFOS_BATCH).invoke({
      BatchInput: { bucket: movies.bucket, key: "big.csv", versionId: "null" },
      Items: [
        {
          index: 1,
          row: { movie_id: "mv3", name: "Ran", country_of_origin: "JP", release_date: "1985-06-01" },
        },
      ],
    });
    expect(batch.ok).toBe(true);
    const patch = (id: string) =>
      movies.api(UPDATE_RATING, id, { body: JSON.stringify({ imdb_rating: 80 }) });
    expect((await patch("mv1")).statusCode).toBe(200);
    expect((await patch("mv9")).statusCode).toBe(404);
    expect((await movies.api(GET_MOVIE, "mv1")).statusCode).toBe(200);
    expect((await movies.api(GET_MOVIE, "mv2")).statusCode).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await local?.stop();
  });

  it("drives every function of the stack", () => {
    expect(functionAddresses(local.stack).sort()).toEqual(
      [GET_MOVIE, UPDATE_RATING, UPLOAD_INFOS, UPLOAD_INFOS_BATCH].sort(),
    );
    for (const address of functionAddresses(local.stack)) expect(local.usage(address)).not.toEqual([]);
  });

  it.each([GET_MOVIE, UPDATE_RATING, UPLOAD_INFOS, UPLOAD_INFOS_BATCH])(
    "%s: nothing missing, nothing extra",
    (address) => {
      expect(comparison(local, address)).toEqual({ missing: [], extra: [] });
    },
  );

  it("records what each request is authorized as: per table, per transaction item, per object", () => {
    // Tables carry this test file's suffix on the run's shared DynamoDB Local (helpers/local-aws.ts).
    const table = (name: string) =>
      `arn:aws:dynamodb:eu-central-1:000000000000:table/${name}-dev${local.nameSuffix}`;
    const distinct = (accesses: readonly Access[]) => [
      ...new Set(accesses.map((a) => `${a.action} ${a.resource}`)),
    ];
    expect(distinct(local.usage(GET_MOVIE))).toEqual([
      `dynamodb:BatchGetItem ${table("movie_infos")}`,
      `dynamodb:BatchGetItem ${table("movie_ratings")}`,
    ]);
    expect(distinct(local.usage(UPDATE_RATING))).toEqual([
      `dynamodb:ConditionCheckItem ${table("movie_infos")}`,
      `dynamodb:UpdateItem ${table("movie_ratings")}`,
    ]);
    expect(distinct(local.usage(UPLOAD_INFOS))).toEqual([
      `s3:GetObject arn:aws:s3:::${movies.bucket}/least-privilege.csv`,
      `dynamodb:BatchWriteItem ${table("movie_infos")}`,
      `s3:GetObjectVersion arn:aws:s3:::${movies.bucket}/least-privilege.csv`,
    ]);
    expect(distinct(local.usage(UPLOAD_INFOS_BATCH))).toEqual([
      `dynamodb:BatchWriteItem ${table("movie_infos")}`,
    ]);
  });

  it("fails on a grant taken away and on a grant added (the check can fail)", () => {
    const tampered = structuredClone(local.stack) as {
      data: { aws_iam_policy_document: Record<string, { statement: { actions: string[] }[] }> };
    };
    const statements =
      tampered.data.aws_iam_policy_document.get_movie_lambda_policy_document?.statement ?? [];
    // The ratings table loses BatchGetItem; the infos table gains the GetItem the workshop grants.
    const infos = statements.find((s) => JSON.stringify(s).includes("movie_infos_table.arn"));
    const ratings = statements.find((s) => JSON.stringify(s).includes("movie_ratings_table.arn"));
    if (!infos || !ratings) throw new Error("get-movie's table statements moved: update this test");
    infos.actions = ["dynamodb:BatchGetItem", "dynamodb:GetItem"];
    ratings.actions = ["dynamodb:DeleteItem"];
    // Tables carry this test file's suffix on the run's shared DynamoDB Local (helpers/local-aws.ts).
    const table = (name: string) =>
      `arn:aws:dynamodb:eu-central-1:000000000000:table/${name}-dev${local.nameSuffix}`;
    expect(comparison(local, GET_MOVIE, tampered as TerraformJson)).toEqual({
      missing: [{ action: "dynamodb:BatchGetItem", resource: table("movie_ratings") }],
      extra: [
        { action: "dynamodb:GetItem", resource: table("movie_infos") },
        { action: "dynamodb:DeleteItem", resource: table("movie_ratings") },
      ],
    });
  });
});

describe("orders-dev: the orders function is granted exactly what its requests need", () => {
  let local: LocalAws;

  beforeAll(async () => {
    local = await startLocalAws(synthesized("orders-dev"));
    const lambda = local.lambda(ORDERS);
    const send = (event: ReturnType<typeof ordersApiEvent>) =>
      lambda.invokeOrThrow<APIGatewayProxyResult>(event);
    const body = JSON.stringify({
      customer_id: "c-1",
      items: [{ sku: "book-1", quantity: 1, unit_price_cents: 999 }],
    });
    // POST without a key (PutItem), with a key (a transaction of two puts) and the same again (the
    // cancelled transaction, then GetItem of the key's item), and a GET (GetItem).
    const created = await send(ordersApiEvent("POST /orders", { body }));
    expect(created.statusCode).toBe(201);
    const keyed = { body, headers: { "Idempotency-Key": "least-privilege-1" } };
    expect((await send(ordersApiEvent("POST /orders", keyed))).statusCode).toBe(201);
    expect((await send(ordersApiEvent("POST /orders", keyed))).statusCode).toBe(200);
    const orderId = String((JSON.parse(created.body) as { order_id: string }).order_id);
    expect((await send(ordersApiEvent("GET /orders/{orderId}", { orderId }))).statusCode).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await local?.stop();
  });

  it("drives the stack's one function, which needs PutItem and GetItem on its table and nothing else", () => {
    expect(functionAddresses(local.stack)).toEqual([ORDERS]);
    expect(comparison(local, ORDERS)).toEqual({ missing: [], extra: [] });
    const table = `arn:aws:dynamodb:eu-central-1:000000000000:table/orders-dev${local.nameSuffix}`;
    expect([...new Set(local.usage(ORDERS).map((a) => `${a.action} ${a.resource}`))].sort()).toEqual([
      `dynamodb:GetItem ${table}`,
      `dynamodb:PutItem ${table}`,
    ]);
  });
});

describe("notifications-dev: notify is granted exactly what its requests need", () => {
  const NOTIFY = "aws_lambda_function.notify_lambda";
  let local: LocalAws;
  let sns: SnsEndpoint;
  let eventsDir: string;

  beforeAll(async () => {
    local = await startLocalAws(synthesized("notifications-dev"));
    eventsDir = mkdtempSync(join(tmpdir(), "notify-sns-"));
    sns = await startSnsEndpoint({
      topicArns: declaredTopicArns(local.resolver),
      eventsDir,
      log: () => undefined,
    });
    const lambda = local.lambda(NOTIFY, { environment: { AWS_ENDPOINT_URL_SNS: sns.endpoint } });
    // A first delivery (PutItem, then UpdateItem to SENT) and a redelivery (the PutItem's condition fails,
    // then GetItem finds it SENT), in one batch with a record that is no OrderCreated.
    const event = orderCreatedEvent("least-privilege-event");
    const first = await lambda.invokeOrThrow(sqsEvent(sqsRecord("m-1", event), sqsRecord("m-bad", "{")));
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: "m-bad" }] });
    expect(await lambda.invokeOrThrow(sqsEvent(sqsRecord("m-1", event, 2)))).toEqual({
      batchItemFailures: [],
    });
  }, 120_000);

  afterAll(async () => {
    await local?.stop();
    await sns?.stop();
    rmSync(eventsDir, { recursive: true, force: true });
  });

  it("publishes the one notification, through the local SNS endpoint", () => {
    const published = readFileSync(join(eventsDir, "sns_customer-notifications-dev.jsonl"), "utf8")
      .trim()
      .split("\n");
    expect(published).toHaveLength(1);
  });

  it("drives the stack's one function, which needs GetItem, PutItem and UpdateItem on its table", () => {
    expect(functionAddresses(local.stack)).toEqual([NOTIFY]);
    expect(comparison(local, NOTIFY)).toEqual({ missing: [], extra: [] });
    const table = `arn:aws:dynamodb:eu-central-1:000000000000:table/notifications-dev${local.nameSuffix}`;
    expect([...new Set(local.usage(NOTIFY).map((a) => `${a.action} ${a.resource}`))].sort()).toEqual([
      `dynamodb:GetItem ${table}`,
      `dynamodb:PutItem ${table}`,
      `dynamodb:UpdateItem ${table}`,
    ]);
  });
});

describe("the recorder's reading of requests", () => {
  it("resolves a TerraformResolver ARN for every statement it reads", () => {
    const stack = synthesized("movies-dev");
    const resolver = new TerraformResolver(stack, { region: "eu-central-1" });
    const granted = grantedAccesses(stack, UPLOAD_INFOS, resolver).filter(
      (a) => !a.action.startsWith("logs:"),
    );
    expect(granted.filter((a) => !a.action.startsWith("xray:"))).toEqual([
      {
        action: "sqs:SendMessage",
        resource: "arn:aws:sqs:eu-central-1:000000000000:upload-infos-dev-failures",
      },
      { action: "s3:GetObject", resource: "arn:aws:s3:::000000000000-movie-infos-dev/*" },
      { action: "s3:GetObjectVersion", resource: "arn:aws:s3:::000000000000-movie-infos-dev/*" },
      {
        action: "dynamodb:BatchWriteItem",
        resource: "arn:aws:dynamodb:eu-central-1:000000000000:table/movie_infos-dev",
      },
      {
        action: "states:StartExecution",
        resource: "arn:aws:states:eu-central-1:000000000000:stateMachine:movie-infos-ingestion-dev",
      },
    ]);
  });
});
