import { Construct } from "constructs";
import { dependable, Fn, Lazy, Token, type ITerraformDependable, type TerraformResource } from "cdktf";
import { ApiGatewayAuthorizer } from "@cdktf/provider-aws/lib/api-gateway-authorizer";
import { ApiGatewayDeployment } from "@cdktf/provider-aws/lib/api-gateway-deployment";
import { ApiGatewayGatewayResponse } from "@cdktf/provider-aws/lib/api-gateway-gateway-response";
import { ApiGatewayIntegration } from "@cdktf/provider-aws/lib/api-gateway-integration";
import { ApiGatewayMethod } from "@cdktf/provider-aws/lib/api-gateway-method";
import { ApiGatewayMethodSettings } from "@cdktf/provider-aws/lib/api-gateway-method-settings";
import { ApiGatewayModel } from "@cdktf/provider-aws/lib/api-gateway-model";
import { ApiGatewayRequestValidator } from "@cdktf/provider-aws/lib/api-gateway-request-validator";
import { ApiGatewayResource } from "@cdktf/provider-aws/lib/api-gateway-resource";
import { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import { ApiGatewayStage } from "@cdktf/provider-aws/lib/api-gateway-stage";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { BundledFunction } from "./bundled-function";
import { metric, type Metric, type MetricOptions } from "./core/metrics";
import { logGroupName, tfName } from "./core/naming";
import { ResourceConstruct, withAddress } from "./core/resource-construct";
import { jsonencode } from "./core/jsonencode";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";

export interface RestApiProps {
  /** Physical API name (`movies_api-dev`). */
  readonly name: string;
  readonly description?: string;
  /** Name of the stage the API is deployed to (`dev`, `v1`). */
  readonly stageName: string;
  /**
   * X-Ray tracing on the stage.
   * @default true
   */
  readonly tracing?: boolean;
  /**
   * Stage-wide method throttling (method path `*` + `/*`, every method): steady requests per second and burst.
   * @default 100 requests per second, burst 200 (set it from `EnvironmentConfig.apiThrottling`)
   */
  readonly throttling?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Retention of the stage's access-log group.
   * @default 14 days
   */
  readonly accessLogRetentionDays?: number;
}

/**
 * A JSON Schema (draft-04, the version API Gateway validates with) for request bodies. Only the
 * keywords we use are typed; API Gateway supports most of draft-04.
 */
export interface JsonSchema {
  readonly type?: "object" | "array" | "string" | "integer" | "number" | "boolean" | "null";
  readonly title?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly minProperties?: number;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly enum?: readonly (string | number)[];
  readonly anyOf?: readonly JsonSchema[];
}

/** The JSON Schema version API Gateway models are written in. */
export const JSON_SCHEMA_DRAFT_04 = "http://json-schema.org/draft-04/schema#";

/** A request body model: API Gateway rejects a body that breaks it with a 400 before any Lambda runs. */
export interface RequestModel {
  /** The model's name, letters and digits (`UpdateRating`). */
  readonly name: string;
  readonly description?: string;
  readonly schema: JsonSchema;
}

/** Options of {@link RestApi.addLambdaRoute}. */
export interface LambdaRouteOptions {
  /**
   * Validates `application/json` bodies against this model.
   * @default no body validation (path parameters are always validated)
   */
  readonly requestModel?: RequestModel;
  /**
   * Only callers this authorizer accepts reach the function (`authorization = "COGNITO_USER_POOLS"`);
   * API Gateway answers 401 `{"message":"Unauthorized"}` to the others.
   * @default anyone (`authorization = "NONE"`)
   */
  readonly authorizer?: ApiGatewayAuthorizer;
}

/** Options of {@link RestApi.addCognitoAuthorizer}. */
export interface CognitoAuthorizerProps {
  /** The authorizer's name in the API (`cognito-users`). */
  readonly name: string;
  /** The user pools whose tokens are accepted (`aws_cognito_user_pool.x.arn`, or a linked value). */
  readonly providerArns: readonly string[];
}

/** Where the authorizer reads the token: the `Authorization` header, the raw JWT. */
export const AUTHORIZATION_HEADER_SOURCE = "method.request.header.Authorization";

/** A node of the API's resource tree: `/`, `/movies`, `/movies/{movieId}`. */
export interface ApiResourceRef {
  readonly resourceId: string;
  /** The full path (`/movies/{movieId}`). */
  readonly path: string;
}

/** What one route created. */
export interface LambdaRoute {
  readonly method: ApiGatewayMethod;
  readonly integration: ApiGatewayIntegration;
  /** The body model; set when the route has one. */
  readonly model?: ApiGatewayModel;
}

/**
 * A REGIONAL REST API with Lambda proxy routes, a deployment and a stage.
 *
 * - `addResource` grows the resource tree; `addLambdaRoute("get_movie_request", movie, "GET", fn)`
 *   creates `aws_api_gateway_method.get_movie_request_method`, `..._integration` (AWS_PROXY to the
 *   function's `live` alias) and the `aws_lambda_permission.get_movie_request_permission` that lets this
 *   API invoke that alias for exactly that method and path.
 * - The deployment's `triggers` hash every resource, method and integration, so any change to the API
 *   redeploys it; it is created before the old one is destroyed, and the stage is its own resource
 *   (`stage_name` on the deployment is deprecated).
 * - The stage writes JSON access logs to its own log group (`<id>_access_logs`), is throttled and
 *   publishes metrics for every method (`<id>_method_settings`); its `metric*()` methods describe them
 *   for the stack's monitoring.
 * - Every method uses one request validator (`<id>_request_validator`: required parameters, and the
 *   body when the route has a model). `addLambdaRoute(..., { requestModel: { name, schema } })` adds
 *   `aws_api_gateway_model.<route>_model` and API Gateway answers 400 to a body that breaks it.
 *
 * The access logs need the account's API Gateway CloudWatch role (`aws_api_gateway_account`, one per
 * region and account); the account stack sets it once per account and region, before any service stack
 * (stacks/account-stack.ts).
 */
export class RestApi extends ResourceConstruct {
  readonly resource: ApiGatewayRestApi;
  readonly deployment: ApiGatewayDeployment;
  readonly stage: ApiGatewayStage;
  readonly accessLogGroup: CloudwatchLogGroup;
  readonly methodSettings: ApiGatewayMethodSettings;
  readonly requestValidator: ApiGatewayRequestValidator;
  readonly root: ApiResourceRef;
  readonly restApiId: string;
  readonly executionArn: string;
  readonly stageName: string;
  /** The stage's base URL (`https://<id>.execute-api.<region>.amazonaws.com/<stage>`). */
  readonly invokeUrl: string;
  /** The access-log group's name (`/aws/apigateway/<name>/access-logs`). */
  readonly accessLogGroupName: string;

  private readonly routed: BundledFunction[] = [];

  /** Terraform expressions whose values, hashed, decide when the API is redeployed. */
  private readonly fingerprint: string[] = [];
  private readonly deploymentDependencies: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, props: RestApiProps) {
    super(scope, id);

    this.resource = new ApiGatewayRestApi(this, "api", {
      name: props.name,
      description: props.description,
      endpointConfiguration: { types: ["REGIONAL"] },
    });
    this.address(this.resource);
    this.restApiId = this.resource.id;
    this.executionArn = this.resource.executionArn;
    this.root = { resourceId: this.resource.rootResourceId, path: "/" };

    this.deployment = new ApiGatewayDeployment(this, "deployment", {
      restApiId: this.resource.id,
      description: `Deployment of ${props.name}`,
      triggers: {
        redeployment: Lazy.stringValue({ produce: () => Fn.sha1(Fn.jsonencode(this.fingerprint)) }),
      },
      lifecycle: { createBeforeDestroy: true },
    });
    this.address(this.deployment, "deployment");

    this.accessLogGroup = new CloudwatchLogGroup(this, "access_logs", {
      name: logGroupName.apiAccessLogs(props.name),
      retentionInDays: props.accessLogRetentionDays ?? 14,
    });
    this.address(this.accessLogGroup, "access_logs");
    this.accessLogGroupName = this.accessLogGroup.name;

    this.stage = new ApiGatewayStage(this, "stage", {
      restApiId: this.resource.id,
      deploymentId: this.deployment.id,
      stageName: props.stageName,
      xrayTracingEnabled: props.tracing ?? true,
      accessLogSettings: {
        destinationArn: this.accessLogGroup.arn,
        // What an HCL author writes: Terraform makes it one JSON line (keys sorted), as API Gateway wants.
        format: jsonencode(ACCESS_LOG_FORMAT),
      },
    });
    this.address(this.stage, "stage");
    this.stageName = this.stage.stageName;
    this.invokeUrl = this.stage.invokeUrl;

    const throttling = props.throttling ?? { rateLimit: 100, burstLimit: 200 };
    this.methodSettings = new ApiGatewayMethodSettings(this, "method_settings", {
      restApiId: this.resource.id,
      stageName: this.stage.stageName,
      methodPath: "*/*",
      settings: {
        metricsEnabled: true,
        throttlingRateLimit: throttling.rateLimit,
        throttlingBurstLimit: throttling.burstLimit,
      },
    });
    this.address(this.methodSettings, "method_settings");

    this.requestValidator = this.validateRequests();
  }

  /**
   * One request validator for every method, and 400 responses that name the field: API Gateway's own
   * say only "Invalid request body", ours name the field, like the handlers'.
   */
  private validateRequests(): ApiGatewayRequestValidator {
    const validator = new ApiGatewayRequestValidator(this, "request_validator", {
      restApiId: this.resource.id,
      name: "body-and-parameters",
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    this.address(validator, "request_validator");
    this.fingerprint.push(
      validator.id,
      ...attributes(validator, "validate_request_body", "validate_request_parameters"),
    );

    for (const [responseType, suffix] of VALIDATION_RESPONSES) {
      const response = new ApiGatewayGatewayResponse(this, suffix, {
        restApiId: this.resource.id,
        responseType,
        statusCode: "400",
        responseTemplates: { "application/json": VALIDATION_ERROR_TEMPLATE },
      });
      this.address(response, suffix);
      this.fingerprint.push(
        response.id,
        ...attributes(response, "response_type", "status_code", "response_templates"),
      );
    }
    return validator;
  }

  /** The functions the routes invoke, each once, in the order they were first routed. */
  get functions(): readonly BundledFunction[] {
    return this.routed;
  }

  /** The API's name as CloudWatch knows it (`ApiName`). */
  get apiName(): string {
    return this.resource.name;
  }

  /** A metric of this API's stage (`AWS/ApiGateway`, by `ApiName` and `Stage`). */
  metric(metricName: string, options?: MetricOptions): Metric {
    return metric(
      "AWS/ApiGateway",
      metricName,
      { ApiName: this.resource.name, Stage: this.stageName },
      options,
    );
  }

  /** Requests served. */
  metricCount(options?: MetricOptions): Metric {
    return this.metric("Count", options);
  }

  metricLatency(options?: MetricOptions): Metric {
    return this.metric("Latency", options);
  }

  metricClientError(options?: MetricOptions): Metric {
    return this.metric("4XXError", options);
  }

  metricServerError(options?: MetricOptions): Metric {
    return this.metric("5XXError", options);
  }

  /** Adds `pathPart` under `parent` as `aws_api_gateway_resource.<id>`. */
  addResource(id: string, parent: ApiResourceRef, pathPart: string): ApiResourceRef {
    const resource = new ApiGatewayResource(this, `resource_${id}`, {
      restApiId: this.resource.id,
      parentId: parent.resourceId,
      pathPart,
    });
    withAddress(resource, tfName(id));
    this.fingerprint.push(resource.id, resource.pathPart);
    const path = parent.path === "/" ? `/${pathPart}` : `${parent.path}/${pathPart}`;
    return { resourceId: resource.id, path };
  }

  /**
   * Adds `aws_api_gateway_authorizer.<id>`: a Cognito user-pool authorizer. A route given it (see
   * {@link LambdaRouteOptions.authorizer}) needs an ID or access token of one of the pools in the
   * `Authorization` header; API Gateway checks its signature, issuer and expiry, and passes its claims
   * to the function as `requestContext.authorizer.claims`. No OAuth scopes are set on the methods, so
   * both token kinds are accepted.
   */
  addCognitoAuthorizer(id: string, props: CognitoAuthorizerProps): ApiGatewayAuthorizer {
    const authorizer = new ApiGatewayAuthorizer(this, `authorizer_${id}`, {
      restApiId: this.resource.id,
      name: props.name,
      type: "COGNITO_USER_POOLS",
      providerArns: [...props.providerArns],
      identitySource: AUTHORIZATION_HEADER_SOURCE,
    });
    withAddress(authorizer, tfName(id));
    this.fingerprint.push(
      authorizer.id,
      ...attributes(authorizer, "type", "provider_arns", "identity_source"),
    );
    return authorizer;
  }

  /**
   * Routes `httpMethod` on `resource` to `fn` through an AWS_PROXY integration on its alias, and lets
   * this API, and only for this method and path, invoke that alias.
   */
  addLambdaRoute(
    id: string,
    resource: ApiResourceRef,
    httpMethod: HttpMethod,
    fn: BundledFunction,
    options: LambdaRouteOptions = {},
  ): LambdaRoute {
    const name = tfName(id);
    const pathParameters = [...resource.path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1] as string);
    const model = options.requestModel ? this.addModel(name, options.requestModel) : undefined;

    const method = new ApiGatewayMethod(this, `${name}_method`, {
      restApiId: this.resource.id,
      resourceId: resource.resourceId,
      httpMethod,
      authorization: options.authorizer ? "COGNITO_USER_POOLS" : "NONE",
      ...(options.authorizer ? { authorizerId: options.authorizer.id } : {}),
      requestParameters: Object.fromEntries(pathParameters.map((p) => [`method.request.path.${p}`, true])),
      requestValidatorId: this.requestValidator.id,
      ...(model ? { requestModels: { "application/json": model.name } } : {}),
    });
    withAddress(method, `${name}_method`);

    const integration = new ApiGatewayIntegration(this, `${name}_integration`, {
      restApiId: this.resource.id,
      resourceId: resource.resourceId,
      httpMethod: method.httpMethod,
      type: "AWS_PROXY",
      // Lambda proxy integrations are always invoked with POST, whatever the client's method.
      integrationHttpMethod: "POST",
      uri: fn.aliasInvokeArn,
    });
    withAddress(integration, `${name}_integration`);

    // Path parameters become "*" in the execute-api ARN: arn:...:<api-id>/<stage>/<METHOD>/<path>.
    const arnPath = resource.path.replace(/\{[^}]+\}/g, "*");
    if (!this.routed.includes(fn)) this.routed.push(fn);
    fn.addPermission(`${name}_permission`, {
      principal: "apigateway.amazonaws.com",
      sourceArn: `${this.executionArn}/*/${httpMethod}${arnPath}`,
    });

    this.fingerprint.push(
      method.id,
      ...attributes(
        method,
        "http_method",
        "authorization",
        "request_parameters",
        "request_models",
        "request_validator_id",
        ...(options.authorizer ? ["authorizer_id"] : []),
      ),
      integration.id,
      integration.uri,
    );
    this.deploymentDependencies.push(method, integration);
    this.deployment.dependsOn = this.deploymentDependencies.map((d) => dependable(d));
    return { method, integration, ...(model ? { model } : {}) };
  }

  /** `aws_api_gateway_model.<route>_model`: the route's body schema, as draft-04 JSON. */
  private addModel(route: string, model: RequestModel): ApiGatewayModel {
    if (!/^[A-Za-z0-9]+$/.test(model.name)) {
      throw new Error(`Model name "${model.name}" must be letters and digits only`);
    }
    const resource = new ApiGatewayModel(this, `${route}_model`, {
      restApiId: this.resource.id,
      name: model.name,
      description: model.description,
      contentType: "application/json",
      schema: jsonencode({ $schema: JSON_SCHEMA_DRAFT_04, title: model.name, ...model.schema }),
    });
    withAddress(resource, `${route}_model`);
    this.fingerprint.push(resource.id, resource.schema);
    return resource;
  }
}

