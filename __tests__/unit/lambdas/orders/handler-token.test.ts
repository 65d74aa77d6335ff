import "../../../helpers/lambda-env";
// The orders function behind a Cognito authorizer: the stack sets ORDERS_CUSTOMER_SOURCE=token.
import "../../../helpers/orders-token-env";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { handler } from "../../../../lambdas/orders";
import { lambdaContext } from "../../../helpers/context";
import { ordersApiEvent } from "../../../helpers/events";
import { captureStdout } from "../../../helpers/logs";

const ddbMock = mockClient(DynamoDBDocumentClient);
const SUB = "80d413c0-b48d-42c8-ab88-604e69b236b9";
const ORDER_ID = "3f1c2b9e-8d7a-4c6b-9e5f-0a1b2c3d4e5f";
const ITEMS = [{ sku: "book-1", quantity: 2, unit_price_cents: 1299 }];
let stdout: ReturnType<typeof captureStdout>;

beforeEach(() => {
  ddbMock.reset();
  stdout = captureStdout();
});
afterEach(() => stdout.restore());

/** The event as API Gateway passes it after its Cognito authorizer accepted a token of `sub`. */
function signedIn(event: APIGatewayProxyEvent, sub: string | undefined = SUB): APIGatewayProxyEvent {
  const claims = sub === undefined ? {} : { sub, token_use: "id", email: "a@example.com" };
  return { ...event, requestContext: { ...event.requestContext, authorizer: { claims } } };
}
const post = (body: unknown, sub?: string) =>
  handler(signedIn(ordersApiEvent("POST /orders", { body: JSON.stringify(body) }), sub), lambdaContext);

describe("orders with ORDERS_CUSTOMER_SOURCE=token", () => {
  it("creates the order for the token's sub (201), from a body of items only", async () => {
    ddbMock.on(PutCommand).resolves({});
    const response = await post({ items: ITEMS });
    expect(response.statusCode).toBe(201);
    expect(JSON.parse(response.body)).toMatchObject({ customer_id: SUB, items: ITEMS, total_cents: 2598 });
    expect(ddbMock.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({ customer_id: SUB });
  });

  it("refuses a body that names a customer (400), writing nothing", async () => {
    const response = await post({ customer_id: "someone-else", items: ITEMS });
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      message:
        'Field "customer_id" is not accepted: an order belongs to the signed-in user (the token\'s sub)',
    });
    expect(ddbMock.calls()).toHaveLength(0);
  });

  it("answers 401 Unauthorized when the event carries no sub (an API without its authorizer)", async () => {
    const response = await post({ items: ITEMS }, "");
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body)).toEqual({ message: "Unauthorized" });
    const unsigned = await handler(
      ordersApiEvent("GET /orders/{orderId}", { orderId: ORDER_ID }),
      lambdaContext,
    );
    expect(unsigned.statusCode).toBe(401);
    expect(ddbMock.calls()).toHaveLength(0);
  });

  it("GET: 200 for the caller's own order, 404 for another customer's, as if it did not exist", async () => {
    const stored = {
      order_id: ORDER_ID,
      record_type: "ORDER",
      status: "CREATED",
      customer_id: SUB,
      items: ITEMS,
      item_count: 1,
      total_cents: 2598,
      created_at: "2026-12-01T12:00:00.000Z",
    };
    ddbMock.on(GetCommand).resolves({ Item: stored });
    const get = (sub: string) =>
      handler(signedIn(ordersApiEvent("GET /orders/{orderId}", { orderId: ORDER_ID }), sub), lambdaContext);
    const own = await get(SUB);
    expect(own.statusCode).toBe(200);
    expect(JSON.parse(own.body)).toMatchObject({ order_id: ORDER_ID, customer_id: SUB });
    const other = await get("0b6f7c1e-0000-4000-8000-000000000000");
    expect(other.statusCode).toBe(404);
    expect(JSON.parse(other.body)).toEqual({ message: `Order ${ORDER_ID} not found` });
  });
});
