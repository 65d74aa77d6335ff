import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { ConflictError } from "../../../../lambdas/shared/errors";
import { createOrder, getOrder, IDEMPOTENCY_TTL_SECONDS, toOrder } from "../../../../lambdas/orders/orders";
import { requestHash } from "../../../../lambdas/orders/request";

const TABLE = "orders-test";
const ORDER_ID = "3f1c2b9e-8d7a-4c6b-9e5f-0a1b2c3d4e5f";
const EARLIER_ID = "0b6f4c1e-2a3d-4e5f-8a7b-9c0d1e2f3a4b";
const NOW = new Date("2025-01-31T12:00:00.000Z");
const REQUEST = { customer_id: "c-1", items: [{ sku: "book-1", quantity: 2, unit_price_cents: 1299 }] };
const ORDER = {
  order_id: ORDER_ID,
  status: "CREATED",
  customer_id: "c-1",
  items: REQUEST.items,
  item_count: 1,
  total_cents: 2598,
  created_at: "2025-01-31T12:00:00.000Z",
};
const STORED = { ...ORDER, record_type: "ORDER" };

const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1" }));
const ddbMock = mockClient(DynamoDBDocumentClient);
const sleeps: number[] = [];
const options = (idempotencyKey?: string) => ({
  idempotencyKey,
  now: () => NOW,
  newId: () => ORDER_ID,
  retry: { sleep: async (ms: number) => void sleeps.push(ms), random: () => 0.5 },
});

