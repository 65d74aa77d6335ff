import type { APIGatewayProxyEvent } from "aws-lambda";
import { apiHandler } from "../shared/api-handler";
import { createDocumentClient } from "../shared/dynamodb";
import { requireEnv } from "../shared/env";
import { NotFoundError } from "../shared/errors";
import { jsonResponse, withHeaders } from "../shared/http";
import { createLogger } from "../shared/logger";
import { DEFAULT_MAX_BODY_BYTES, parseJsonBody } from "../shared/validation";
import { createOrder, getOrder } from "./orders";
import { customerOf, customerSource, idempotencyKey, parseCreateOrder, requireOrderId } from "./request";

const tableName = requireEnv("ORDERS_TABLE");
const ddb = createDocumentClient();
const logger = createLogger({ service: "orders" });
const source = customerSource();

/**
 * Where a client finds an order: the request's own path (`requestContext.path`, which carries the stage
 * or a custom domain's base path, `/dev/orders`) plus the id. An absolute path, so it resolves against
 * the host the client called.
 */
function orderLocation(event: APIGatewayProxyEvent, orderId: string): string {
  const base = (event.requestContext?.path ?? event.path ?? "/orders").replace(/\/+$/, "");
  return `${base}/${orderId}`;
}

/**
 * The orders API, routed on the proxy event's `resource` and method:
 * - `POST /orders`: 201 with the new order and a `Location`; with an `Idempotency-Key` that an earlier
 *   identical request used, 200 with that request's order; 409 if that request was a different one;
 *   400 naming the field for bad input; 413 for a body over 64 KiB.
 * - `GET /orders/{orderId}`: 200 with the order, 404 if unknown, 400 for an id that is not a UUID.
 *
 * When the customer comes from the token (`ORDERS_CUSTOMER_SOURCE=token`), an order is created for the
 * signed-in user, and another customer's order is answered 404, as if it did not exist.
 */
export const handler = apiHandler(async (event, { logger: log }) => {
  const route = `${event.httpMethod} ${event.resource}`;
  switch (route) {
    case "POST /orders": {
      const customer = customerOf(event, source);
      const key = idempotencyKey(event);
      const request = parseCreateOrder(parseJsonBody(event, DEFAULT_MAX_BODY_BYTES), customer);
      const { order, created } = await createOrder(ddb, tableName, request, { idempotencyKey: key });
      if (!created) log.info("idempotent replay", { orderId: order.order_id });
      const response = jsonResponse(created ? 201 : 200, order);
      return withHeaders(response, { Location: orderLocation(event, order.order_id) });
    }
    case "GET /orders/{orderId}": {
      const customer = customerOf(event, source);
      const orderId = requireOrderId(event);
      const order = await getOrder(ddb, tableName, orderId);
      if (order === undefined || (customer !== undefined && order.customer_id !== customer)) {
        throw new NotFoundError(`Order ${orderId} not found`);
      }
      return jsonResponse(200, order);
    }
    default:
      throw new NotFoundError(`No route for ${route}`);
  }
}, logger);
