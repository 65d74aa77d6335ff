import { InvalidEventError, parseOrderCreated } from "../../../../lambdas/notify/event";
import { orderCreatedEvent } from "../../../helpers/events";

const body = (event: unknown) => JSON.stringify(event);

describe("parseOrderCreated", () => {
  it("returns the event id and the detail of an OrderCreated", () => {
    expect(parseOrderCreated(body(orderCreatedEvent("e-1")))).toEqual({
      eventId: "e-1",
      detail: {
        order_id: "3f1c2b9e-8d7a-4c6b-9e5f-0a1b2c3d4e5f",
        customer_id: "c-1",
        total_cents: 2598,
        item_count: 1,
        created_at: "2025-01-31T12:00:00.000Z",
      },
    });
  });

  it.each([
    ["not JSON", "{", "the message body is not JSON"],
    ["not an object", "[1]", "the message body is not a JSON object"],
    ["without an id", body({ ...orderCreatedEvent("x"), id: undefined }), "id must be a non-empty string"],
    [
      "of another source",
      body({ ...orderCreatedEvent("e"), source: "movies.service" }),
      'expected source orders.service and detail-type OrderCreated, got "movies.service" and "OrderCreated"',
    ],
    ["without a detail", body({ ...orderCreatedEvent("e"), detail: "x" }), "detail must be an object"],
    [
      "with a bad customer id",
      body(orderCreatedEvent("e", { customer_id: "a b" })),
      "detail.customer_id is not a customer id",
    ],
    [
      "with a fractional total",
      body(orderCreatedEvent("e", { total_cents: 1.5 })),
      "detail.total_cents must be a non-negative integer",
    ],
    [
      "without an order id",
      body(orderCreatedEvent("e", { order_id: 7 })),
      "detail.order_id must be a non-empty string",
    ],
  ])("refuses a body %s, naming what is wrong", (_what, text, message) => {
    expect(() => parseOrderCreated(text)).toThrow(new InvalidEventError(message));
  });
});
