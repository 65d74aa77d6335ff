import { referenceOf } from "../tooling/terraform-json";
import type { RouteMatch } from "./api-routes";
import {
  JsonSyntaxError,
  parseJson,
  resolvePointer,
  validateDraft4,
  type Schema,
} from "./json-schema-draft4";
import type { HttpRequest, HttpResponse } from "./proxy-events";
import type { TerraformResolver } from "./terraform";
import { renderVtl, unsupportedDirectives } from "./vtl";

/**
 * API Gateway's request validation for one REST API, read from the synthesized Terraform: each method's
 * `aws_api_gateway_request_validator` (body, parameters or both), its `request_models` (the
 * `aws_api_gateway_model` JSON schemas, by content type) and `request_parameters`, and the API's
 * `aws_api_gateway_gateway_response`s that shape the 400 (status, templates, headers). A request that
 * fails is answered before any function runs, with the same status, headers and body as on AWS.
 */

/** What `validate` needs of the request besides the route it matched. */
export interface ValidatedRequest extends Pick<HttpRequest, "headers" | "query" | "body" | "sourceIp"> {
  readonly match: RouteMatch;
  readonly stage: string;
  readonly requestId: string;
  readonly apiId: string;
  readonly accountId: string;
  /** The path below the stage (`/movies/mv1`). */
  readonly path: string;
}

interface MethodValidation {
  readonly validateBody: boolean;
  readonly validateParameters: boolean;
  /** Content type (lower case) → model name. */
  readonly models: ReadonlyMap<string, string>;
  /** `method.request.querystring.q` etc. that are required, sorted. */
  readonly requiredParameters: readonly string[];
}

interface GatewayResponse {
  readonly statusCode?: number;
  /** Content type → template. */
  readonly templates: Readonly<Record<string, string>>;
  /** Header name → `'static value'` or `method.request.header.x`, ... */
  readonly headers: Readonly<Record<string, string>>;
}

export interface ApiRequestValidation {
  /** API Gateway's 400 for an invalid request; undefined when it passes (or the method validates nothing). */
  validate(request: ValidatedRequest): HttpResponse | undefined;
  /** What the local run does not reproduce (templates with directives), to log at start. */
  readonly warnings: readonly string[];
}

/** API Gateway's own response for a type with no `aws_api_gateway_gateway_response` (and no DEFAULT_4XX). */
const DEFAULT_TEMPLATE = '{"message":$context.error.messageString}';

function belongsTo(config: Record<string, unknown>, apiName: string): boolean {
  const ref = referenceOf(config.rest_api_id);
  return ref?.type === "aws_api_gateway_rest_api" && ref.name === apiName;
}

/** `root` or the `aws_api_gateway_resource` name a method's `resource_id` references (ApiRoute.resourceId). */
function resourceIdOf(value: unknown): string {
  const ref = referenceOf(value);
  if (ref?.type === "aws_api_gateway_rest_api") return "root";
  return ref?.name ?? String(value);
}

function readMethods(resolver: TerraformResolver, apiName: string): Map<string, MethodValidation> {
  const validators = new Map<string, { body: boolean; parameters: boolean }>();
  for (const [name, config] of resolver.resources("aws_api_gateway_request_validator")) {
    validators.set(name, {
      body: config.validate_request_body === true,
      parameters: config.validate_request_parameters === true,
    });
  }
  const methods = new Map<string, MethodValidation>();
  for (const [, config] of resolver.resources("aws_api_gateway_method")) {
    if (!belongsTo(config, apiName)) continue;
    const validatorRef = referenceOf(config.request_validator_id);
    const validator = validatorRef ? validators.get(validatorRef.name) : undefined;
    if (!validator) continue;
    const models = resolver.resolve(config.request_models ?? {}) as Record<string, string>;
    const parameters = (config.request_parameters ?? {}) as Record<string, unknown>;
    const key = `${resourceIdOf(config.resource_id)} ${resolver.resolveString(String(config.http_method)).toUpperCase()}`;
    methods.set(key, {
      validateBody: validator.body,
      validateParameters: validator.parameters,
      models: new Map(Object.entries(models).map(([type, model]) => [type.toLowerCase(), model])),
      requiredParameters: Object.entries(parameters)
        .filter(([, required]) => required === true || required === "true")
        .map(([name]) => name)
        .sort(),
    });
  }
  return methods;
}

