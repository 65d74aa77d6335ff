import { validateHeaderName, validateHeaderValue } from "node:http";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { referenceOf } from "../tooling/terraform-json";
import type { TerraformResolver } from "./terraform";

/**
 * The pure half of the local API Gateway: the route table of each `aws_api_gateway_rest_api` read from
 * the synthesized Terraform, the REST API (v1) proxy event built from an HTTP request, and the HTTP
 * response built from a Lambda proxy result. No sockets here; `api-server.ts` does the I/O.
 */

/** What an integration calls. Only Lambda proxy integrations run locally; others answer 500. */
export type RouteIntegration =
  | { readonly type: "AWS_PROXY"; readonly functionName: string }
  | { readonly type: "UNSUPPORTED"; readonly reason: string };

/** One method on one resource: `GET /movies/{movieId}` → get-movie-dev. */
export interface ApiRoute {
  /** The resource's path template, as API Gateway reports it in `event.resource` (`/movies/{movieId}`). */
  readonly resourcePath: string;
  /** A stable local resource id (the resource's Terraform name), `requestContext.resourceId`. */
  readonly resourceId: string;
  /** `GET`, `PATCH`, ... or `ANY`. */
  readonly httpMethod: string;
  readonly integration: RouteIntegration;
}

export interface ApiStage {
  readonly name: string;
  /** `aws_api_gateway_stage.variables`, or null when it declares none (as `event.stageVariables`). */
  readonly variables: Readonly<Record<string, string>> | null;
}

/** A REST API as the stack declares it, resolved for a local run. */
export interface DeclaredApi {
  /** `aws_api_gateway_rest_api.movies_api` */
  readonly address: string;
  /** Its physical name (`movies_api-dev`). */
  readonly name: string;
  /** The local API id (`local-movies_api`), `requestContext.apiId`. */
  readonly id: string;
  readonly stages: readonly ApiStage[];
  /** Content types whose request bodies reach the function base64-encoded (`binary_media_types`). */
  readonly binaryMediaTypes: readonly string[];
  /** Sorted by resource path, then method. */
  readonly routes: readonly ApiRoute[];
}

/** `${type.name.attribute}` as its parts, or undefined for anything else (literals, expressions, data). */
function reference(value: unknown): { type: string; name: string; attribute: string } | undefined {
  const ref = referenceOf(value);
  return ref && !ref.data ? ref : undefined;
}

/** The REST API a resource, method, stage or integration belongs to (`rest_api_id = ${...rest_api.X.id}`). */
function restApiOf(address: string, config: Record<string, unknown>): string {
  const ref = reference(config.rest_api_id);
  if (ref?.type !== "aws_api_gateway_rest_api" || ref.attribute !== "id") {
    throw new Error(`${address}: rest_api_id must reference an aws_api_gateway_rest_api of the stack`);
  }
  return ref.name;
}

/** The resource node a `parent_id`/`resource_id` points at: `root:<api>` or `aws_api_gateway_resource.<name>`. */
function resourceKey(address: string, field: string, value: unknown): string {
  const ref = reference(value);
  if (ref?.type === "aws_api_gateway_rest_api" && ref.attribute === "root_resource_id")
    return `root:${ref.name}`;
  if (ref?.type === "aws_api_gateway_resource" && ref.attribute === "id")
    return `aws_api_gateway_resource.${ref.name}`;
  throw new Error(`${address}: ${field} must reference a resource or the root resource of a REST API`);
}

/**
 * The name of the function a Lambda ARN (or an integration's invoke ARN) names:
 * `arn:aws:apigateway:…/functions/arn:aws:lambda:…:function:get-movie-dev:live/invocations` → `get-movie-dev`.
 */
export function functionNameOfArn(arn: string): string | undefined {
  const match = /arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([A-Za-z0-9_-]+)/.exec(arn);
  return match?.[1];
}

