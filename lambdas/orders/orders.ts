import { randomUUID } from "node:crypto";
import { ConditionalCheckFailedException, type AttributeValue } from "@aws-sdk/client-dynamodb";
import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import { ConflictError } from "../shared/errors";
import { retryWithBackoff, type AttemptOutcome, type BackoffOptions } from "../shared/retry";
import { anyCancelledWith, cancellationCodes } from "../shared/transactions";
import {
  IDEMPOTENCY_KEY_PREFIX,
  IDEMPOTENCY_RECORD_TYPE,
  ORDER_RECORD_TYPE,
  type Order,
  type OrderItem,
} from "./contract";
import { IDEMPOTENCY_HEADER, requestHash, totalCents, type CreateOrderRequest } from "./request";

/** How long an idempotency key is honoured, at least (DynamoDB's TTL deletes expired items later). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export interface CreateOrderOptions {
  /**
   * The request's `Idempotency-Key`.
   * @default none: every call creates an order
   */
  readonly idempotencyKey?: string;
  /** @default the current time */
  readonly now?: () => Date;
  /** @default crypto.randomUUID */
  readonly newId?: () => string;
  /**
   * Backoff between attempts when a concurrent request with the same key holds the idempotency item in
   * a transaction (`maxAttempts` defaults to 5 here).
   */
  readonly retry?: BackoffOptions;
}

/** What `createOrder` did: stored a new order, or found the one an earlier request with the key stored. */
export interface CreateOrderResult {
  readonly order: Order;
  /** `false` when the order was stored by an earlier request with the same idempotency key. */
  readonly created: boolean;
}

/** The actions of the idempotent create, in the order of its TransactItems. */
const CREATE_ACTIONS = ["order", "idempotencyKey"] as const;

/**
 * Stores a new order (status CREATED) and returns it.
 *
 * Without an idempotency key this is one conditional PutItem. With one, it is one TransactWriteItems of
 * two conditional Puts: the order, and the idempotency item `IDEMPOTENCY#<key>` holding a hash of the
 * request and the order's id. Exactly one request per key can win that transaction, so concurrent
 * retries never store two orders; a loser reads the idempotency item and returns the winner's order
 * (same request) or a 409 (different request). Nothing is published here: the table's stream announces
 * the order once it is stored (see the stack's pipe), so there is no dual write.
 *
 * @throws ConflictError when the key was used with a different request, or stays locked by a concurrent
 *   request after every retry.
 */
export async function createOrder(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  request: CreateOrderRequest,
  options: CreateOrderOptions = {},
): Promise<CreateOrderResult> {
  const now = (options.now ?? (() => new Date()))();
  const order: Order = {
    order_id: (options.newId ?? randomUUID)(),
    status: "CREATED",
    customer_id: request.customer_id,
    items: request.items,
    item_count: request.items.length,
    total_cents: totalCents(request.items),
    created_at: now.toISOString(),
  };
  if (options.idempotencyKey === undefined) {
    await putOrder(ddb, tableName, order);
    return { order, created: true };
  }
  return putOrderOnce(ddb, tableName, order, {
    key: options.idempotencyKey,
    hash: requestHash(request),
    expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
    retry: options.retry,
  });
}

const NOT_EXISTS = "attribute_not_exists(order_id)";

/** The item an order is stored as. */
const orderItemOf = (order: Order) => ({ ...order, record_type: ORDER_RECORD_TYPE });

/** One conditional PutItem of a new order. */
async function putOrder(ddb: DynamoDBDocumentClient, tableName: string, order: Order): Promise<void> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: tableName,
        Item: orderItemOf(order),
        ConditionExpression: NOT_EXISTS,
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    );
  } catch (error) {
    // The SDK retries a PutItem whose answer was lost; if the first attempt had stored this very order,
    // the retry fails its own condition. That is success, not a 500 for an order that exists.
    if (!(error instanceof ConditionalCheckFailedException && isStoredOrder(error.Item, order))) throw error;
  }
}

interface IdempotencyClaim {
  readonly key: string;
  /** {@link requestHash} of the request. */
  readonly hash: string;
  /** When DynamoDB's TTL may delete the idempotency item, in epoch seconds. */
  readonly expiresAt: number;
  readonly retry?: BackoffOptions;
}

/**
 * Stores `order` and the idempotency item of `claim.key` in one transaction, or returns the order an
 * earlier request with the key stored. Retried with backoff while a concurrent request holds the key.
 */
