import { InvalidEventPatternError, matchesPattern } from "../../../local/event-patterns";

const event = {
  source: "orders.service",
  "detail-type": "OrderCreated",
  detail: {
    order_id: "o-1",
    customer_id: "Alice",
    total_cents: 2598,
    tags: ["gift", "book"],
    ip: "10.0.0.7",
    note: null,
  },
};
const matches = (pattern: Record<string, unknown>) => matchesPattern(pattern, event);

describe("matchesPattern: EventBridge's event patterns", () => {
  it("matches exact values, every field of the pattern, nested objects", () => {
    expect(matches({ source: ["orders.service"], "detail-type": ["OrderCreated"] })).toBe(true);
    expect(matches({ source: ["orders.service"], "detail-type": ["OrderShipped"] })).toBe(false);
    expect(matches({ detail: { total_cents: [2598], note: [null] } })).toBe(true);
    expect(matches({ detail: { total_cents: ["2598"] } })).toBe(false);
    expect(matches({ detail: { missing: ["x"] } })).toBe(false);
  });

  it("matches an array field when any element matches", () => {
    expect(matches({ detail: { tags: ["book"] } })).toBe(true);
    expect(matches({ detail: { tags: ["toy"] } })).toBe(false);
  });

  it("supports prefix, suffix, equals-ignore-case and wildcard", () => {
    expect(matches({ source: [{ prefix: "orders." }] })).toBe(true);
    expect(matches({ source: [{ suffix: ".service" }] })).toBe(true);
    expect(matches({ source: [{ prefix: { "equals-ignore-case": "ORDERS" } }] })).toBe(true);
    expect(matches({ detail: { customer_id: [{ "equals-ignore-case": "alice" }] } })).toBe(true);
    expect(matches({ detail: { order_id: [{ wildcard: "o-*" }] } })).toBe(true);
    expect(matches({ detail: { order_id: [{ wildcard: "x-*" }] } })).toBe(false);
  });

  it("supports anything-but (values, prefix, suffix)", () => {
    expect(matches({ "detail-type": [{ "anything-but": ["OrderShipped", "OrderCancelled"] }] })).toBe(true);
    expect(matches({ "detail-type": [{ "anything-but": "OrderCreated" }] })).toBe(false);
    expect(matches({ source: [{ "anything-but": { prefix: "orders" } }] })).toBe(false);
    expect(matches({ source: [{ "anything-but": { suffix: ".internal" } }] })).toBe(true);
  });

  it("supports numeric ranges, exists and cidr", () => {
    expect(matches({ detail: { total_cents: [{ numeric: [">", 0, "<=", 2598] }] } })).toBe(true);
    expect(matches({ detail: { total_cents: [{ numeric: [">=", 3000] }] } })).toBe(false);
    expect(matches({ detail: { order_id: [{ numeric: [">", 0] }] } })).toBe(false);
    expect(matches({ detail: { order_id: [{ exists: true }] } })).toBe(true);
    expect(matches({ detail: { coupon: [{ exists: false }] } })).toBe(true);
    expect(matches({ detail: { order_id: [{ exists: false }] } })).toBe(false);
    expect(matches({ detail: { ip: [{ cidr: "10.0.0.0/24" }] } })).toBe(true);
    expect(matches({ detail: { ip: [{ cidr: "10.0.1.0/24" }] } })).toBe(false);
  });

  it("offers alternatives with $or, and refuses patterns EventBridge would", () => {
    expect(matches({ $or: [{ source: ["nope"] }, { detail: { customer_id: ["Alice"] } }] })).toBe(true);
    expect(matches({ $or: [{ source: ["nope"] }, { detail: { customer_id: ["Bob"] } }] })).toBe(false);
    expect(() => matches({ source: "orders.service" })).toThrow(InvalidEventPatternError);
    expect(() => matches({ source: [{ regex: "x" }] })).toThrow('unsupported matcher {"regex":"x"}');
  });

  it("applies the pipe's filter to a DynamoDB stream record (the orders stack's filter)", () => {
    const filter = { eventName: ["INSERT"], dynamodb: { NewImage: { record_type: { S: ["ORDER"] } } } };
    const record = (eventName: string, type: string) => ({
      eventName,
      dynamodb: { NewImage: { record_type: { S: type } } },
    });
    expect(matchesPattern(filter, record("INSERT", "ORDER"))).toBe(true);
    expect(matchesPattern(filter, record("INSERT", "IDEMPOTENCY"))).toBe(false);
    expect(matchesPattern(filter, record("MODIFY", "ORDER"))).toBe(false);
  });
});
