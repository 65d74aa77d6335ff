import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createBuckets, declaredBuckets } from "../../local/buckets";
import {
  LOCAL_CREDENTIALS,
  startDynamoDbLocal,
  startS3Server,
  type Emulator,
  type S3Server,
} from "../../local/emulators";
import { moviesApp, ordersApi } from "../../local/endpoints";
import { startIamGateway, type IamGateway } from "../../local/iam-gateway";
import { functionIdentities } from "../../local/iam-roles";
import { startLocalRun } from "../../local/local-run";
import { request } from "../../local/scenario";
import { createTables, declaredTables } from "../../local/tables";
import { TerraformResolver, type TerraformJson } from "../../local/terraform";
import { synthesized } from "../helpers/synth";

const REGION = "eu-central-1";
const ORDERS = "arn:aws:dynamodb:eu-central-1:000000000000:table/orders-dev";
const BUCKET = "000000000000-movie-infos-dev";
const principal = (fn: string) => `arn:aws:sts::000000000000:assumed-role/${fn}/${fn}`;

describe("the local IAM gateway, with the SDK and each function's own credentials", () => {
  let dynamodb: Emulator;
  let s3: S3Server;
  let gateway: IamGateway;
  let s3Dir: string;
  const denials: string[] = [];

  beforeAll(async () => {
    s3Dir = mkdtempSync(join(tmpdir(), "local-iam-s3-"));
    // One database for every access key, as in the local run: the functions' keys see the same tables.
    [dynamodb, s3] = await Promise.all([
      startDynamoDbLocal({ sharedDb: true }),
      startS3Server({ directory: s3Dir }),
    ]);
    const resolvers = ["movies-dev", "orders-dev"].map(
      (s) => new TerraformResolver(synthesized(s), { region: REGION }),
    );
    const admin = { region: REGION, credentials: LOCAL_CREDENTIALS };
    const ddb = new DynamoDBClient({ ...admin, endpoint: dynamodb.endpoint });
    const s3Client = new S3Client({ ...admin, endpoint: s3.endpoint, forcePathStyle: true });
    for (const resolver of resolvers) {
      await createTables(ddb, declaredTables(resolver));
      await createBuckets(s3Client, declaredBuckets(resolver));
    }
    ddb.destroy();
    s3Client.destroy();
    gateway = await startIamGateway({
      dynamodbEndpoint: dynamodb.endpoint,
      s3Endpoint: s3.endpoint,
      identities: resolvers.flatMap((r) => functionIdentities(r)),
      scope: { region: REGION, accountId: "000000000000" },
      log: (line) => denials.push(line),
    });
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([dynamodb?.stop(), s3?.stop()]);
    rmSync(s3Dir, { recursive: true, force: true });
  });

  /** An SDK client configured as the function's process is (its variables only). */
  const clientsOf = (fn: string) => {
    const env = gateway.environmentFor(fn);
    const config = {
      region: REGION,
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID as string,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string,
      },
    };
    return {
      ddb: new DynamoDBClient({ ...config, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB }),
      s3: new S3Client({ ...config, endpoint: env.AWS_ENDPOINT_URL_S3, forcePathStyle: true }),
    };
  };

  it("forwards what the function's policy allows, and answers the rest with DynamoDB's AccessDeniedException", async () => {
    const { ddb } = clientsOf("orders-dev");
    const key = { order_id: { S: "o-1" } };
    await ddb.send(
      new PutItemCommand({ TableName: "orders-dev", Item: { ...key, record_type: { S: "TEST" } } }),
    );
    const error = await ddb
      .send(new DeleteItemCommand({ TableName: "orders-dev", Key: key }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "AccessDeniedException",
      message:
        `User: ${principal("orders-dev")} is not authorized to perform: dynamodb:DeleteItem on resource: ${ORDERS} ` +
        "because no identity-based policy allows the dynamodb:DeleteItem action",
      $metadata: { httpStatusCode: 400 },
    });
    expect(denials).toContain(`[iam] orders-dev: AccessDenied dynamodb:DeleteItem on ${ORDERS}`);
    ddb.destroy();
  });

  it("answers on the wire as DynamoDB does: 400, the coral type, the CRC32 header", async () => {
    const env = gateway.environmentFor("get-movie-dev");
    const response = await fetch(env.AWS_ENDPOINT_URL_DYNAMODB as string, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "DynamoDB_20120810.Scan",
        authorization: `AWS4-HMAC-SHA256 Credential=${env.AWS_ACCESS_KEY_ID}/20250101/${REGION}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify({ TableName: "movie_infos-dev" }),
    });
    const body = await response.text();
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/x-amz-json-1.0");
    expect(JSON.parse(body)).toEqual({
      __type: "com.amazon.coral.service#AccessDeniedException",
      Message:
        `User: ${principal("get-movie-dev")} is not authorized to perform: dynamodb:Scan on resource: ` +
        "arn:aws:dynamodb:eu-central-1:000000000000:table/movie_infos-dev because no identity-based policy allows the dynamodb:Scan action",
    });
    expect(response.headers.get("x-amz-crc32")).toMatch(/^\d+$/);
  });

  it("checks each item of a transaction on its own table", async () => {
    const { ddb } = clientsOf("update-rating-dev");
    const error = await ddb
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: "movie_infos-dev",
                Key: { movie_id: { S: "mv1" } },
                ConditionExpression: "attribute_exists(movie_id)",
              },
            },
            { Put: { TableName: "orders-dev", Item: { order_id: { S: "sneaky" } } } },
          ],
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "AccessDeniedException",
      message: expect.stringContaining(
        `is not authorized to perform: dynamodb:PutItem on resource: ${ORDERS} because`,
      ),
    });
    ddb.destroy();
  });

  it("answers S3 requests the policy does not allow with S3's 403 AccessDenied", async () => {
    const { s3: client } = clientsOf("upload-infos-dev");
    const admin = new S3Client({
      region: REGION,
      credentials: LOCAL_CREDENTIALS,
      endpoint: gateway.s3Endpoint,
      forcePathStyle: true,
    });
    // The developer's credentials are not evaluated; the function's are.
    await admin.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "in/a.csv", Body: Buffer.from("movie_id\n") }),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "in/a.csv" }));
    expect(await got.Body?.transformToString()).toBe("movie_id\n");
    const error = await client
      .send(new PutObjectCommand({ Bucket: BUCKET, Key: "in/b.csv", Body: Buffer.from("x") }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "AccessDenied",
      message:
        `User: ${principal("upload-infos-dev")} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::${BUCKET}/in/b.csv" ` +
        "because no identity-based policy allows the s3:PutObject action",
      $metadata: { httpStatusCode: 403 },
    });
    admin.destroy();
    client.destroy();
  });
});