/**
 * References to a resource's attributes, for the deployment's fingerprint: everything that API Gateway
 * only serves after a new deployment must be in it, including what changes in place (same id).
 */
function attributes(resource: TerraformResource, ...names: string[]): string[] {
  return names.map((name) => Token.asString(resource.interpolationForAttribute(name)));
}

/** The gateway responses that carry a request validator's verdict, and their Terraform name suffixes. */
const VALIDATION_RESPONSES = [
  ["BAD_REQUEST_BODY", "bad_request_body"],
  ["BAD_REQUEST_PARAMETERS", "bad_request_parameters"],
] as const;

/**
 * `{"message": "Invalid request body: [instance ... \"customer_id\" ...]"}`: the validator's message and
 * its details, escaped for JSON (escapeJavaScript also escapes `'`, which JSON does not allow, hence the
 * replaceAll).
 */
export const VALIDATION_ERROR_TEMPLATE =
  '{"message": "$context.error.message: $util.escapeJavaScript($context.error.validationErrorString).replaceAll("\\\\\'","\'")"}';

/**
 * One JSON line per request in the access log. Values are quoted as in AWS's examples, because a
 * missing value prints as "-", which would not be valid JSON unquoted. API Gateway escapes the values it
 * writes (a `"` in a User-Agent comes out as `\"`), with one exception we leave out:
 * `$context.error.validationErrorString` holds the validator's report with raw double quotes
 * (`[object has missing required properties (["items"])]`), which would end the JSON string early. The
 * client gets that report in the 400's body ({@link VALIDATION_ERROR_TEMPLATE}); the log keeps
 * `errorResponseType` (`BAD_REQUEST_BODY`) and `errorMessage` (`Invalid request body`).
 * `__tests__/unit/constructs/rest-api.test.ts` renders every line shape and parses it.
 */
export const ACCESS_LOG_FORMAT = {
  requestId: "$context.requestId",
  extendedRequestId: "$context.extendedRequestId",
  ip: "$context.identity.sourceIp",
  userAgent: "$context.identity.userAgent",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  path: "$context.path",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationLatency: "$context.integration.latency",
  integrationStatus: "$context.integration.status",
  integrationRequestId: "$context.integration.requestId",
  errorMessage: "$context.error.message",
  errorResponseType: "$context.error.responseType",
  xrayTraceId: "$context.xrayTraceId",
} as const;
