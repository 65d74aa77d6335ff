import { referenceOf } from "../tooling/terraform-json";
import { functionNameOfArn } from "./functions";
import type { TerraformResolver } from "./terraform";

/**
 * The route tables of the local API Gateway: each `aws_api_gateway_rest_api` of the synthesized Terraform
 * with its stages and routes, and the route API Gateway would pick for a request. No sockets here;
 * `api-server.ts` does the I/O and `proxy-events.ts` the events and responses.
 */

/** What an integration calls. Only Lambda proxy integrations run locally; others answer 500. */
export type RouteIntegration =
  | { readonly type: "AWS_PROXY"; readonly functionName: string }
  | { readonly type: "UNSUPPORTED"; readonly reason: string };

/**
 * A method's Cognito authorizer (`authorization = "COGNITO_USER_POOLS"`): the user pools whose tokens it
 * accepts, by their (local) ARNs.
 */
export interface RouteAuthorizer {
  /** `aws_api_gateway_authorizer.users_authorizer` */
  readonly address: string;
  readonly type: "COGNITO_USER_POOLS";
  readonly providerArns: readonly string[];
}

/** One method on one resource: `GET /movies/{movieId}` → get-movie-dev. */
export interface ApiRoute {
  /** The resource's path template, as API Gateway reports it in `event.resource` (`/movies/{movieId}`). */
  readonly resourcePath: string;
  /** A stable local resource id (the resource's Terraform name), `requestContext.resourceId`. */
  readonly resourceId: string;
  /** `GET`, `PATCH`, ... or `ANY`. */
  readonly httpMethod: string;
  readonly integration: RouteIntegration;
  /** Set when only callers with a token reach the integration. @default open (`authorization = "NONE"`) */
  readonly authorizer?: RouteAuthorizer;
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
 * Every `aws_api_gateway_rest_api` of the stack with its stages and routes: the `aws_api_gateway_resource`
 * tree (each `parent_id` reference becomes a path), its `aws_api_gateway_method`s, and for each method the
 * `aws_api_gateway_integration` on the same resource and method, resolved to the function it invokes.
 */
export function declaredApis(resolver: TerraformResolver): DeclaredApi[] {
  const tree = resourceTree(resolver);
  const routesByApi = routesOf(resolver, tree, integrationsOf(resolver));
  const stagesByApi = stagesOf(resolver);
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

/** The `aws_api_gateway_resource`s of the stack, and the path of each node (`root:<api>` is "/"). */
interface ResourceTree {
  readonly resources: ReadonlyMap<string, { api: string; parent: string; pathPart: string; name: string }>;
  pathOf(key: string): string;
}

function resourceTree(resolver: TerraformResolver): ResourceTree {
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
  return { resources, pathOf: (key) => pathOf(key) };
}

/** Each `aws_api_gateway_integration`, keyed `<api> <resource key> <method>`. */
function integrationsOf(resolver: TerraformResolver): Map<string, RouteIntegration> {
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
  return integrations;
}

/** Each `aws_api_gateway_method` as a route with its integration, by REST API name. */
function routesOf(
  resolver: TerraformResolver,
  tree: ResourceTree,
  integrations: ReadonlyMap<string, RouteIntegration>,
): Map<string, ApiRoute[]> {
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
    const authorizer = authorizerOf(address, config, resolver);
    routes.push({
      resourcePath: tree.pathOf(resource),
      resourceId: resource.startsWith("root:") ? "root" : (tree.resources.get(resource)?.name ?? resource),
      httpMethod,
      integration,
      ...(authorizer ? { authorizer } : {}),
    });
    routesByApi.set(api, routes);
  }
  return routesByApi;
}

/**
 * A method's authorizer: none for `authorization = "NONE"`, the Cognito authorizer its `authorizer_id`
 * references for `COGNITO_USER_POOLS`. IAM and Lambda authorizers are not emulated: a stack using one
 * fails to load, naming the method, rather than being served open.
 */
function authorizerOf(
  address: string,
  config: Record<string, unknown>,
  resolver: TerraformResolver,
): RouteAuthorizer | undefined {
  const authorization = resolver.resolveString(String(config.authorization ?? "NONE"));
  if (authorization === "NONE") return undefined;
  const ref = reference(config.authorizer_id);
  if (authorization !== "COGNITO_USER_POOLS" || ref?.type !== "aws_api_gateway_authorizer") {
    throw new Error(
      `${address}: authorization ${authorization} is not emulated locally (only NONE and COGNITO_USER_POOLS ` +
        "with an authorizer_id referencing an aws_api_gateway_authorizer)",
    );
  }
  const authorizer = resolver.config("aws_api_gateway_authorizer", ref.name);
  const providerArns = resolver.resolve(authorizer.provider_arns ?? []) as string[];
  return { address: `aws_api_gateway_authorizer.${ref.name}`, type: "COGNITO_USER_POOLS", providerArns };
}

/** Each REST API's stages: its `aws_api_gateway_stage`s, and the deprecated `stage_name` of a deployment. */
function stagesOf(resolver: TerraformResolver): Map<string, ApiStage[]> {
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
  for (const [name, config] of resolver.resources("aws_api_gateway_deployment")) {
    if (typeof config.stage_name !== "string" || !config.stage_name) continue;
    const api = restApiOf(`aws_api_gateway_deployment.${name}`, config);
    const stages = stagesByApi.get(api) ?? [];
    const stage = resolver.resolveString(config.stage_name);
    if (!stages.some((s) => s.name === stage)) stages.push({ name: stage, variables: null });
    stagesByApi.set(api, stages);
  }
  return stagesByApi;
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