function cancelled(...codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: "Transaction cancelled",
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

beforeEach(() => {
  ddbMock.reset();
  sleeps.length = 0;
});

describe("createOrder without an idempotency key", () => {
  it("stores the order with one conditional PutItem and returns it", async () => {
    ddbMock.on(PutCommand).resolves({});
    await expect(createOrder(ddb, TABLE, REQUEST, options())).resolves.toEqual({
      order: ORDER,
      created: true,
    });
    expect(ddbMock.calls()).toHaveLength(1);
    expect(ddbMock).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE,
      Item: STORED,
      ConditionExpression: "attribute_not_exists(order_id)",
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    });
  });

  it("treats a retried PutItem that finds its own order as stored, not as a failure", async () => {
    ddbMock.on(PutCommand).rejects(
      new ConditionalCheckFailedException({
        message: "The conditional request failed",
        $metadata: {},
        Item: {
          order_id: { S: ORDER_ID },
          record_type: { S: "ORDER" },
          created_at: { S: ORDER.created_at },
          customer_id: { S: "c-1" },
        },
      }),
    );
    await expect(createOrder(ddb, TABLE, REQUEST, options())).resolves.toEqual({
      order: ORDER,
      created: true,
    });
  });

  it("fails when the conditional PutItem finds another item under the id", async () => {
    const failure = new ConditionalCheckFailedException({
      message: "The conditional request failed",
      $metadata: {},
      Item: {
        order_id: { S: ORDER_ID },
        record_type: { S: "ORDER" },
        created_at: { S: "2020-01-01T00:00:00.000Z" },
      },
    });
    ddbMock.on(PutCommand).rejects(failure);
    await expect(createOrder(ddb, TABLE, REQUEST, options())).rejects.toBe(failure);
  });

  it("generates a UUID v4 and the current time by default", async () => {
    ddbMock.on(PutCommand).resolves({});
    const { order } = await createOrder(ddb, TABLE, REQUEST);
    expect(order.order_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Date.parse(order.created_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(order.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("lets DynamoDB errors through", async () => {
    ddbMock.on(PutCommand).rejects(new Error("throttled"));
    await expect(createOrder(ddb, TABLE, REQUEST, options())).rejects.toThrow("throttled");
  });
});

describe("createOrder with an idempotency key", () => {
  const IDEMPOTENCY_ITEM = {
    order_id: "IDEMPOTENCY#key-1",
    record_type: "IDEMPOTENCY",
    request_hash: requestHash(REQUEST),
    order_ref: ORDER_ID,
    created_at: "2025-01-31T12:00:00.000Z",
    expires_at: NOW.getTime() / 1000 + IDEMPOTENCY_TTL_SECONDS,
  };

  it("writes the order and the idempotency item in one transaction, both conditional", async () => {
    ddbMock.on(TransactWriteCommand).resolves({});
    await expect(createOrder(ddb, TABLE, REQUEST, options("key-1"))).resolves.toEqual({
      order: ORDER,
      created: true,
    });
    expect(ddbMock.calls()).toHaveLength(1);
    expect(ddbMock).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        { Put: { TableName: TABLE, Item: STORED, ConditionExpression: "attribute_not_exists(order_id)" } },
        {
          Put: {
            TableName: TABLE,
            Item: IDEMPOTENCY_ITEM,
            ConditionExpression: "attribute_not_exists(order_id)",
          },
        },
      ],
    });
    expect(IDEMPOTENCY_ITEM.expires_at).toBe(1738411200);
  });

  it("returns the earlier order, not created, when the same request already used the key", async () => {
    ddbMock.on(TransactWriteCommand).rejects(cancelled("None", "ConditionalCheckFailed"));
    ddbMock
      .on(GetCommand, { Key: { order_id: "IDEMPOTENCY#key-1" } })
      .resolves({ Item: { ...IDEMPOTENCY_ITEM, order_ref: EARLIER_ID } });
    ddbMock
      .on(GetCommand, { Key: { order_id: EARLIER_ID } })
      .resolves({ Item: { ...STORED, order_id: EARLIER_ID, created_at: "2025-01-31T11:59:00.000Z" } });

    await expect(createOrder(ddb, TABLE, REQUEST, options("key-1"))).resolves.toEqual({
      order: { ...ORDER, order_id: EARLIER_ID, created_at: "2025-01-31T11:59:00.000Z" },
      created: false,
    });
    expect(ddbMock).toHaveReceivedCommandWith(GetCommand, {
      TableName: TABLE,
      Key: { order_id: "IDEMPOTENCY#key-1" },
      ConsistentRead: true,
    });
    expect(ddbMock).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
  });

  it("refuses with a ConflictError when the key was used with a different request", async () => {
    const cancellation = cancelled("None", "ConditionalCheckFailed");
    ddbMock.on(TransactWriteCommand).rejects(cancellation);
    ddbMock.on(GetCommand).resolves({ Item: { ...IDEMPOTENCY_ITEM, request_hash: "0".repeat(64) } });
    await expect(createOrder(ddb, TABLE, REQUEST, options("key-1"))).rejects.toThrow(
      new ConflictError("Idempotency-Key was already used with a different request", { cause: cancellation }),
    );
    expect(ddbMock).toHaveReceivedCommandTimes(GetCommand, 1);
  });

  it("retries with backoff while a concurrent request holds the key, then reads its order", async () => {
    ddbMock
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled("None", "TransactionConflict"))
      .rejectsOnce(cancelled("TransactionConflict", "None"))
      .rejects(cancelled("None", "ConditionalCheckFailed"));
    ddbMock.on(GetCommand, { Key: { order_id: "IDEMPOTENCY#key-1" } }).resolves({ Item: IDEMPOTENCY_ITEM });
    ddbMock.on(GetCommand, { Key: { order_id: ORDER_ID } }).resolves({ Item: STORED });

    await expect(createOrder(ddb, TABLE, REQUEST, options("key-1"))).resolves.toEqual({
      order: ORDER,
      created: false,
    });
    expect(ddbMock).toHaveReceivedCommandTimes(TransactWriteCommand, 3);
    expect(sleeps).toEqual([25, 50]);
  });

  it("gives up with a ConflictError after five conflicting attempts, caused by the last cancellation", async () => {
    const last = cancelled("TransactionConflict", "None");
    ddbMock
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled("None", "TransactionConflict"))
      .rejectsOnce(cancelled("None", "TransactionConflict"))
      .rejectsOnce(cancelled("None", "TransactionConflict"))
      .rejectsOnce(cancelled("None", "TransactionConflict"))
      .rejects(last);
    const failure = createOrder(ddb, TABLE, REQUEST, options("key-1"));
    await expect(failure).rejects.toThrow(
      new ConflictError("A request with the same Idempotency-Key is in progress, please retry", {
        cause: last,
      }),
    );
    await expect(failure).rejects.toHaveProperty("cause", last);
    expect(ddbMock).toHaveReceivedCommandTimes(TransactWriteCommand, 5);
    expect(sleeps).toHaveLength(4);
  });

  it("tries again when the idempotency item expired between the write and the read", async () => {
    ddbMock.on(TransactWriteCommand).rejectsOnce(cancelled("None", "ConditionalCheckFailed")).resolves({});
    ddbMock.on(GetCommand).resolves({});
    await expect(createOrder(ddb, TABLE, REQUEST, options("key-1"))).resolves.toEqual({
      order: ORDER,
      created: true,
    });
    expect(ddbMock).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
  });

  it("fails loudly when the idempotency item names an order that does not exist", async () => {
    ddbMock.on(TransactWriteCommand).rejects(cancelled("None", "ConditionalCheckFailed"));
    ddbMock.on(GetCommand, { Key: { order_id: "IDEMPOTENCY#key-1" } }).resolves({ Item: IDEMPOTENCY_ITEM });
    ddbMock.on(GetCommand, { Key: { order_id: ORDER_ID } }).resolves({});
    await expect(createOrder(ddb, TABLE, REQUEST, options("key-1"))).rejects.toThrow(
      `Idempotency item for an order that does not exist (${ORDER_ID})`,
    );
  });

  it.each([
    ["a cancellation for another reason", cancelled("ValidationError", "None")],
    ["a non-transaction error", new Error("throttled")],
  ])("lets %s through", async (_label, error) => {
    ddbMock.on(TransactWriteCommand).rejects(error);
    await expect(createOrder(ddb, TABLE, REQUEST, options("key-1"))).rejects.toBe(error);
    expect(ddbMock).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
  });
});

describe("getOrder", () => {
  it("reads the order, strongly consistent, without its record type", async () => {
    ddbMock.on(GetCommand).resolves({ Item: STORED });
    await expect(getOrder(ddb, TABLE, ORDER_ID)).resolves.toEqual(ORDER);
    expect(ddbMock).toHaveReceivedCommandWith(GetCommand, {
      TableName: TABLE,
      Key: { order_id: ORDER_ID },
      ConsistentRead: true,
    });
  });

  it("is undefined for an unknown id", async () => {
    ddbMock.on(GetCommand).resolves({});
    await expect(getOrder(ddb, TABLE, ORDER_ID)).resolves.toBeUndefined();
  });

  it("never returns an item that is not an order", async () => {
    ddbMock.on(GetCommand).resolves({ Item: { order_id: ORDER_ID, record_type: "IDEMPOTENCY" } });
    await expect(getOrder(ddb, TABLE, ORDER_ID)).resolves.toBeUndefined();
  });
});

describe("toOrder", () => {
  it("keeps the known attributes only", () => {
    expect(toOrder({ ...STORED, expires_at: 1, extra: "x" })).toEqual(ORDER);
  });
});
