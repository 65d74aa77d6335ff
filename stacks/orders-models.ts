import type { RequestModel } from "../constructs/rest-api";
import { MAX_ORDER_ITEMS, REFERENCE_PATTERN } from "../lambdas/orders/contract";

const REFERENCE = { type: "string", pattern: REFERENCE_PATTERN.source } as const;

const ITEMS = {
  type: "array",
  minItems: 1,
  maxItems: MAX_ORDER_ITEMS,
  items: {
    type: "object",
    properties: {
      sku: REFERENCE,
      quantity: { type: "integer", minimum: 1 },
      unit_price_cents: { type: "integer", minimum: 0 },
    },
    required: ["sku", "quantity", "unit_price_cents"],
    additionalProperties: false,
  },
} as const;

/**
 * The POST /orders body, checked by API Gateway before the orders function runs:
 * `{"customer_id", "items": [{"sku", "quantity", "unit_price_cents"}]}` with no other fields, 1 to
 * MAX_ORDER_ITEMS items, positive integer quantities and non-negative integer prices. The patterns and
 * limits come from the orders contract the handler validates with, so the two checks cannot drift apart.
 */
export const CREATE_ORDER_MODEL: RequestModel = {
  name: "CreateOrder",
  description: "Body of POST /orders",
  schema: {
    type: "object",
    properties: { customer_id: REFERENCE, items: ITEMS },
    required: ["customer_id", "items"],
    additionalProperties: false,
  },
};

/**
 * The POST /orders body when the API has a Cognito authorizer: `{"items": [...]}` only. The order's
 * customer is the signed-in user (the token's `sub`), so a body naming one is refused with a 400.
 */
export const CREATE_OWN_ORDER_MODEL: RequestModel = {
  name: "CreateOwnOrder",
  description: "Body of POST /orders, for the signed-in customer",
  schema: {
    type: "object",
    properties: { items: ITEMS },
    required: ["items"],
    additionalProperties: false,
  },
};
