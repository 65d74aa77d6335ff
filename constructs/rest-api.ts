import { Construct } from "constructs";
import { dependable, Fn, Lazy, type ITerraformDependable } from "cdktf";
import { ApiGatewayDeployment } from "@cdktf/provider-aws/lib/api-gateway-deployment";
import { ApiGatewayIntegration } from "@cdktf/provider-aws/lib/api-gateway-integration";
import { ApiGatewayMethod } from "@cdktf/provider-aws/lib/api-gateway-method";
import { ApiGatewayResource } from "@cdktf/provider-aws/lib/api-gateway-resource";
import { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import { ApiGatewayStage } from "@cdktf/provider-aws/lib/api-gateway-stage";
import type { BundledFunction } from "./bundled-function";
import { tfName } from "./naming";

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
}

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
 */
export class RestApi extends Construct {
  readonly api: ApiGatewayRestApi;
  readonly deployment: ApiGatewayDeployment;
  readonly stage: ApiGatewayStage;
  readonly root: ApiResourceRef;
  readonly restApiId: string;
  readonly executionArn: string;
  readonly stageName: string;
  /** The stage's base URL (`https://<id>.execute-api.<region>.amazonaws.com/<stage>`). */
  readonly invokeUrl: string;

  private readonly baseName: string;
  /** Terraform expressions whose values, hashed, decide when the API is redeployed. */
  private readonly fingerprint: string[] = [];
  private readonly deploymentDependencies: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, props: RestApiProps) {
    super(scope, id);
    this.baseName = tfName(id);

    this.api = new ApiGatewayRestApi(this, "api", {
      name: props.name,
      description: props.description,
      endpointConfiguration: { types: ["REGIONAL"] },
    });
    this.api.overrideLogicalId(this.baseName);
    this.restApiId = this.api.id;
    this.executionArn = this.api.executionArn;
    this.root = { resourceId: this.api.rootResourceId, path: "/" };

    this.deployment = new ApiGatewayDeployment(this, "deployment", {
      restApiId: this.api.id,
      description: `Deployment of ${props.name}`,
      triggers: {
        redeployment: Lazy.stringValue({ produce: () => Fn.sha1(Fn.jsonencode(this.fingerprint)) }),
      },
      lifecycle: { createBeforeDestroy: true },
    });
    this.deployment.overrideLogicalId(`${this.baseName}_deployment`);

    this.stage = new ApiGatewayStage(this, "stage", {
      restApiId: this.api.id,
      deploymentId: this.deployment.id,
      stageName: props.stageName,
      xrayTracingEnabled: props.tracing ?? true,
    });
    this.stage.overrideLogicalId(`${this.baseName}_stage`);
    this.stageName = this.stage.stageName;
    this.invokeUrl = this.stage.invokeUrl;
  }

  /** Adds `pathPart` under `parent` as `aws_api_gateway_resource.<id>`. */
  addResource(id: string, parent: ApiResourceRef, pathPart: string): ApiResourceRef {
    const resource = new ApiGatewayResource(this, `resource_${id}`, {
      restApiId: this.api.id,
      parentId: parent.resourceId,
      pathPart,
    });
    resource.overrideLogicalId(tfName(id));
    this.fingerprint.push(resource.id, resource.pathPart);
    const path = parent.path === "/" ? `/${pathPart}` : `${parent.path}/${pathPart}`;
    return { resourceId: resource.id, path };
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
  ): LambdaRoute {
    const name = tfName(id);
    const pathParameters = [...resource.path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1] as string);

    const method = new ApiGatewayMethod(this, `${name}_method`, {
      restApiId: this.api.id,
      resourceId: resource.resourceId,
      httpMethod,
      authorization: "NONE",
      requestParameters: Object.fromEntries(pathParameters.map((p) => [`method.request.path.${p}`, true])),
    });
    method.overrideLogicalId(`${name}_method`);

    const integration = new ApiGatewayIntegration(this, `${name}_integration`, {
      restApiId: this.api.id,
      resourceId: resource.resourceId,
      httpMethod: method.httpMethod,
      type: "AWS_PROXY",
      // Lambda proxy integrations are always invoked with POST, whatever the client's method.
      integrationHttpMethod: "POST",
      uri: fn.aliasInvokeArn,
    });
    integration.overrideLogicalId(`${name}_integration`);

    // Path parameters become "*" in the execute-api ARN: arn:...:<api-id>/<stage>/<METHOD>/<path>.
    const arnPath = resource.path.replace(/\{[^}]+\}/g, "*");
    fn.grantInvoke(`${name}_permission`, {
      principal: "apigateway.amazonaws.com",
      sourceArn: `${this.executionArn}/*/${httpMethod}${arnPath}`,
    });

    this.fingerprint.push(
      method.id,
      method.httpMethod,
      method.authorization,
      integration.id,
      integration.uri,
    );
    this.deploymentDependencies.push(method, integration);
    this.deployment.dependsOn = this.deploymentDependencies.map((d) => dependable(d));
    return { method, integration };
  }
}