/** A copy of a stack whose policy document `document` lacks `action`. */
function withoutGrant(json: TerraformJson, document: string, action: string): TerraformJson {
  const copy = JSON.parse(JSON.stringify(json)) as {
    data: Record<string, Record<string, { statement: { actions: string[] }[] }>>;
  };
  const doc = copy.data.aws_iam_policy_document?.[document];
  if (!doc) throw new Error(`no policy document ${document}`);
  const statements = doc.statement.map((s) => ({ ...s, actions: s.actions.filter((a) => a !== action) }));
  doc.statement = statements.filter((s) => s.actions.length > 0);
  return copy as unknown as TerraformJson;
}

describe("a function missing a grant fails locally as it would on AWS", () => {
  it("orders-dev without dynamodb:PutItem, upload-infos-dev without s3:GetObject: AccessDenied from the real bundles", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "local-iam-run-"));
    const logs: string[] = [];
    const run = await startLocalRun({
      stacks: [
        {
          name: "movies-dev",
          json: withoutGrant(
            synthesized("movies-dev"),
            "upload_movie_infos_lambda_policy_document",
            "s3:GetObject",
          ),
        },
        {
          name: "orders-dev",
          json: withoutGrant(synthesized("orders-dev"), "orders_lambda_policy_document", "dynamodb:PutItem"),
        },
      ],
      ...{ stateDir, fresh: true, apiPort: 0, s3Port: 0, dynamodbPort: 0 },
      log: (line) => logs.push(line),
    });
    try {
      const created = await request(`${ordersApi(run.urls)?.url}/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ customer_id: "c-1", items: [{ sku: "b", quantity: 1, unit_price_cents: 1 }] }),
      });
      expect(created.status).toBe(500);
      expect(logs).toContain(`[iam] orders-dev: AccessDenied dynamodb:PutItem on ${ORDERS}`);
      const failed = logs.find((l) => l.startsWith("[orders-dev]") && l.includes('"request failed"')) ?? "";
      expect(JSON.parse(failed.replace("[orders-dev] ", ""))).toMatchObject({
        error: {
          name: "AccessDeniedException",
          message: `User: ${principal("orders-dev")} is not authorized to perform: dynamodb:PutItem on resource: ${ORDERS} because no identity-based policy allows the dynamodb:PutItem action`,
        },
      });

      const s3 = new S3Client({
        region: REGION,
        credentials: run.urls.credentials,
        endpoint: run.urls.s3.endpoint,
        forcePathStyle: true,
      });
      const csv = readFileSync(join(__dirname, "..", "fixtures", "movie-infos.csv"));
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "movie-infos.csv", Body: csv }));
      s3.destroy();
      const deadline = Date.now() + 30_000;
      let line: string | undefined;
      while (!line && Date.now() < deadline) {
        line = logs.find(
          (l) => l.startsWith("[s3] ") && l.includes("movie-infos.csv ObjectCreated:Put → upload-infos-dev"),
        );
        if (!line) await new Promise((r) => setTimeout(r, 100));
      }
      expect(line).toMatch(
        new RegExp(
          "FAILED \\d+ ms: AccessDenied: " +
            `User: ${principal("upload-infos-dev")} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::${BUCKET}/movie-infos.csv" `.replace(
              /[.*+?^${}()|[\]\\/]/g,
              "\\$&",
            ) +
            "because no identity-based policy allows the s3:GetObject action$",
        ),
      );
      // The movies API still answers: get-movie keeps its grants.
      expect((await request(`${moviesApp(run.urls)?.api.url}/movies/mv1`)).status).toBe(404);
    } finally {
      await run.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 120_000);
});
