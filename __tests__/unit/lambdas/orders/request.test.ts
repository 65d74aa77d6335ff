import { UnauthorizedError, ValidationError } from "../../../../lambdas/shared/errors";
import {
  customerOf,
  customerSource,
  idempotencyKey,
  parseCreateOrder,
  requestHash,
  requireOrderId,
  totalCents,
} from "../../../../lambdas/orders/request";

const BOOK = { sku: "book-1", quantity: 2, unit_price_cents: 1299 };
const valid = (overrides: Record<string, unknown> = {}) => ({
  customer_id: "c-1",
  items: [BOOK],
  ...overrides,
});

describe("parseCreateOrder", () => {
  it("accepts the documented body", () => {
    expect(parseCreateOrder(valid())).toEqual({ customer_id: "c-1", items: [BOOK] });
  });

  it("accepts 100 items, free items and customer ids like e-mail addresses", () => {
    const items = Array.from({ length: 100 }, (_, i) => ({
      sku: `sku-${i}`,
      quantity: 1,
      unit_price_cents: 0,
    }));
    expect(parseCreateOrder({ customer_id: "ada+shop@example.org", items }).items).toHaveLength(100);
  });

  const item = (overrides: Record<string, unknown>) => ({ ...BOOK, ...overrides });
  it.each([
    ["an array", [], "Request body must be a JSON object"],
    ["null", null, "Request body must be a JSON object"],
    ["an unknown field", valid({ coupon: "X" }), 'Unknown field "coupon"'],
    ["no customer_id", { items: [BOOK] }, 'Field "customer_id" is required'],
    [
      "a numeric customer_id",
      valid({ customer_id: 1 }),
      'Field "customer_id" must be 1 to 128 characters of letters, digits, "_", ".", ":", "@", "+" or "-"',
    ],
    [
      "a customer_id with a quote",
      valid({ customer_id: 'c"1' }),
      'Field "customer_id" must be 1 to 128 characters of letters, digits, "_", ".", ":", "@", "+" or "-"',
    ],
    [
      "an empty customer_id",
      valid({ customer_id: "" }),
      'Field "customer_id" must be 1 to 128 characters of letters, digits, "_", ".", ":", "@", "+" or "-"',
    ],
    ["no items", { customer_id: "c-1" }, 'Field "items" must be an array of 1 to 100 items'],
    ["an empty items array", valid({ items: [] }), 'Field "items" must be an array of 1 to 100 items'],
    ["items as an object", valid({ items: { 0: BOOK } }), 'Field "items" must be an array of 1 to 100 items'],
    [
      "101 items",
      valid({ items: Array.from({ length: 101 }, () => BOOK) }),
      'Field "items" must be an array of 1 to 100 items',
    ],
    [
      "an item that is not an object",
      valid({ items: [BOOK, "book-2"] }),
      'Field "items[1]" must be a JSON object',
    ],
    ["an unknown item field", valid({ items: [item({ colour: "red" })] }), 'Unknown field "items[0].colour"'],
    [
      "an item without sku",
      valid({ items: [{ quantity: 1, unit_price_cents: 1 }] }),
      'Field "items[0].sku" is required',
    ],
    [
      "a zero quantity",
      valid({ items: [BOOK, BOOK, item({ quantity: 0 })] }),
      'Field "items[2].quantity" must be a positive integer',
    ],
    [
      "a negative quantity",
      valid({ items: [item({ quantity: -1 })] }),
      'Field "items[0].quantity" must be a positive integer',
    ],
    [
      "a fractional quantity",
      valid({ items: [item({ quantity: 1.5 })] }),
      'Field "items[0].quantity" must be a positive integer',
    ],
    [
      "a string quantity",
      valid({ items: [item({ quantity: "2" })] }),
      'Field "items[0].quantity" must be a positive integer',
    ],
    [
      "a missing quantity",
      valid({ items: [{ sku: "a", unit_price_cents: 1 }] }),
      'Field "items[0].quantity" must be a positive integer',
    ],
    [
      "a negative price",
      valid({ items: [item({ unit_price_cents: -1 })] }),
      'Field "items[0].unit_price_cents" must be a non-negative integer',
    ],
    [
      "a price in euros",
      valid({ items: [item({ unit_price_cents: 12.99 })] }),
      'Field "items[0].unit_price_cents" must be a non-negative integer',
    ],
    [
      "a total beyond exact integers",
      valid({
        items: [
          item({ quantity: 2 ** 30, unit_price_cents: 2 ** 30 }),
          item({ quantity: 2 ** 30, unit_price_cents: 2 ** 30 }),
        ],
      }),
      "The order's total must not exceed 9007199254740991 cents",
    ],
  ])("rejects %s", (_label, body, message) => {
    expect(() => parseCreateOrder(body)).toThrow(new ValidationError(message));
  });
});

describe("totalCents", () => {
  it("sums quantity times unit price", () => {
    expect(totalCents([BOOK, { sku: "pen", quantity: 3, unit_price_cents: 150 }])).toBe(2 * 1299 + 3 * 150);
  });
});

