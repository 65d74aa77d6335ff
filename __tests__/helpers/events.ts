import type { APIGatewayProxyEvent, S3Event, S3EventRecord, SQSEvent, SQSRecord } from "aws-lambda";

/** A REST API (v1) proxy event as API Gateway sends it; override what the test is about. */
export function apiGatewayProxyEvent(overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  const httpMethod = overrides.httpMethod ?? "GET";
  const pathParameters = overrides.pathParameters === undefined ? null : overrides.pathParameters;
  const path = `/movies/${pathParameters?.movieId ?? ""}`;
  return {
    resource: "/movies/{movieId}",
    path,
    httpMethod,
    headers: { "Content-Type": "application/json" },
    multiValueHeaders: { "Content-Type": ["application/json"] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      accountId: "123456789012",
      apiId: "a1b2c3d4e5",
      authorizer: null,
      protocol: "HTTP/1.1",
      httpMethod,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: "203.0.113.7",
        user: null,
        userAgent: "jest",
        userArn: null,
      },
      path: `/test${path}`,
      stage: "test",
      requestId: "api-request-0001",
      requestTimeEpoch: 1_700_000_000_000,
      resourceId: "abc123",
      resourcePath: "/movies/{movieId}",
    },
    ...overrides,
  };
}

/** One S3 record; `key` is given as S3 sends it (URL-encoded). */
export function s3EventRecord(bucket: string, key: string, eventName = "ObjectCreated:Put"): S3EventRecord {
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: "eu-west-1",
    eventTime: "2024-01-01T00:00:00.000Z",
    eventName,
    userIdentity: { principalId: "AWS:EXAMPLE" },
    requestParameters: { sourceIPAddress: "203.0.113.7" },
    responseElements: { "x-amz-request-id": "EXAMPLE123456789", "x-amz-id-2": "EXAMPLE/abcdefgh" },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: "movie-infos-upload",
      bucket: { name: bucket, ownerIdentity: { principalId: "EXAMPLE" }, arn: `arn:aws:s3:::${bucket}` },
      object: { key, size: 136, eTag: "0123456789abcdef0123456789abcdef", sequencer: "0A1B2C3D4E5F678901" },
    },
  };
}

/** An S3 notification event holding `records`. */
export function s3Event(...records: S3EventRecord[]): S3Event {
  return { Records: records };
}

/**
 * A proxy event of the orders API as the `dev` stage delivers it: `resource` is the route template,
 * `requestContext.path` carries the stage (`/dev/orders/...`).
 */
export function ordersApiEvent(
  route: "POST /orders" | "GET /orders/{orderId}",
  options: { orderId?: string; body?: string | null; headers?: Record<string, string> } = {},
): APIGatewayProxyEvent {
  const [httpMethod, resource] = route.split(" ") as [string, string];
  const path = options.orderId === undefined ? "/orders" : `/orders/${options.orderId}`;
  const base = apiGatewayProxyEvent({
    httpMethod,
    pathParameters: options.orderId === undefined ? null : { orderId: options.orderId },
  });
  const headers = { "Content-Type": "application/json", ...options.headers };
  return {
    ...base,
    resource,
    path,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    body: options.body ?? null,
    requestContext: { ...base.requestContext, path: `/dev${path}`, stage: "dev", resourcePath: resource },
  };
}

/** An OrderCreated event as the orders bus's rule delivers it (the whole event). */
export function orderCreatedEvent(
  eventId: string,
  detail: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    version: "0",
    id: eventId,
    "detail-type": "OrderCreated",
    source: "orders.service",
    account: "123456789012",
    time: "2025-01-31T12:00:00Z",
    region: "eu-west-1",
    resources: [],
    detail: {
      order_id: "3f1c2b9e-8d7a-4c6b-9e5f-0a1b2c3d4e5f",
      customer_id: "c-1",
      total_cents: 2598,
      item_count: 1,
      created_at: "2025-01-31T12:00:00.000Z",
      ...detail,
    },
  };
}

/** One SQS message as Lambda's event source delivers it; `body` is sent as is when a string. */
export function sqsRecord(messageId: string, body: unknown, receiveCount = 1): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: typeof body === "string" ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: "1738324800000",
      SenderId: "AIDAIENQZJOLO23YVJ4VO",
      ApproximateFirstReceiveTimestamp: "1738324800000",
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:notify-test",
    awsRegion: "eu-west-1",
  };
}

/** An SQS batch. */
export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}