/**
 * Every `aws_api_gateway_rest_api` of the stack with its stages and routes: the `aws_api_gateway_resource`
 * tree (each `parent_id` reference becomes a path), its `aws_api_gateway_method`s, and for each method the
 * `aws_api_gateway_integration` on the same resource and method, resolved to the function it invokes.
 */
export function declaredApis(resolver: TerraformResolver): DeclaredApi[] {
  const resources = new Map<string, { api: string; parent: string; pathPart: string; name: string }>();
  for (const [name, config] of resolver.resources("aws_api_gateway_resource")) {
    const address = `aws_api_gateway_resource.${name}`;
    resources.set(address, {
      api: restApiOf(address, config),
      parent: resourceKey(address, "parent_id", config.parent_id),
      pathPart: resolver.resolveString(String(config.path_part)),
      name,
    });
  }
  const pathOf = (key: string, seen: string[] = []): string => {
    if (key.startsWith("root:")) return "/";
    const node = resources.get(key);
    if (!node) throw new Error(`${key} is referenced but not declared in the stack`);
    if (seen.includes(key)) throw new Error(`API resources form a cycle: ${[...seen, key].join(" → ")}`);
    const parent = pathOf(node.parent, [...seen, key]);
    return parent === "/" ? `/${node.pathPart}` : `${parent}/${node.pathPart}`;
  };

  const integrations = new Map<string, RouteIntegration>();
  for (const [name, config] of resolver.resources("aws_api_gateway_integration")) {
    const address = `aws_api_gateway_integration.${name}`;
    const key = [
      restApiOf(address, config),
      resourceKey(address, "resource_id", config.resource_id),
      resolver.resolveString(String(config.http_method)),
    ].join(" ");
    integrations.set(key, integrationOf(address, config, resolver));
  }

  const routesByApi = new Map<string, ApiRoute[]>();
  for (const [name, config] of resolver.resources("aws_api_gateway_method")) {
    const address = `aws_api_gateway_method.${name}`;
    const api = restApiOf(address, config);
    const resource = resourceKey(address, "resource_id", config.resource_id);
    const httpMethod = resolver.resolveString(String(config.http_method)).toUpperCase();
    const integration = integrations.get([api, resource, httpMethod].join(" ")) ?? {
      type: "UNSUPPORTED" as const,
      reason: `${address} has no aws_api_gateway_integration`,
    };
    const routes = routesByApi.get(api) ?? [];
    routes.push({
      resourcePath: pathOf(resource),
      resourceId: resource.startsWith("root:") ? "root" : (resources.get(resource)?.name ?? resource),
      httpMethod,
      integration,
    });
    routesByApi.set(api, routes);
  }

  const stagesByApi = new Map<string, ApiStage[]>();
  for (const [name, config] of resolver.resources("aws_api_gateway_stage")) {
    const api = restApiOf(`aws_api_gateway_stage.${name}`, config);
    const variables = config.variables
      ? (resolver.resolve(config.variables) as Record<string, string>)
      : null;
    const stages = stagesByApi.get(api) ?? [];
    stages.push({ name: resolver.resolveString(String(config.stage_name)), variables });
    stagesByApi.set(api, stages);
  }
  // The deprecated `stage_name` of a deployment creates a stage too.
  for (const [name, config] of resolver.resources("aws_api_gateway_deployment")) {
    if (typeof config.stage_name !== "string" || !config.stage_name) continue;
    const api = restApiOf(`aws_api_gateway_deployment.${name}`, config);
    const stages = stagesByApi.get(api) ?? [];
    const stage = resolver.resolveString(config.stage_name);
    if (!stages.some((s) => s.name === stage)) stages.push({ name: stage, variables: null });
    stagesByApi.set(api, stages);
  }

  return resolver.resources("aws_api_gateway_rest_api").map(([name, config]) => ({
    address: `aws_api_gateway_rest_api.${name}`,
    name: resolver.attribute("aws_api_gateway_rest_api", name, "name"),
    id: resolver.attribute("aws_api_gateway_rest_api", name, "id"),
    stages: (stagesByApi.get(name) ?? []).sort((a, b) => compareText(a.name, b.name)),
    binaryMediaTypes: (config.binary_media_types as string[] | undefined) ?? [],
    routes: (routesByApi.get(name) ?? []).sort(
      (a, b) => compareText(a.resourcePath, b.resourcePath) || compareText(a.httpMethod, b.httpMethod),
    ),
  }));
}