describe("requestHash", () => {
  it("is the same for the same request, whatever the key order", () => {
    const a = parseCreateOrder(
      JSON.parse('{"customer_id":"c-1","items":[{"sku":"book-1","quantity":2,"unit_price_cents":1299}]}'),
    );
    const b = parseCreateOrder(
      JSON.parse('{"items":[{"unit_price_cents":1299,"quantity":2,"sku":"book-1"}],"customer_id":"c-1"}'),
    );
    expect(requestHash(a)).toBe(requestHash(b));
    expect(requestHash(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("differs when anything that is stored differs", () => {
    const base = requestHash({ customer_id: "c-1", items: [BOOK] });
    expect(requestHash({ customer_id: "c-2", items: [BOOK] })).not.toBe(base);
    expect(requestHash({ customer_id: "c-1", items: [{ ...BOOK, quantity: 3 }] })).not.toBe(base);
    expect(requestHash({ customer_id: "c-1", items: [BOOK, BOOK] })).not.toBe(base);
  });
});

describe("idempotencyKey", () => {
  it.each(["Idempotency-Key", "idempotency-key", "IDEMPOTENCY-KEY"])("reads the %s header", (name) => {
    expect(idempotencyKey({ headers: { [name]: "key-1" } })).toBe("key-1");
  });

  it("is undefined without the header or without headers", () => {
    expect(idempotencyKey({ headers: { "Content-Type": "application/json" } })).toBeUndefined();
    expect(idempotencyKey({ headers: null as never })).toBeUndefined();
  });

  it.each([
    ["empty", ""],
    ["too long", "k".repeat(256)],
    ["with a space", "my key"],
    ["non-ASCII", "clé"],
  ])("rejects a key that is %s", (_label, value) => {
    expect(() => idempotencyKey({ headers: { "Idempotency-Key": value } })).toThrow(
      new ValidationError('Header "Idempotency-Key" must be 1 to 255 visible ASCII characters'),
    );
  });
});

describe("requireOrderId", () => {
  const id = "3f1c2b9e-8d7a-4c6b-9e5f-0a1b2c3d4e5f";
  it("returns a UUID v4, lowercased", () => {
    expect(requireOrderId({ pathParameters: { orderId: id } })).toBe(id);
    expect(requireOrderId({ pathParameters: { orderId: id.toUpperCase() } })).toBe(id);
  });

  it.each([
    ["not a UUID", "order-1"],
    ["a UUID v1", "3f1c2b9e-8d7a-1c6b-9e5f-0a1b2c3d4e5f"],
    ["an idempotency item's key", "IDEMPOTENCY#key-1"],
  ])("rejects an id that is %s", (_label, orderId) => {
    expect(() => requireOrderId({ pathParameters: { orderId } })).toThrow(
      new ValidationError('Path parameter "orderId" must be a UUID v4'),
    );
  });

  it("requires the parameter", () => {
    expect(() => requireOrderId({ pathParameters: null })).toThrow(
      new ValidationError('Path parameter "orderId" is required'),
    );
  });
});

describe("customerSource", () => {
  it("is body when unset, token or body when set, and refuses anything else at init", () => {
    expect(customerSource({})).toBe("body");
    expect(customerSource({ ORDERS_CUSTOMER_SOURCE: "body" })).toBe("body");
    expect(customerSource({ ORDERS_CUSTOMER_SOURCE: "token" })).toBe("token");
    expect(() => customerSource({ ORDERS_CUSTOMER_SOURCE: "claims" })).toThrow(
      'ORDERS_CUSTOMER_SOURCE must be "token" or "body", got "claims"',
    );
  });
});

describe("customerOf", () => {
  const withClaims = (claims: unknown) =>
    ({ requestContext: { authorizer: claims === undefined ? null : { claims } } }) as Parameters<
      typeof customerOf
    >[0];

  it("is the authorizer's sub claim when the customer comes from the token", () => {
    expect(customerOf(withClaims({ sub: "abc-123", token_use: "access" }), "token")).toBe("abc-123");
  });

  it("is undefined when the customer comes from the body, whatever the claims", () => {
    expect(customerOf(withClaims({ sub: "abc-123" }), "body")).toBeUndefined();
  });

  it.each([undefined, {}, { sub: "" }, { sub: 42 }])("refuses claims %p with a 401", (claims) => {
    expect(() => customerOf(withClaims(claims), "token")).toThrow(new UnauthorizedError("Unauthorized"));
  });
});

describe("parseCreateOrder for the signed-in customer", () => {
  const items = [{ sku: "book-1", quantity: 1, unit_price_cents: 100 }];

  it("takes the customer given, from a body of items only", () => {
    expect(parseCreateOrder({ items }, "abc-123")).toEqual({ customer_id: "abc-123", items });
  });

  it("refuses a body that names a customer, even the same one", () => {
    expect(() => parseCreateOrder({ customer_id: "abc-123", items }, "abc-123")).toThrow(
      new ValidationError(
        'Field "customer_id" is not accepted: an order belongs to the signed-in user (the token\'s sub)',
      ),
    );
  });
});
