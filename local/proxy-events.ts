import { validateHeaderName, validateHeaderValue } from "node:http";
import type { APIGatewayProxyEvent } from "aws-lambda";
import type { ApiStage, DeclaredApi, RouteMatch } from "./api-routes";

/**
 * The local API Gateway's translations: an HTTP request into the REST API (payload 1.0) proxy event a
 * Lambda receives, a Lambda proxy result into the HTTP response, and API Gateway's own error responses.
 * Pure functions; `api-server.ts` does the I/O.
 */

/** An HTTP request as the local server received it. */
export interface HttpRequest {
  readonly method: string;
  /** The path below the stage, still URL-encoded (`/movies/mv1`). */
  readonly path: string;
  /** The query string without `?` (`a=1&b=2`), or "". */
  readonly query: string;
  /** Header names with the client's casing, and values, in order (Node's `rawHeaders` as pairs). */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  readonly sourceIp: string;
}

export interface EventContext {
  readonly api: Pick<DeclaredApi, "id" | "binaryMediaTypes">;
  readonly stage: ApiStage;
  readonly accountId: string;
  readonly requestId: string;
  /** @default now */
  readonly requestTimeEpoch?: number;
  /**
   * The claims of the caller's token, when a Cognito authorizer let the request through
   * (`requestContext.authorizer.claims`). @default no authorizer (`requestContext.authorizer` is null)
   */
  readonly claims?: Readonly<Record<string, string>>;
}

/** Does `contentType` match one of the API's binary media types (`image/png`, `image/*`, `*\/*`)? */
export function isBinary(contentType: string | undefined, binaryMediaTypes: readonly string[]): boolean {
  if (!contentType) return false;
  const type = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  return binaryMediaTypes.some((pattern) => {
    const [pType, pSub] = pattern.toLowerCase().split("/");
    const [type1, sub] = type.split("/");
    return (pType === "*" || pType === type1) && (pSub === "*" || pSub === sub);
  });
}

/** `21/Nov/2025:20:58:00 +0000`, the format of `requestContext.requestTime`. */
function requestTime(epoch: number): string {
  const d = new Date(epoch);
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
  );
}

/**
 * The REST API (payload 1.0) proxy event API Gateway would send for `request` on `match`: single- and
 * multi-value headers and query parameters (null when there are none), decoded path parameters, the
 * stage's variables, the body as text, or base64 when its content type is one of the API's binary media
 * types, and the request context (account, API id, stage, request id, resource path, source IP, time).
 */
export function toProxyEvent(
  request: HttpRequest,
  match: RouteMatch,
  context: EventContext,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of request.headers) {
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const queryStringParameters: Record<string, string> = {};
  const multiValueQueryStringParameters: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(request.query)) {
    queryStringParameters[name] = value;
    (multiValueQueryStringParameters[name] ??= []).push(value);
  }
  const headerValue = (name: string) =>
    request.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
  const binary = isBinary(headerValue("content-type"), context.api.binaryMediaTypes);
  const hasBody = request.body.length > 0;
  const epoch = context.requestTimeEpoch ?? Date.now();
  const hasQuery = Object.keys(queryStringParameters).length > 0;
  return {
    resource: match.route.resourcePath,
    path: request.path,
    httpMethod: request.method.toUpperCase(),
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? queryStringParameters : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQueryStringParameters : null,
    pathParameters: match.pathParameters,
    stageVariables: context.stage.variables,
    body: hasBody ? request.body.toString(binary ? "base64" : "utf8") : null,
    isBase64Encoded: hasBody && binary,
    requestContext: {
      accountId: context.accountId,
      apiId: context.api.id,
      authorizer: context.claims ? { claims: { ...context.claims } } : null,
      domainName: headerValue("host") ?? "127.0.0.1",
      domainPrefix: (headerValue("host") ?? "127").split(".")[0],
      extendedRequestId: context.requestId,
      httpMethod: request.method.toUpperCase(),
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
        sourceIp: request.sourceIp,
        user: null,
        userAgent: headerValue("user-agent") ?? null,
        userArn: null,
      },
      path: `/${context.stage.name}${request.path}`,
      protocol: "HTTP/1.1",
      requestId: context.requestId,
      requestTime: requestTime(epoch),
      requestTimeEpoch: epoch,
      resourceId: match.route.resourceId,
      resourcePath: match.route.resourcePath,
      stage: context.stage.name,
    },
  };
}

/** An HTTP response to write: status, headers in order (a name may repeat), body bytes. */
export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

