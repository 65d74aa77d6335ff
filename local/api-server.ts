import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { matchRoute, type DeclaredApi } from "./api-routes";
import { closeServer, listenOnLocalhost, readLimitedBody } from "./http-server";
import {
  internalServerError,
  missingAuthenticationToken,
  requestTooLarge,
  unauthorized,
  toHttpResponse,
  toProxyEvent,
  type HttpResponse,
} from "./proxy-events";
import { LOCALHOST } from "./emulators";
import type { InvokeOutcome } from "./lambda-host";
import type { ApiRequestValidation } from "./request-validation";
import type { ApiRoute, RouteAuthorizer } from "./api-routes";
import { tokenOf, type TokenVerdict } from "./cognito-tokens";

/**
 * Checks a route's token as its Cognito authorizer would: the verdict for the token, given the user pools
 * (by ARN) the authorizer trusts. The local run answers from the Cognito emulator's pools (local/cognito.ts).
 */
export type Authorize = (authorizer: RouteAuthorizer, token: string) => TokenVerdict;

/** Invokes a function by name; the local run maps names to warm LocalLambdas. */
export type Invoke = (functionName: string, event: unknown) => Promise<InvokeOutcome>;

export interface ApiServerOptions {
  readonly api: DeclaredApi;
  readonly port: number;
  readonly accountId: string;
  readonly invoke: Invoke;
  /** One line per request, and one per failed integration. */
  readonly log: (line: string) => void;
  /** The API's request validators, models and gateway responses. @default nothing is validated */
  readonly validation?: ApiRequestValidation;
  /**
   * Checks the tokens of routes with a Cognito authorizer.
   * @default none: such a route answers 401 to every request, as no token can be checked
   */
  readonly authorize?: Authorize;
}

/** API Gateway's payload quota for a REST API request: 10 MB. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export interface ApiServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>`; a stage's invoke URL is `<origin>/<stage>`. */
  readonly origin: string;
  /** Serves `api` (a re-synthesized stack) with its request validation from now on, on the same port. */
  update(api: DeclaredApi, validation?: ApiRequestValidation, authorize?: Authorize): void;
  stop(): Promise<void>;
}

/**
 * Serves one REST API on its own port the way its invoke URL does: `/<stage>/<resource path>`. Each
 * request is matched to a route, turned into a proxy event, run by the route's function, and its result
 * turned back into the response; API Gateway's own answers (403 for unknown routes, 502 for a failed or
 * malformed integration, 413 past the 10 MB payload quota, 401 from a Cognito authorizer) are reproduced.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { log } = options;
  let api = options.api;
  let validation = options.validation;
  let authorize = options.authorize;
  const server: Server = createServer((req, res) => {
    const started = Date.now();
    const requestId = randomUUID();
    void handle(req, requestId)
      .catch((error: unknown) => {
        log(`integration error: ${error instanceof Error ? error.message : String(error)}`);
        return internalServerError(requestId);
      })
      .then((response) => {
        write(res, response);
        log(`${req.method} ${req.url} ${response.statusCode} ${Date.now() - started} ms`);
      });
  });

  async function handle(req: IncomingMessage, requestId: string): Promise<HttpResponse> {
    const target = req.url ?? "/";
    const queryAt = target.indexOf("?");
    const rawPath = queryAt < 0 ? target : target.slice(0, queryAt);
    const query = queryAt < 0 ? "" : target.slice(queryAt + 1);
    const [, stageName = "", ...rest] = rawPath.split("/");
    const stage = api.stages.find((s) => s.name === safeDecode(stageName));
    const method = req.method ?? "GET";
    const path = `/${rest.join("/")}`;
    const match = stage ? matchRoute(api, method, path) : undefined;
    const read = await readLimitedBody(req, MAX_REQUEST_BYTES);
    if (!read.ok) return requestTooLarge(requestId);
    const body = read.body;
    if (!stage || !match) return missingAuthenticationToken(requestId);
    const headers = headerPairs(req.rawHeaders);
    const sourceIp = (req.socket.remoteAddress ?? LOCALHOST).replace(/^::ffff:/, "");
    // The authorizer runs first, then the method request (validators, models), before any integration, as on AWS.
    const authorized = authorizeRequest(match.route, headers, authorize, { requestId, method, log });
    if ("statusCode" in authorized) return authorized;
    const context = { match, stage: stage.name, requestId, apiId: api.id, accountId: options.accountId };
    const invalid = validation?.validate({ ...context, path, query, headers, body, sourceIp });
    if (invalid) return invalid;
    const integration = match.route.integration;
    if (integration.type !== "AWS_PROXY") {
      log(`${method} ${match.route.resourcePath}: ${integration.reason}`);
      return gatewayUnsupported(requestId);
    }
    const event = toProxyEvent({ method, path, query, headers, body, sourceIp }, match, {
      api,
      stage,
      accountId: options.accountId,
      requestId,
      ...(authorized.claims ? { claims: authorized.claims } : {}),
    });
    const outcome = await options.invoke(integration.functionName, event);
    if (!outcome.ok) {
      log(`${integration.functionName} failed: ${outcome.error.name}: ${outcome.error.message}`);
      return internalServerError(requestId);
    }
    try {
      return toHttpResponse(outcome.result, requestId);
    } catch (error) {
      log(`Malformed Lambda proxy response from ${integration.functionName}: ${(error as Error).message}`);
      return internalServerError(requestId);
    }
  }

  const port = await listenOnLocalhost(server, options.port);
  return {
    port,
    origin: `http://${LOCALHOST}:${port}`,
    update: (next, nextValidation, nextAuthorize) => {
      api = next;
      validation = nextValidation;
      authorize = nextAuthorize;
    },
    stop: () => closeServer(server),
  };
}

/**
 * A route's authorizer on a request: the claims of its token (none for an open route), or API Gateway's
 * 401, with the reason in the log (`Unauthorized`; an expired token gets the Cognito authorizer's own message).
 */
