import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyResult } from "aws-lambda";
import { LocalLambda } from "../../local/lambda-host";
import { ordersApiEvent } from "../helpers/events";
import { localAwsEnvironment, startLocalAws, type LocalAws } from "../helpers/local-aws";
import { synthesized } from "../helpers/synth";

const ORDERS = "aws_lambda_function.orders_lambda";
let local: LocalAws;
let ddb: DynamoDBDocumentClient;
/** `orders-dev` with this file's suffix (helpers/local-aws.ts). */
let ordersTable: string;
const extraLambdas: LocalLambda[] = [];

beforeAll(async () => {
  local = await startLocalAws(synthesized("orders-dev"));
  ddb = DynamoDBDocumentClient.from(local.ddbClient);
  ordersTable = `orders-dev${local.nameSuffix}`;
}, 60_000);

afterAll(async () => {
  await Promise.all(extraLambdas.map((l) => l.stop()));
  await local?.stop();
});

const order = (customer: string) => ({
  customer_id: customer,
  items: [
    { sku: "book-1", quantity: 2, unit_price_cents: 1299 },
    { sku: "pen-3", quantity: 1, unit_price_cents: 150 },
  ],
});

async function post(body: unknown, headers: Record<string, string> = {}, lambda = local.lambda(ORDERS)) {
  const response = await lambda.invokeOrThrow<APIGatewayProxyResult>(
    ordersApiEvent("POST /orders", { body: JSON.stringify(body), headers }),
  );
  return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
}

async function get(orderId: string) {
  const response = await local
    .lambda(ORDERS)
    .invokeOrThrow<APIGatewayProxyResult>(ordersApiEvent("GET /orders/{orderId}", { orderId }));
  return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
}

/** Every item of the orders table for one customer, and the idempotency items for one key. */
async function stored(customer: string, key?: string) {
  const { Items = [] } = await ddb.send(new ScanCommand({ TableName: ordersTable, ConsistentRead: true }));
  return {
    orders: Items.filter((i) => i.record_type === "ORDER" && i.customer_id === customer),
    keys: Items.filter((i) => key !== undefined && i.order_id === `IDEMPOTENCY#${key}`),
  };
}

describe("the orders service on DynamoDB Local", () => {
  it("creates the stack's orders table, with its NEW_IMAGE stream", async () => {
    expect(local.tables.map((t) => t.input.TableName)).toEqual([ordersTable]);
    const { Table } = await local.ddbClient.send(new DescribeTableCommand({ TableName: ordersTable }));
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: "NEW_IMAGE" });
    expect(local.functions.map((f) => f.environment)).toEqual([{ ORDERS_TABLE: ordersTable }]);
  });

  it("POSTs an order (201 + Location) and GETs it back", async () => {
    const created = await post(order("c-plain"));
    expect(created.statusCode).toBe(201);
    const orderId = String(created.json.order_id);
    expect(created.headers).toEqual({
      "Content-Type": "application/json",
      Location: `/dev/orders/${orderId}`,
    });
    expect(created.json).toMatchObject({ status: "CREATED", item_count: 2, total_cents: 2748 });

    const got = await get(orderId);
    expect(got.statusCode).toBe(200);
    expect(got.json).toEqual(created.json);
    expect((await stored("c-plain")).orders).toEqual([{ ...created.json, record_type: "ORDER" }]);
  });

  it("answers 404 for an unknown order and 400 for an id that is not a UUID", async () => {
    const unknown = await get("0b6f4c1e-2a3d-4e5f-8a7b-9c0d1e2f3a4b");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json).toEqual({ message: "Order 0b6f4c1e-2a3d-4e5f-8a7b-9c0d1e2f3a4b not found" });
    expect((await get("IDEMPOTENCY#x")).statusCode).toBe(400);
  });

  it("rejects a bad body with 400 naming the field, storing nothing", async () => {
    const bad = await post({ customer_id: "c-bad", items: [{ sku: "a", quantity: 0, unit_price_cents: 1 }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json).toEqual({ message: 'Field "items[0].quantity" must be a positive integer' });
    expect((await stored("c-bad")).orders).toEqual([]);
  });

  it("replays a POST with the same Idempotency-Key (200, same order), refuses another body (409)", async () => {
    const first = await post(order("c-retry"), { "Idempotency-Key": "retry-1" });
    const again = await post(order("c-retry"), { "idempotency-key": "retry-1" });
    const other = await post(
      { ...order("c-retry"), items: [order("c-retry").items[0]] },
      { "Idempotency-Key": "retry-1" },
    );

    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json).toEqual(first.json);
    expect(again.headers?.Location).toBe(`/dev/orders/${String(first.json.order_id)}`);
    expect(other.statusCode).toBe(409);
    expect(other.json).toEqual({ message: "Idempotency-Key was already used with a different request" });

    const { orders, keys } = await stored("c-retry", "retry-1");
    expect(orders.map((o) => o.order_id)).toEqual([first.json.order_id]);
    expect(keys).toEqual([
      expect.objectContaining({ record_type: "IDEMPOTENCY", order_ref: first.json.order_id }),
    ]);
  });

  it("stores exactly one order for ten concurrent POSTs with one key, across three warm containers", async () => {
    const fn = local.functions.find((f) => f.address === ORDERS);
    if (!fn) throw new Error(`${ORDERS} is not declared`);
    const containers = [0, 1, 2].map(
      () => new LocalLambda(fn, { environment: localAwsEnvironment(local), timeoutSeconds: 60 }),
    );
    extraLambdas.push(...containers);
    // Warm them first, so the requests race each other rather than the containers' start-up.
    await Promise.all(
      containers.map((c) => c.invokeOrThrow(ordersApiEvent("GET /orders/{orderId}", { orderId: "x" }))),
    );

    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        post(order("c-race"), { "Idempotency-Key": "race-1" }, containers[i % containers.length]),
      ),
    );

    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const ids = new Set(responses.map((r) => r.json.order_id));
    expect(ids.size).toBe(1);
    const { orders, keys } = await stored("c-race", "race-1");
    expect(orders.map((o) => o.order_id)).toEqual([...ids]);
    expect(keys).toHaveLength(1);
  }, 60_000);
});