function readModels(resolver: TerraformResolver, apiName: string): Map<string, Schema> {
  const models = new Map<string, Schema>();
  for (const [name, config] of resolver.resources("aws_api_gateway_model")) {
    if (!belongsTo(config, apiName) || config.schema === undefined) continue;
    const schema = JSON.parse(resolver.resolveString(String(config.schema))) as Schema;
    models.set(resolver.attribute("aws_api_gateway_model", name, "name"), schema);
  }
  return models;
}

function readGatewayResponses(resolver: TerraformResolver, apiName: string): Map<string, GatewayResponse> {
  const responses = new Map<string, GatewayResponse>();
  for (const [, raw] of resolver.resources("aws_api_gateway_gateway_response")) {
    if (!belongsTo(raw, apiName)) continue;
    const config = resolver.resolve(raw) as Record<string, unknown>;
    const parameters = (config.response_parameters ?? {}) as Record<string, string>;
    responses.set(String(config.response_type), {
      ...(config.status_code !== undefined ? { statusCode: Number(config.status_code) } : {}),
      templates: (config.response_templates ?? {}) as Record<string, string>,
      headers: Object.fromEntries(
        Object.entries(parameters)
          .filter(([key]) => key.startsWith("gatewayresponse.header."))
          .map(([key, value]) => [key.slice("gatewayresponse.header.".length), value]),
      ),
    });
  }
  return responses;
}

const headerValue = (request: Pick<HttpRequest, "headers">, name: string) =>
  request.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];

/** The required parameters the request lacks or leaves blank, by name (`[issuer]`), in AWS's order. */
function missingParameters(method: MethodValidation, request: ValidatedRequest): string[] {
  const query = new URLSearchParams(request.query);
  return method.requiredParameters.flatMap((parameter) => {
    const [, where, name = ""] =
      /^method\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.(.+)$/.exec(
        parameter,
      ) ?? [];
    let value: string | undefined | null;
    if (where === "path") value = request.match.pathParameters?.[name];
    else if (where?.endsWith("querystring")) value = query.get(name);
    else if (where?.endsWith("header")) value = headerValue(request, name);
    else return [];
    return value === undefined || value === null || value.trim() === "" ? [name] : [];
  });
}

/** The validator's messages for the body, or undefined when no model applies to its content type. */
function bodyErrors(
  method: MethodValidation,
  models: ReadonlyMap<string, Schema>,
  request: ValidatedRequest,
): string[] | undefined {
  // No Content-Type: API Gateway takes the body as application/json.
  const contentType =
    (headerValue(request, "content-type") ?? "application/json").split(";")[0]?.trim().toLowerCase() ?? "";
  const modelName = method.models.get(contentType) ?? method.models.get("$default");
  if (modelName === undefined || modelName === "Empty") return undefined;
  const schema = models.get(modelName);
  if (!schema) throw new Error(`request model ${modelName} is not declared for this API`);
  const text = request.body.length > 0 ? request.body.toString("utf8") : "{}";
  let value;
  try {
    value = parseJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return [`Invalid JSON: ${error.message}`];
    throw error;
  }
  return validateDraft4(schema, value, (ref, root) => {
    const [location = "", pointer = ""] = ref.split("#");
    const model = /\/models\/([A-Za-z0-9]+)$/.exec(location)?.[1];
    const base = model ? models.get(model) : location === "" ? root : undefined;
    const target = base && (pointer ? resolvePointer(`#${pointer}`, base) : base);
    return base && target ? { schema: target, root: base } : undefined;
  });
}