function authorizeRequest(
  route: ApiRoute,
  headers: readonly (readonly [string, string])[],
  authorize: Authorize | undefined,
  request: { readonly requestId: string; readonly method: string; readonly log: (line: string) => void },
): HttpResponse | { readonly claims?: Readonly<Record<string, string>> } {
  const { authorizer } = route;
  if (!authorizer) return {};
  const token = tokenOf(headers.find(([name]) => name.toLowerCase() === "authorization")?.[1]);
  const verdict: TokenVerdict = !token
    ? { ok: false, reason: "no token in the Authorization header" }
    : authorize
      ? authorize(authorizer, token)
      : { ok: false, reason: "no Cognito emulator checks tokens in this run" };
  if (verdict.ok) return { claims: verdict.claims };
  request.log(`${request.method} ${route.resourcePath}: ${authorizer.address} refused: ${verdict.reason}`);
  const message = verdict.reason === "expired" ? "The incoming token has expired" : "Unauthorized";
  return unauthorized(request.requestId, message);
}

/** Node's `rawHeaders` as `[name, value]` pairs, with the client's casing, in order. */
function headerPairs(rawHeaders: readonly string[]): [string, string][] {
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    headers.push([rawHeaders[i] as string, rawHeaders[i + 1] as string]);
  }
  return headers;
}

/** Non-proxy integrations (HTTP, MOCK, AWS service) are not run locally; say so with a 500. */
function gatewayUnsupported(requestId: string): HttpResponse {
  return {
    statusCode: 500,
    headers: [
      ["Content-Type", "application/json"],
      ["x-amzn-RequestId", requestId],
    ],
    body: Buffer.from('{"message": "Internal server error"}'),
  };
}

/** A path segment, percent-decoded; a malformed escape matches nothing rather than failing the request. */
function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function write(res: ServerResponse, response: HttpResponse): void {
  const headers: string[] = [];
  for (const [name, value] of response.headers) {
    if (name.toLowerCase() !== "content-length") headers.push(name, value);
  }
  headers.push("Content-Length", String(response.body.length));
  try {
    res.writeHead(response.statusCode, headers);
    res.end(response.body);
  } catch {
    // toHttpResponse validates what functions return; whatever still fails here must not take the
    // whole local run down with an unhandled rejection.
    res.destroy();
  }
}
