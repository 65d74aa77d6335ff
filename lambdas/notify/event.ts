import {
  ORDER_CREATED_DETAIL_TYPE,
  ORDERS_EVENT_SOURCE,
  REFERENCE_PATTERN,
  type OrderCreatedDetail,
} from "../orders/contract";

/** A message that can never be notified about, whatever the retries: it is not an OrderCreated event. */
export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidEventError";
  }
}

/** What a notification is made from: the event's id and its detail. */
export interface OrderCreated {
  /** The EventBridge event id (the idempotency key). */
  readonly eventId: string;
  readonly detail: OrderCreatedDetail;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function text(record: Record<string, unknown>, field: string, where: string): string {
  const value = record[field];
  if (typeof value !== "string" || value === "") {
    throw new InvalidEventError(`${where}${field} must be a non-empty string`);
  }
  return value;
}

function count(record: Record<string, unknown>, field: string): number {
  const value = record[field];
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new InvalidEventError(`detail.${field} must be a non-negative integer`);
  }
  return value;
}

/**
 * The OrderCreated event an SQS message body carries (the rule's target input is the whole event), or an
 * {@link InvalidEventError} naming the first field that is wrong. Checked before anything is written.
 */
export function parseOrderCreated(body: string): OrderCreated {
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    throw new InvalidEventError("the message body is not JSON");
  }
  if (!isObject(event)) throw new InvalidEventError("the message body is not a JSON object");
  const eventId = text(event, "id", "");
  if (event.source !== ORDERS_EVENT_SOURCE || event["detail-type"] !== ORDER_CREATED_DETAIL_TYPE) {
    throw new InvalidEventError(
      `expected source ${ORDERS_EVENT_SOURCE} and detail-type ${ORDER_CREATED_DETAIL_TYPE}, got ` +
        `${JSON.stringify(event.source)} and ${JSON.stringify(event["detail-type"])}`,
    );
  }
  const detail = event.detail;
  if (!isObject(detail)) throw new InvalidEventError("detail must be an object");
  const customerId = text(detail, "customer_id", "detail.");
  if (!REFERENCE_PATTERN.test(customerId)) {
    throw new InvalidEventError("detail.customer_id is not a customer id");
  }
  return {
    eventId,
    detail: {
      order_id: text(detail, "order_id", "detail."),
      customer_id: customerId,
      total_cents: count(detail, "total_cents"),
      item_count: count(detail, "item_count"),
      created_at: text(detail, "created_at", "detail."),
    },
  };
}