async function putOrderOnce(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  order: Order,
  claim: IdempotencyClaim,
): Promise<CreateOrderResult> {
  const idempotencyItem = {
    order_id: `${IDEMPOTENCY_KEY_PREFIX}${claim.key}`,
    record_type: IDEMPOTENCY_RECORD_TYPE,
    request_hash: claim.hash,
    order_ref: order.order_id,
    created_at: order.created_at,
    expires_at: claim.expiresAt,
  };
  const attempt = async (): Promise<AttemptOutcome<CreateOrderResult>> => {
    try {
      await ddb.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: tableName, Item: orderItemOf(order), ConditionExpression: NOT_EXISTS } },
            { Put: { TableName: tableName, Item: idempotencyItem, ConditionExpression: NOT_EXISTS } },
          ],
        }),
      );
      return { done: true, value: { order, created: true } };
    } catch (error) {
      const codes = cancellationCodes(error, CREATE_ACTIONS);
      if (codes?.idempotencyKey === "ConditionalCheckFailed") {
        const earlier = await findIdempotentOrder(ddb, tableName, claim, error);
        if (earlier) return { done: true, value: { order: earlier, created: false } };
        // The item expired and was deleted between our write and our read: try again.
        return { done: false, reason: error };
      }
      if (codes && anyCancelledWith(codes, "TransactionConflict")) return { done: false, reason: error };
      throw error;
    }
  };
  return retryWithBackoff(
    attempt,
    (_attempts, lastReason) =>
      new ConflictError(`A request with the same ${IDEMPOTENCY_HEADER} is in progress, please retry`, {
        cause: lastReason,
      }),
    { ...claim.retry, maxAttempts: claim.retry?.maxAttempts ?? 5 },
  );
}

/**
 * The order an earlier request with idempotency key `claim.key` stored, if that request was the same.
 *
 * @param cancelled the cancelled transaction that sent us here, the cause of a conflict.
 * @returns `undefined` when the idempotency item no longer exists.
 * @throws ConflictError when the earlier request was a different one.
 */
async function findIdempotentOrder(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  claim: Pick<IdempotencyClaim, "key" | "hash">,
  cancelled: unknown,
): Promise<Order | undefined> {
  const { Item: record } = await ddb.send(
    new GetCommand({
      TableName: tableName,
      Key: { order_id: `${IDEMPOTENCY_KEY_PREFIX}${claim.key}` },
      ConsistentRead: true,
    }),
  );
  if (record === undefined) return undefined;
  if (record.request_hash !== claim.hash) {
    throw new ConflictError(`${IDEMPOTENCY_HEADER} was already used with a different request`, {
      cause: cancelled,
    });
  }
  const order = await getOrder(ddb, tableName, String(record.order_ref));
  if (order === undefined) {
    throw new Error(`Idempotency item for an order that does not exist (${String(record.order_ref)})`);
  }
  return order;
}

/**
 * Reads one order, strongly consistent so a client following the `Location` of a fresh order finds it.
 *
 * @returns `undefined` when there is no such order (idempotency items are never returned).
 */
export async function getOrder(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  orderId: string,
): Promise<Order | undefined> {
  const { Item: item } = await ddb.send(
    new GetCommand({ TableName: tableName, Key: { order_id: orderId }, ConsistentRead: true }),
  );
  if (item === undefined || item.record_type !== ORDER_RECORD_TYPE) return undefined;
  return toOrder(item);
}

/** The API's view of a stored order item: its known attributes only, never `record_type`. */
export function toOrder(item: Record<string, unknown>): Order {
  const items = Array.isArray(item.items) ? (item.items as Record<string, unknown>[]) : [];
  return {
    order_id: String(item.order_id),
    status: "CREATED",
    customer_id: String(item.customer_id),
    items: items.map((line): OrderItem => ({
      sku: String(line.sku),
      quantity: Number(line.quantity),
      unit_price_cents: Number(line.unit_price_cents),
    })),
    item_count: Number(item.item_count),
    total_cents: Number(item.total_cents),
    created_at: String(item.created_at),
  };
}

/** Whether the item a failed condition check returned (raw attribute values) is `order`, as we stored it. */
function isStoredOrder(item: Record<string, AttributeValue> | undefined, order: Order): boolean {
  return (
    item?.order_id?.S === order.order_id &&
    item.record_type?.S === ORDER_RECORD_TYPE &&
    item.created_at?.S === order.created_at &&
    item.customer_id?.S === order.customer_id
  );
}
