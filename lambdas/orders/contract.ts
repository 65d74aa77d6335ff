/**
 * The orders service's contracts, shared by the Lambda (what it stores and accepts) and the stack (what
 * the pipe filters on, how it renders the event, what the API's request model allows), so the two cannot
 * drift apart. No imports: infra code may import this file, and it must not pull Lambda code with it.
 */

/** `record_type` of an order item. The pipe announces only INSERTs of items with this type. */
export const ORDER_RECORD_TYPE = "ORDER";

/** `record_type` of an idempotency item (`order_id` = `IDEMPOTENCY#<key>`); never announced. */
export const IDEMPOTENCY_RECORD_TYPE = "IDEMPOTENCY";

/** Prefix of the partition key of idempotency items, which share the orders table. */
export const IDEMPOTENCY_KEY_PREFIX = "IDEMPOTENCY#";

/** Orders hold 1 to this many lines (the handler's validation and the API's request model). */
export const MAX_ORDER_ITEMS = 100;

/**
 * Customer ids and SKUs: 1 to 128 characters that never need escaping in JSON or URLs. The customer id
 * is rendered into the OrderCreated event by a template, so this rule is what keeps that JSON valid.
 * The handler's validation and the API's request model both use it.
 */
export const REFERENCE_PATTERN = /^[A-Za-z0-9_.:@+-]{1,128}$/;

/** {@link REFERENCE_PATTERN} in words, for error messages. */
export const REFERENCE_RULE = '1 to 128 characters of letters, digits, "_", ".", ":", "@", "+" or "-"';

/**
 * Where the orders function takes an order's customer from: `token` (the API has a Cognito authorizer:
 * the signed-in user's `sub`, and a body may not name a customer) or `body` (no authorizer: the body's
 * `customer_id`, the workshop's open API). The stack sets it from the environment's `auth`.
 */
export const CUSTOMER_SOURCE_VARIABLE = "ORDERS_CUSTOMER_SOURCE";
export type CustomerSource = "token" | "body";

/** `source` of every event the orders service publishes. */
export const ORDERS_EVENT_SOURCE = "orders.service";

/** `detail-type` of the event announcing a stored order. */
export const ORDER_CREATED_DETAIL_TYPE = "OrderCreated";

/** The EventBridge pattern of every OrderCreated the orders service publishes, for subscribers' rules. */
export const ORDER_CREATED_EVENT_PATTERN = {
  source: [ORDERS_EVENT_SOURCE],
  "detail-type": [ORDER_CREATED_DETAIL_TYPE],
} as const;

/** An order line as the API accepts and stores it. */
export interface OrderItem {
  readonly sku: string;
  readonly quantity: number;
  readonly unit_price_cents: number;
}

/** An order as the API returns it (the stored item without its internal attributes). */
export interface Order {
  /** UUID v4. */
  readonly order_id: string;
  readonly status: "CREATED";
  readonly customer_id: string;
  readonly items: readonly OrderItem[];
  /** The number of lines in `items` (not the sum of quantities). */
  readonly item_count: number;
  /** Sum of `quantity * unit_price_cents` over `items`. */
  readonly total_cents: number;
  /** ISO 8601, UTC, milliseconds (`2025-01-31T12:00:00.000Z`). */
  readonly created_at: string;
}

/**
 * The `detail` of an `OrderCreated` event: rendered by the pipe from the order item's NewImage, so it
 * carries only what the item holds as top-level scalars. Strings are quoted in the template, numbers
 * are not (a DynamoDB `N` is a string in the stream record).
 */
export interface OrderCreatedDetail {
  readonly order_id: string;
  readonly customer_id: string;
  readonly total_cents: number;
  readonly item_count: number;
  readonly created_at: string;
}

/**
 * The pipe's input template: the `detail` of `OrderCreated`, one placeholder per field of
 * {@link OrderCreatedDetail}. Customer ids are restricted to characters that need no JSON escaping
 * (see validation), so the rendered JSON is always valid.
 */
export const ORDER_CREATED_INPUT_TEMPLATE =
  "{" +
  [
    `"order_id": "<$.dynamodb.NewImage.order_id.S>"`,
    `"customer_id": "<$.dynamodb.NewImage.customer_id.S>"`,
    `"total_cents": <$.dynamodb.NewImage.total_cents.N>`,
    `"item_count": <$.dynamodb.NewImage.item_count.N>`,
    `"created_at": "<$.dynamodb.NewImage.created_at.S>"`,
  ].join(", ") +
  "}";

/**
 * The pipe's filter: only new order items. Idempotency items (and any later MODIFY or TTL REMOVE) are
 * never announced.
 */
export const ORDER_CREATED_FILTER_PATTERN = {
  eventName: ["INSERT"],
  dynamodb: { NewImage: { record_type: { S: [ORDER_RECORD_TYPE] } } },
} as const;
