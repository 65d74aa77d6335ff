import "../../../helpers/lambda-env";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { handler } from "../../../../lambdas/orders";
import { requestHash } from "../../../../lambdas/orders/request";
import { lambdaContext } from "../../../helpers/context";
import { apiGatewayProxyEvent, ordersApiEvent } from "../../../helpers/events";
import { TEST_ENV } from "../../../helpers/lambda-env";
import { captureStdout } from "../../../helpers/logs";

const ddbMock = mockClient(DynamoDBDocumentClient);
const JSON_HEADERS = { "Content-Type": "application/json" };
const ORDER_ID = "3f1c2b9e-8d7a-4c6b-9e5f-0a1b2c3d4e5f";
const BODY = { customer_id: "c-1", items: [{ sku: "book-1", quantity: 2, unit_price_cents: 1299 }] };
const ORDER = {
  order_id: ORDER_ID,
  status: "CREATED",
  customer_id: "c-1",
  items: BODY.items,
  item_count: 1,
  total_cents: 2598,
  created_at: "2025-01-31T12:00:00.000Z",
};
const STORED = { ...ORDER, record_type: "ORDER" };
let stdout: ReturnType<typeof captureStdout>;

beforeEach(() => {
  ddbMock.reset();
  stdout = captureStdout();
});
afterEach(() => {
  stdout.restore();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  handler(
    ordersApiEvent("POST /orders", { body: typeof body === "string" ? body : JSON.stringify(body), headers }),
    lambdaContext,
  );
const get = (orderId: string) => handler(ordersApiEvent("GET /orders/{orderId}", { orderId }), lambdaContext);
const body = (response: { body: string }) => JSON.parse(response.body) as Record<string, unknown>;

describe("POST /orders", () => {
  it("stores the order in ORDERS_TABLE and returns 201 with it and its Location under the stage", async () => {
    ddbMock.on(PutCommand).resolves({});
    const response = await post(BODY);

    expect(response.statusCode).toBe(201);
    const order = body(response);
    expect(order).toEqual({
      order_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: "CREATED",
      customer_id: "c-1",
      items: BODY.items,
      item_count: 1,
      total_cents: 2598,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(response.headers).toEqual({ ...JSON_HEADERS, Location: `/dev/orders/${String(order.order_id)}` });
    expect(ddbMock).toHaveReceivedCommandWith(PutCommand, {
      TableName: TEST_ENV.ORDERS_TABLE,
      Item: { ...order, record_type: "ORDER" },
    });
    expect(ddbMock).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(stdout.lines()).toEqual([
      expect.objectContaining({
        service: "orders",
        message: "request completed",
        method: "POST",
        statusCode: 201,
      }),
    ]);
  });

  it("with an Idempotency-Key, writes the order and the key in one transaction", async () => {
    ddbMock.on(TransactWriteCommand).resolves({});
    const response = await post(BODY, { "idempotency-key": "key-1" });
    expect(response.statusCode).toBe(201);
    expect(ddbMock).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    const items = ddbMock.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items.map((i) => i.Put?.Item?.order_id)).toEqual([body(response).order_id, "IDEMPOTENCY#key-1"]);
  });

  it("repeated with the same key and body, returns 200 with the first order and stores nothing new", async () => {
    ddbMock.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: "Transaction cancelled",
        $metadata: {},
        CancellationReasons: [{ Code: "None" }, { Code: "ConditionalCheckFailed" }],
      }),
    );
    ddbMock.on(GetCommand, { Key: { order_id: "IDEMPOTENCY#key-1" } }).resolves({
      Item: { order_id: "IDEMPOTENCY#key-1", request_hash: requestHash(BODY), order_ref: ORDER_ID },
    });
    ddbMock.on(GetCommand, { Key: { order_id: ORDER_ID } }).resolves({ Item: STORED });

    // Same request, other whitespace and key order: still the same request.
    const response = await post(
      ' { "items": [{"unit_price_cents": 1299, "sku": "book-1", "quantity": 2}], "customer_id": "c-1" } ',
      { "Idempotency-Key": "key-1" },
    );
    expect(response).toEqual({
      statusCode: 200,
      headers: { ...JSON_HEADERS, Location: `/dev/orders/${ORDER_ID}` },
      body: JSON.stringify(ORDER),
    });
    expect(ddbMock).not.toHaveReceivedCommand(PutCommand);
    expect(stdout.lines()).toEqual([
      expect.objectContaining({ message: "idempotent replay", orderId: ORDER_ID }),
      expect.objectContaining({ message: "request completed", statusCode: 200 }),
    ]);
  });

  it("repeated with the same key and another body, returns 409", async () => {
    ddbMock.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: "Transaction cancelled",
        $metadata: {},
        CancellationReasons: [{ Code: "None" }, { Code: "ConditionalCheckFailed" }],
      }),
    );
    ddbMock.on(GetCommand).resolves({
      Item: { order_id: "IDEMPOTENCY#key-1", request_hash: requestHash(BODY), order_ref: ORDER_ID },
    });
    const response = await post({ ...BODY, customer_id: "c-2" }, { "IDEMPOTENCY-KEY": "key-1" });
    expect(response).toEqual({
      statusCode: 409,
      headers: JSON_HEADERS,
      body: '{"message":"Idempotency-Key was already used with a different request"}',
    });
  });

  it.each([
    ["no body", null, "Request body is required"],
    ["a body that is not JSON", "{", "Request body is not valid JSON"],
    ["an unknown field", { ...BODY, note: "x" }, 'Unknown field "note"'],
    ["no items", { customer_id: "c-1", items: [] }, 'Field "items" must be an array of 1 to 100 items'],
    [
      "a bad third quantity",
      {
        customer_id: "c-1",
        items: [BODY.items[0], BODY.items[0], { sku: "b", quantity: 0, unit_price_cents: 1 }],
      },
      'Field "items[2].quantity" must be a positive integer',
    ],
    [
      "a negative price",
      { customer_id: "c-1", items: [{ sku: "b", quantity: 1, unit_price_cents: -5 }] },
      'Field "items[0].unit_price_cents" must be a non-negative integer',
    ],
  ])("returns 400 for %s and touches no data", async (_label, payload, message) => {
    const response = await handler(
      ordersApiEvent("POST /orders", {
        body: payload === null || typeof payload === "string" ? payload : JSON.stringify(payload),
      }),
      lambdaContext,
    );
    expect(response).toEqual({ statusCode: 400, headers: JSON_HEADERS, body: JSON.stringify({ message }) });
    expect(ddbMock.calls()).toHaveLength(0);
  });

  it("returns 400 for a malformed Idempotency-Key before reading the body", async () => {
    const response = await post("{", { "Idempotency-Key": "two words" });
    expect(body(response)).toEqual({
      message: 'Header "Idempotency-Key" must be 1 to 255 visible ASCII characters',
    });
    expect(response.statusCode).toBe(400);
  });

  it("returns a bare 500 with the request id when DynamoDB fails", async () => {
    ddbMock.on(PutCommand).rejects(new Error("ProvisionedThroughputExceeded at table orders-test"));
    const response = await post(BODY);
    expect(response).toEqual({
      statusCode: 500,
      headers: JSON_HEADERS,
      body: JSON.stringify({ message: "Internal server error", requestId: lambdaContext.awsRequestId }),
    });
  });
});