/** Code-unit order: the same on every machine, whatever its locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function integrationOf(
  address: string,
  config: Record<string, unknown>,
  resolver: TerraformResolver,
): RouteIntegration {
  if (config.type !== "AWS_PROXY") {
    return {
      type: "UNSUPPORTED",
      reason: `${address} is a ${String(config.type)} integration; only AWS_PROXY runs locally`,
    };
  }
  const uri = resolver.resolveString(String(config.uri ?? ""));
  const functionName = functionNameOfArn(uri);
  if (!functionName)
    return { type: "UNSUPPORTED", reason: `${address}: ${uri} does not invoke a Lambda function` };
  return { type: "AWS_PROXY", functionName };
}

/** A route matched to a request, with the path parameters it captured (decoded, as API Gateway passes them). */
export interface RouteMatch {
  readonly route: ApiRoute;
  readonly pathParameters: Readonly<Record<string, string>> | null;
}

type SegmentMatch = { rank: number[]; params: Record<string, string> } | undefined;

function matchTemplate(template: string, segments: readonly string[]): SegmentMatch {
  const parts = template === "/" ? [] : template.slice(1).split("/");
  const rank: number[] = [];
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const greedy = /^\{([^}]+)\+\}$/.exec(part);
    if (greedy) {
      // {proxy+} takes the rest of the path, at least one segment, and only as the last part.
      if (i !== parts.length - 1 || segments.length <= i) return undefined;
      params[greedy[1] as string] = segments.slice(i).map(decodeSegment).join("/");
      rank.push(0);
      return { rank, params };
    }
    const segment = segments[i];
    if (segment === undefined) return undefined;
    const param = /^\{([^}]+)\}$/.exec(part);
    if (param) {
      params[param[1] as string] = decodeSegment(segment);
      rank.push(1);
    } else if (decodeSegment(segment) === part) {
      rank.push(2);
    } else {
      return undefined;
    }
  }
  return parts.length === segments.length ? { rank, params } : undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function compareRank(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? -1) - (b[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * The route API Gateway would pick for `method` on `path` (below the stage, still URL-encoded): among
 * the resources that have the method (or ANY), the most specific one, where a literal segment beats a
 * `{param}`, which beats a `{proxy+}`. Undefined when none: the caller answers 403, as API Gateway does.
 */
export function matchRoute(
  api: Pick<DeclaredApi, "routes">,
  method: string,
  path: string,
): RouteMatch | undefined {
  const segments = path.split("/").slice(1);
  if (segments.length > 0 && segments[segments.length - 1] === "") segments.pop();
  let best: { route: ApiRoute; match: NonNullable<SegmentMatch>; exact: boolean } | undefined;
  for (const route of api.routes) {
    const exact = route.httpMethod === method.toUpperCase();
    if (!exact && route.httpMethod !== "ANY") continue;
    const match = matchTemplate(route.resourcePath, segments);
    if (!match) continue;
    const order = best ? compareRank(match.rank, best.match.rank) : 1;
    if (order > 0 || (order === 0 && exact && !best?.exact)) best = { route, match, exact };
  }
  if (!best) return undefined;
  const params = best.match.params;
  return { route: best.route, pathParameters: Object.keys(params).length > 0 ? params : null };
}

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
      authorizer: null,
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
    } catch {
      throw new MalformedProxyResponseError(`header ${JSON.stringify(name)} is not a valid HTTP header`);
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