/** API Gateway's own error responses (not the function's). */
export function gatewayError(
  statusCode: number,
  body: string,
  errorType: string,
  requestId: string,
): HttpResponse {
  return {
    statusCode,
    headers: [
      ["Content-Type", "application/json"],
      ["x-amzn-RequestId", requestId],
      ["x-amzn-ErrorType", errorType],
    ],
    body: Buffer.from(body),
  };
}

/** 403 for a path or method the API does not have, exactly as a REST API answers it. */
export const missingAuthenticationToken = (requestId: string) =>
  gatewayError(
    403,
    '{"message":"Missing Authentication Token"}',
    "MissingAuthenticationTokenException",
    requestId,
  );

/**
 * 401 for a request a Cognito authorizer refuses: the UNAUTHORIZED gateway response (no token, a bad
 * one) and, for an expired token, the message API Gateway's Cognito authorizer gives.
 */
export const unauthorized = (requestId: string, message = "Unauthorized") =>
  gatewayError(401, JSON.stringify({ message }), "UnauthorizedException", requestId);

/**
 * 413 for a request body over API Gateway's 10 MB quota: the REQUEST_TOO_LARGE gateway response, whose
 * default a stack cannot customise.
 */
export const requestTooLarge = (requestId: string) =>
  gatewayError(413, '{"message":"Request Too Long"}', "RequestTooLargeException", requestId);

/** 502 for a function that failed or returned something that is not a proxy response. */
export const internalServerError = (requestId: string) =>
  gatewayError(502, '{"message": "Internal server error"}', "InternalServerErrorException", requestId);

/** The result is not a valid proxy response; `reason` says why (for the log, never the client). */
export class MalformedProxyResponseError extends Error {
  override readonly name = "MalformedProxyResponseError";
}

const isScalar = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/**
 * The HTTP response for a Lambda proxy result: `statusCode`, `headers` and `multiValueHeaders` merged
 * (for a name in both, the multi-value list wins, as API Gateway does), `body` decoded from base64 when
 * `isBase64Encoded`. Content-Type defaults to application/json, as API Gateway's does. Throws
 * `MalformedProxyResponseError` for anything API Gateway would refuse with a 502.
 */
export function toHttpResponse(result: unknown, requestId: string): HttpResponse {
  if (!result || typeof result !== "object" || Array.isArray(result)) {
    throw new MalformedProxyResponseError(`the function returned ${JSON.stringify(result)}, not an object`);
  }
  const r = result as Record<string, unknown>;
  const statusCode = typeof r.statusCode === "string" ? Number(r.statusCode) : r.statusCode;
  if (
    typeof statusCode !== "number" ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    throw new MalformedProxyResponseError(`statusCode ${JSON.stringify(r.statusCode)} is not an HTTP status`);
  }
  if (r.body !== undefined && r.body !== null && typeof r.body !== "string") {
    throw new MalformedProxyResponseError(`body is a ${typeof r.body}, not a string`);
  }
  if (r.isBase64Encoded !== undefined && typeof r.isBase64Encoded !== "boolean") {
    throw new MalformedProxyResponseError("isBase64Encoded is not a boolean");
  }
  const single = r.headers ?? {};
  const multi = r.multiValueHeaders ?? {};
  if (typeof single !== "object" || !Object.values(single).every(isScalar)) {
    throw new MalformedProxyResponseError("headers must map names to strings");
  }
  if (
    typeof multi !== "object" ||
    !Object.values(multi).every((v) => Array.isArray(v) && v.every(isScalar))
  ) {
    throw new MalformedProxyResponseError("multiValueHeaders must map names to arrays of strings");
  }
  const multiNames = new Set(Object.keys(multi).map((n) => n.toLowerCase()));
  const headers: [string, string][] = [
    ...Object.entries(single as Record<string, unknown>)
      .filter(([name]) => !multiNames.has(name.toLowerCase()))
      .map(([name, value]): [string, string] => [name, String(value)]),
    ...Object.entries(multi as Record<string, unknown[]>).flatMap(([name, values]) =>
      values.map((value): [string, string] => [name, String(value)]),
    ),
  ];
  for (const [name, value] of headers) {
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch (error) {
      throw new MalformedProxyResponseError(`header ${JSON.stringify(name)} is not a valid HTTP header`, {
        cause: error,
      });
    }
  }
  if (!headers.some(([name]) => name.toLowerCase() === "content-type")) {
    headers.push(["Content-Type", "application/json"]);
  }
  headers.push(["x-amzn-RequestId", requestId]);
  const body = typeof r.body === "string" ? r.body : "";
  return {
    statusCode,
    headers,
    body: r.isBase64Encoded === true ? Buffer.from(body, "base64") : Buffer.from(body, "utf8"),
  };
}