describe("GET /orders/{orderId}", () => {
  it("returns 200 with the order", async () => {
    ddbMock.on(GetCommand).resolves({ Item: STORED });
    await expect(get(ORDER_ID)).resolves.toEqual({
      statusCode: 200,
      headers: JSON_HEADERS,
      body: JSON.stringify(ORDER),
    });
    expect(ddbMock).toHaveReceivedCommandWith(GetCommand, {
      TableName: TEST_ENV.ORDERS_TABLE,
      Key: { order_id: ORDER_ID },
    });
  });

  it("returns 404 for an unknown order", async () => {
    ddbMock.on(GetCommand).resolves({});
    await expect(get(ORDER_ID)).resolves.toEqual({
      statusCode: 404,
      headers: JSON_HEADERS,
      body: JSON.stringify({ message: `Order ${ORDER_ID} not found` }),
    });
  });

  it("returns 400 for an id that is not a UUID, without reading", async () => {
    await expect(get("order-1")).resolves.toEqual({
      statusCode: 400,
      headers: JSON_HEADERS,
      body: JSON.stringify({ message: 'Path parameter "orderId" must be a UUID v4' }),
    });
    expect(ddbMock.calls()).toHaveLength(0);
  });
});

describe("routing", () => {
  it("returns 404 for a route the function does not serve", async () => {
    const response = await handler(
      apiGatewayProxyEvent({ httpMethod: "DELETE", resource: "/orders" }),
      lambdaContext,
    );
    expect(response).toEqual({
      statusCode: 404,
      headers: JSON_HEADERS,
      body: JSON.stringify({ message: "No route for DELETE /orders" }),
    });
  });
});