/** The gateway response of `type` as API Gateway renders it: its own, else DEFAULT_4XX's, else AWS's default. */
function gatewayResponse(
  responses: ReadonlyMap<string, GatewayResponse>,
  type: "BAD_REQUEST_BODY" | "BAD_REQUEST_PARAMETERS",
  error: { message: string; validationErrorString: string },
  request: ValidatedRequest,
): HttpResponse {
  const response = responses.get(type) ?? responses.get("DEFAULT_4XX");
  const templates = response && Object.keys(response.templates).length > 0 ? response.templates : undefined;
  const contentType = templates
    ? (Object.keys(templates).find((t) => t.toLowerCase() === "application/json") ??
      Object.keys(templates)[0] ??
      "application/json")
    : "application/json";
  const template = templates ? (templates[contentType] ?? "") : DEFAULT_TEMPLATE;
  const context = {
    error: { ...error, messageString: JSON.stringify(error.message), responseType: type },
    requestId: request.requestId,
    extendedRequestId: request.requestId,
    accountId: request.accountId,
    apiId: request.apiId,
    stage: request.stage,
    httpMethod: request.match.route.httpMethod,
    resourcePath: request.match.route.resourcePath,
    resourceId: request.match.route.resourceId,
    path: `/${request.stage}${request.path}`,
    identity: { sourceIp: request.sourceIp, userAgent: headerValue(request, "user-agent") ?? "" },
  };
  const body = renderVtl(template, { context, stageVariables: {} });
  const headers: [string, string][] = [["Content-Type", contentType]];
  for (const [name, source] of Object.entries(response?.headers ?? {})) {
    const value = /^'(.*)'$/s.exec(source)?.[1] ?? parameterValue(source, request);
    if (value !== undefined) headers.push([name, value]);
  }
  headers.push(["x-amzn-RequestId", request.requestId], ["x-amzn-ErrorType", "BadRequestException"]);
  return { statusCode: response?.statusCode ?? 400, headers, body: Buffer.from(body) };
}

/** `method.request.header.x` / `.querystring.x` / `.path.x` of the request. */
function parameterValue(source: string, request: ValidatedRequest): string | undefined {
  const [, where, name = ""] = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(source) ?? [];
  if (where === "header") return headerValue(request, name);
  if (where === "querystring") return new URLSearchParams(request.query).get(name) ?? undefined;
  if (where === "path") return request.match.pathParameters?.[name];
  return undefined;
}

/** The request validation of the REST API at `apiAddress` (`aws_api_gateway_rest_api.movies_api`). */
export function apiRequestValidation(resolver: TerraformResolver, apiAddress: string): ApiRequestValidation {
  const apiName = apiAddress.split(".")[1] as string;
  const methods = readMethods(resolver, apiName);
  const models = readModels(resolver, apiName);
  const responses = readGatewayResponses(resolver, apiName);
  const warnings = [...responses].flatMap(([type, response]) =>
    Object.values(response.templates).flatMap((template) => {
      const directives = unsupportedDirectives(template);
      return directives.length > 0
        ? [
            `${apiAddress}: the ${type} gateway response uses ${directives.join(", ")}, which the local run writes out unevaluated`,
          ]
        : [];
    }),
  );
  return {
    warnings,
    validate(request) {
      const method = methods.get(`${request.match.route.resourceId} ${request.match.route.httpMethod}`);
      if (!method) return undefined;
      if (method.validateParameters) {
        const missing = missingParameters(method, request);
        if (missing.length > 0) {
          const message = `Missing required request parameters: [${missing.join(", ")}]`;
          return gatewayResponse(
            responses,
            "BAD_REQUEST_PARAMETERS",
            { message, validationErrorString: message },
            request,
          );
        }
      }
      const errors = method.validateBody ? bodyErrors(method, models, request) : undefined;
      if (!errors || errors.length === 0) return undefined;
      return gatewayResponse(
        responses,
        "BAD_REQUEST_BODY",
        { message: "Invalid request body", validationErrorString: `[${errors.join(", ")}]` },
        request,
      );
    },
  };
}
