import { createHash } from "node:crypto";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { UnauthorizedError, ValidationError } from "../shared/errors";
import { rejectUnknownFields, requireJsonObject, requirePathParameter } from "../shared/validation";
import {
  CUSTOMER_SOURCE_VARIABLE,
  MAX_ORDER_ITEMS,
  REFERENCE_PATTERN,
  REFERENCE_RULE,
  type CustomerSource,
  type OrderItem,
} from "./contract";

/** A validated `POST /orders` body. */
export interface CreateOrderRequest {
  readonly customer_id: string;
  readonly items: readonly OrderItem[];
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Idempotency keys: 1 to 255 visible ASCII characters (a UUID is the usual choice). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
export const IDEMPOTENCY_HEADER = "Idempotency-Key";

/**
 * Validates the `POST /orders` body `{"customer_id", "items": [{"sku", "quantity", "unit_price_cents"}]}`:
 * no other fields at either level, 1 to {@link MAX_ORDER_ITEMS} items, positive integer quantities,
 * non-negative integer prices, and a total that is still an exact integer.
 *
 * With `customer` (the signed-in caller, see {@link customerOf}) the body is `{"items": [...]}` and the
 * order is that customer's: a body that names a customer is refused, never trusted.
 *
 * @throws ValidationError naming the offending field (`items[2].quantity`).
 */
export function parseCreateOrder(body: unknown, customer?: string): CreateOrderRequest {
  const object = requireJsonObject(body);
  if (customer !== undefined && "customer_id" in object) {
    throw new ValidationError(
      'Field "customer_id" is not accepted: an order belongs to the signed-in user (the token\'s sub)',
    );
  }
  rejectUnknownFields(object, customer === undefined ? ["customer_id", "items"] : ["items"]);
  const customerId = reference(customer ?? object.customer_id, "customer_id");
  const items = object.items;
  if (!Array.isArray(items) || items.length < 1 || items.length > MAX_ORDER_ITEMS) {
    throw new ValidationError(`Field "items" must be an array of 1 to ${MAX_ORDER_ITEMS} items`);
  }
  const parsed = items.map((item: unknown, index) => parseItem(item, `items[${index}]`));
  if (!Number.isSafeInteger(totalCents(parsed))) {
    throw new ValidationError(`The order's total must not exceed ${Number.MAX_SAFE_INTEGER} cents`);
  }
  return { customer_id: customerId, items: parsed };
}

function parseItem(value: unknown, field: string): OrderItem {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ValidationError(`Field "${field}" must be a JSON object`);
  }
  const item = value as Record<string, unknown>;
  const unknown = Object.keys(item).find((key) => !["sku", "quantity", "unit_price_cents"].includes(key));
  if (unknown !== undefined) throw new ValidationError(`Unknown field "${field}.${unknown}"`);
  const sku = reference(item.sku, `${field}.sku`);
  const quantity = item.quantity;
  if (typeof quantity !== "number" || !Number.isSafeInteger(quantity) || quantity < 1) {
    throw new ValidationError(`Field "${field}.quantity" must be a positive integer`);
  }
  const price = item.unit_price_cents;
  if (typeof price !== "number" || !Number.isSafeInteger(price) || price < 0) {
    throw new ValidationError(`Field "${field}.unit_price_cents" must be a non-negative integer`);
  }
  return { sku, quantity, unit_price_cents: price };
}

function reference(value: unknown, field: string): string {
  if (value === undefined) throw new ValidationError(`Field "${field}" is required`);
  if (typeof value !== "string" || !REFERENCE_PATTERN.test(value)) {
    throw new ValidationError(`Field "${field}" must be ${REFERENCE_RULE}`);
  }
  return value;
}

/** Sum of `quantity * unit_price_cents`. */
export function totalCents(items: readonly OrderItem[]): number {
  return items.reduce((sum, item) => sum + item.quantity * item.unit_price_cents, 0);
}

/**
 * SHA-256 (hex) of the request in a canonical form (fixed key order, validated values only), so two
 * bodies that differ only in whitespace or key order count as the same request for idempotency.
 */
export function requestHash(request: CreateOrderRequest): string {
  const canonical = JSON.stringify([
    request.customer_id,
    request.items.map((item) => [item.sku, item.quantity, item.unit_price_cents]),
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * The `Idempotency-Key` header, looked up case-insensitively (REST APIs pass header names as sent).
 *
 * @returns `undefined` when the request has none.
 * @throws ValidationError when it is present but empty, too long or not visible ASCII.
 */
export function idempotencyKey(event: Pick<APIGatewayProxyEvent, "headers">): string | undefined {
  const wanted = IDEMPOTENCY_HEADER.toLowerCase();
  const entry = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === wanted);
  if (entry === undefined || entry[1] === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(entry[1])) {
    throw new ValidationError(`Header "${IDEMPOTENCY_HEADER}" must be 1 to 255 visible ASCII characters`);
  }
  return entry[1];
}

/**
 * Returns the `orderId` path parameter, in lowercase as order ids are stored.
 * @throws ValidationError naming `orderId` when it is missing or not a UUID v4.
 */
export function requireOrderId(event: Pick<APIGatewayProxyEvent, "pathParameters">): string {
  return requirePathParameter(event, "orderId", UUID_V4, "a UUID v4").toLowerCase();
}

/**
 * Reads {@link CUSTOMER_SOURCE_VARIABLE}: `token` or `body`; unset means `body`.
 * @throws Error naming the variable for any other value (at init, like a missing variable).
 */
export function customerSource(env: NodeJS.ProcessEnv = process.env): CustomerSource {
  const value = env[CUSTOMER_SOURCE_VARIABLE];
  if (value === undefined || value === "" || value === "body") return "body";
  if (value === "token") return "token";
  throw new Error(`${CUSTOMER_SOURCE_VARIABLE} must be "token" or "body", got "${value}"`);
}

/**
 * The signed-in caller, when the customer comes from the token: the `sub` claim that API Gateway's
 * Cognito authorizer passes as `requestContext.authorizer.claims.sub`. `undefined` when the customer
 * comes from the body.
 *
 * @throws UnauthorizedError when the token is required but the event carries no `sub` (an API deployed
 *   without its authorizer): the request is refused rather than served as anyone.
 */
export function customerOf(
  event: Pick<APIGatewayProxyEvent, "requestContext">,
  source: CustomerSource,
): string | undefined {
  if (source === "body") return undefined;
  const claims: unknown = (event.requestContext?.authorizer as { claims?: unknown } | null | undefined)
    ?.claims;
  const sub = typeof claims === "object" && claims !== null ? (claims as { sub?: unknown }).sub : undefined;
  if (typeof sub !== "string" || sub === "") throw new UnauthorizedError("Unauthorized");
  return sub;
}
