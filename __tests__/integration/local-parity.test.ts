import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { moviesApp, ordersApi, type LocalEndpoints } from "../../local/endpoints";
import { startLocalRun, type LocalRun } from "../../local/local-run";
import { request } from "../../local/scenario";
import { synthesized } from "../helpers/synth";

/**
 * The local run against AWS's behaviour where the stacks rely on it: request validation before the
 * function (item 6), the OrderCreated path from the orders table's stream to the rule's targets
 * (item 8), and byte-exact uploads of the SDK's aws-chunked bodies (item 13). Real bundles, real
 * DynamoDB Local and S3 server, started through startLocalRun.
 */

let run: LocalRun;
let urls: LocalEndpoints;
let stateDir: string;
const logs: string[] = [];

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "local-parity-"));
  run = await startLocalRun({
    stacks: [
      { name: "movies-dev", json: synthesized("movies-dev") },
      { name: "orders-dev", json: synthesized("orders-dev") },
    ],
    stateDir,
    fresh: true,
    apiPort: 0,
    s3Port: 0,
    dynamodbPort: 0,
    log: (line) => {
      logs.push(line);
      if (process.env.LOCAL_RUN_DEBUG) process.stderr.write(`${line}\n`);
    },
  });
  urls = run.urls;
}, 120_000);

afterAll(async () => {
  await run?.stop();
  rmSync(stateDir, { recursive: true, force: true });
}, 30_000);

async function eventually<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${logs.join("\n")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("request validation (the stack's models and gateway responses)", () => {
  it("answers bodies that break CreateOrder and UpdateRating with the stack's 400, without invoking a function", async () => {
    const orders = ordersApi(urls)?.url as string;
    const movies = moviesApp(urls)?.api.url as string;
    const post = await fetch(`${orders}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ customer_id: "c-1", items: [{ sku: "b", quantity: 0, unit_price_cents: 5 }] }),
    });
    expect(post.status).toBe(400);
    expect(post.headers.get("content-type")).toBe("application/json");
    expect(post.headers.get("x-amzn-errortype")).toBe("BadRequestException");
    expect(await post.text()).toBe(
      '{"message": "Invalid request body: [numeric instance is lower than the required minimum (minimum: 1, found: 0)]"}',
    );
    const patch = await request(`${movies}/movies/mv1`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: '{"movie_id": "mv1", "imdb_rating": 4.5}',
    });
    expect({ status: patch.status, json: patch.json }).toEqual({
      status: 400,
      json: {
        message:
          'Invalid request body: [instance type (number) does not match any allowed primitive type (allowed: ["integer"])]',
      },
    });
    expect(logs).toContainEqual(expect.stringMatching(/^\[orders_api-dev\] POST \/dev\/orders 400 \d+ ms$/));
    // Neither function ran: API Gateway refused the requests before the integration.
    expect(logs.filter((l) => /^\[(orders|update-rating)-dev\]/.test(l))).toEqual([]);
  });
});

describe("the OrderCreated path: table stream → pipe → bus → rule → targets", () => {
  it("delivers OrderCreated for a new order to the rule's queue and topic, once each", async () => {
    const orders = ordersApi(urls)?.url as string;
    const created = await request(`${orders}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", "Idempotency-Key": "parity-1" },
      body: JSON.stringify({
        customer_id: "c-7",
        items: [{ sku: "book-1", quantity: 2, unit_price_cents: 1299 }],
      }),
    });
    expect(created.status).toBe(201);
    const order = created.json as { order_id: string; created_at: string };
    const queueFile = join(stateDir, "events", "sqs_order-created-dev.jsonl");
    const topicFile = join(stateDir, "events", "sns_order-notifications-dev.jsonl");
    const delivered = (file: string) =>
      existsSync(file)
        ? readFileSync(file, "utf8")
            .trim()
            .split("\n")
            .map((line) => JSON.parse(line) as Record<string, unknown>)
        : [];
    const [event] = await eventually("the OrderCreated delivery", () => {
      const found = delivered(queueFile).filter(
        (e) => (e.detail as { order_id?: string }).order_id === order.order_id,
      );
      return found.length > 0 ? found : undefined;
    });
    expect(event).toEqual({
      version: "0",
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      "detail-type": "OrderCreated",
      source: "orders.service",
      account: "000000000000",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: "eu-central-1",
      resources: [],
      detail: {
        order_id: order.order_id,
        customer_id: "c-7",
        total_cents: 2598,
        item_count: 1,
        created_at: order.created_at,
      },
    });
    await eventually("the topic's delivery", () => (delivered(topicFile).length > 0 ? true : undefined));
    // The idempotency item written with the order is filtered out by the pipe: one event per target.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(delivered(queueFile)).toHaveLength(1);
    expect(delivered(topicFile)).toEqual([event]);
    expect(logs.filter((l) => l.startsWith("[events] OrderCreated (orders.service) on orders-dev"))).toEqual([
      expect.stringMatching(
        /→ rule order-created-dev → arn:aws:sqs:eu-central-1:000000000000:order-created-dev \(/,
      ),
      expect.stringMatching(
        /→ rule order-created-dev → arn:aws:sns:eu-central-1:000000000000:order-notifications-dev \(/,
      ),
    ]);
    expect(logs).toContainEqual(
      "[pipe order-created-dev] INSERT → OrderCreated on orders-dev (2 deliveries)",
    );
  });
});

describe("uploads through the local S3 endpoint are stored byte-exact", () => {
  it("stores a streamed upload with the SDK's default checksums as the bytes sent, and ingests it", async () => {
    const bucket = urls.s3.buckets[0]?.name as string;
    const csv = readFileSync(join(__dirname, "..", "fixtures", "movie-infos.csv"));
    // The SDK's defaults: CRC32 as a trailer, the body streamed in aws-chunked encoding.
    const s3 = new S3Client({
      region: urls.region,
      credentials: urls.credentials,
      endpoint: urls.s3.endpoint,
      forcePathStyle: true,
    });
    const sent: string[] = [];
    s3.middlewareStack.add(
      (next) => async (args) => {
        const headers = (args.request as { headers: Record<string, string> }).headers;
        sent.push(`${headers["content-encoding"]} ${headers["x-amz-trailer"]}`);
        return next(args);
      },
      { step: "finalizeRequest" },
    );
    const big = Buffer.alloc(200_000, "abcdefghij\n");
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: "raw/big.txt",
          Body: Readable.from([big.subarray(0, 70_000), big.subarray(70_000)]),
          ContentLength: big.length,
        }),
      );
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: "movie-infos.csv",
          Body: Readable.from([csv]),
          ContentLength: csv.length,
        }),
      );
      expect(sent).toEqual(["aws-chunked x-amz-checksum-crc32", "aws-chunked x-amz-checksum-crc32"]);
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "raw/big.txt" }));
      expect(
        Buffer.from(
          await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
        ).equals(big),
      ).toBe(true);
      expect(got.ContentLength).toBe(200_000);
    } finally {
      s3.destroy();
    }
    // The stored CSV is the CSV: upload-infos ingests its rows.
    const movies = moviesApp(urls)?.api.url as string;
    const mv1 = await eventually("mv1 ingested", () =>
      logs.some((l) => /movie-infos\.csv ObjectCreated:Put → upload-infos-dev ok/.test(l)) ? true : undefined,
    );
    expect(mv1).toBe(true);
    const movie = await request(`${movies}/movies/mv1`);
    expect(movie.status).toBe(200);
    expect(movie.json).toMatchObject({ movie_id: "mv1" });
  });
});
