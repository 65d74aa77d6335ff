import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Invoke } from "./api-server";
import { LOCALHOST } from "./emulators";
import type { DeclaredFunction } from "./functions";
import { closeServer, listenOnLocalhost, readLimitedBody } from "./http-server";
import type { InvokeOutcome } from "./lambda-host";

/**
 * The Lambda service's Invoke API on 127.0.0.1, like `sam local start-lambda`: the AWS SDK's Lambda
 * client and `aws lambda invoke --endpoint-url` call the local run's functions by their deployed names.
 * Request and error shapes are Lambda's; the functions themselves are the run's warm processes.
 */

/** Lambda's payload quotas for Invoke: 6 MB for RequestResponse, 1 MB for Event. */
export const MAX_PAYLOAD_BYTES = { RequestResponse: 6 * 1024 * 1024, Event: 1024 * 1024 } as const;
/** Lambda's quota for a synchronous response payload. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;
/** `LogType: Tail` returns the last 4 KB of the invocation's log. */
const TAIL_BYTES = 4 * 1024;

export interface LambdaEndpointOptions {
  /** 0 for a free port. */
  readonly port: number;
  /** The run's functions by name, and how to invoke them. */
  readonly functions: { get(functionName: string): DeclaredFunction | undefined; readonly invoke: Invoke };
  readonly region: string;
  readonly accountId: string;
  /** One line per invocation. */
  readonly log: (line: string) => void;
}

export interface LambdaEndpoint {
  readonly port: number;
  /** `http://127.0.0.1:<port>`, the `--endpoint-url` of `aws lambda invoke`. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** An HTTP response to write. */
interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

type InvocationType = keyof typeof MAX_PAYLOAD_BYTES | "DryRun";

/** An error of the Lambda service itself (not of the function), as Lambda's REST API answers it. */
function serviceError(status: number, type: string, message: string, requestId: string): Reply {
  return {
    status,
    headers: { "x-amzn-ErrorType": type, "x-amzn-RequestId": requestId },
    body: JSON.stringify({ Type: "User", message }),
  };
}

/** The function and qualifier a `FunctionName` (name, partial or full ARN, `name:alias`) names, or why not. */
export function parseFunctionName(
  raw: string,
  qualifierParam: string | undefined,
  context: { region: string; accountId: string },
): { name: string; qualifier?: string } | { error: string } {
  const match =
    /^(?:arn:aws[a-z-]*:lambda:(?<region>[a-z0-9-]+):(?<account>\d{12}):function:|(?<partial>\d{12}):function:)?(?<name>[A-Za-z0-9_-]+)(?::(?<qualifier>\$LATEST|[A-Za-z0-9_-]+))?$/.exec(
      raw,
    );
  const groups = match?.groups;
  if (!groups?.name) return { error: `Function name ${JSON.stringify(raw)} is not a name or a function ARN` };
  const account = groups.account ?? groups.partial;
  if ((groups.region && groups.region !== context.region) || (account && account !== context.accountId)) {
    return { name: "" };
  }
  if (groups.qualifier && qualifierParam && groups.qualifier !== qualifierParam) {
    return { error: "The derived qualifier from the function name does not match the specified qualifier." };
  }
  const qualifier = groups.qualifier ?? qualifierParam;
  return { name: groups.name, ...(qualifier ? { qualifier } : {}) };
}

/** The payload Lambda returns for a function error (the Node.js runtime's shape). */
function functionErrorPayload(outcome: InvokeOutcome & { ok: false }): string {
  const { name, message, stack } = outcome.error;
  return JSON.stringify({ errorType: name, errorMessage: message, trace: stack ? stack.split("\n") : [] });
}

/** The last 4 KB of the invocation's log, base64, as `X-Amz-Log-Result`. */
function logTail(outcome: InvokeOutcome): string {
  const log = Buffer.from(outcome.logs.map((line) => `${line}\n`).join(""));
  return log.subarray(Math.max(0, log.length - TAIL_BYTES)).toString("base64");
}

/** The response to a synchronous invocation: 200, with the function's error in a header and the payload. */
function syncReply(outcome: InvokeOutcome, version: string, tail: boolean): Reply {
  const headers: Record<string, string> = {
    "x-amzn-RequestId": outcome.requestId,
    "X-Amz-Executed-Version": version,
  };
  if (tail) headers["X-Amz-Log-Result"] = logTail(outcome);
  if (!outcome.ok) {
    return {
      status: 200,
      headers: { ...headers, "X-Amz-Function-Error": "Unhandled" },
      body: functionErrorPayload(outcome),
    };
  }
  const body = JSON.stringify(outcome.result ?? null);
  if (Buffer.byteLength(body) > MAX_RESPONSE_BYTES) {
    const errorMessage = `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`;
    return {
      status: 200,
      headers: { ...headers, "X-Amz-Function-Error": "Unhandled" },
      body: JSON.stringify({ errorType: "Function.ResponseSizeTooLarge", errorMessage }),
    };
  }
  return { status: 200, headers, body };
}

/** Starts the Invoke API on 127.0.0.1. */
export async function startLambdaEndpoint(options: LambdaEndpointOptions): Promise<LambdaEndpoint> {
  const server: Server = createServer((req, res) => {
    const started = Date.now();
    const requestId = randomUUID();
    void handleInvoke(req, requestId, options)
      .catch((error: unknown) =>
        serviceError(500, "ServiceException", (error as Error).message ?? "Internal error", requestId),
      )
      .then((reply) => {
        send(res, reply);
        options.log(`${req.method} ${req.url} ${reply.status}${errorType(reply)} ${Date.now() - started} ms`);
      });
  });
  const port = await listenOnLocalhost(server, options.port);
  return { port, endpoint: `http://${LOCALHOST}:${port}`, stop: () => closeServer(server) };
}

function errorType(reply: Reply): string {
  const type = reply.headers["x-amzn-ErrorType"] ?? reply.headers["X-Amz-Function-Error"];
  return type ? ` ${type}` : "";
}

/** Routes one request of the Invoke API: `POST /2015-03-31/functions/<FunctionName>/invocations`. */
async function handleInvoke(
  req: IncomingMessage,
  requestId: string,
  options: LambdaEndpointOptions,
): Promise<Reply> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const route = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/.exec(url.pathname);
  if (!route?.[1] || req.method !== "POST") {
    req.resume();
    return serviceError(
      404,
      "UnknownOperationException",
      `Unknown operation ${req.method} ${url.pathname}`,
      requestId,
    );
  }
  const type = (req.headers["x-amz-invocation-type"] ?? "RequestResponse") as InvocationType;
  if (!["RequestResponse", "Event", "DryRun"].includes(type)) {
    req.resume();
    const message =
      `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: ` +
      "Member must satisfy enum value set: [Event, RequestResponse, DryRun]";
    return serviceError(400, "ValidationException", message, requestId);
  }
  const target = resolveTarget(decodeURIComponent(route[1]), url.searchParams.get("Qualifier"), options);
  if ("reply" in target) {
    req.resume();
    return target.reply(requestId);
  }
  const limit = MAX_PAYLOAD_BYTES[type === "Event" ? "Event" : "RequestResponse"];
  const read = await readLimitedBody(req, limit);
  if (!read.ok) {
    const message = `Request must be smaller than ${limit} bytes for the InvokeFunction operation`;
    return serviceError(413, "RequestTooLargeException", message, requestId);
  }
  let event: unknown;
  try {
    event = read.body.length === 0 ? {} : JSON.parse(read.body.toString("utf8"));
  } catch (error) {
    const message = `Could not parse request body into json: ${(error as Error).message}`;
    return serviceError(400, "InvalidRequestContentException", message, requestId);
  }
  return invokeAs(type, target, event, req.headers["x-amz-log-type"] === "Tail", options);
}

/** The function (and the version a qualifier runs) a request names, or the error Lambda answers. */
function resolveTarget(
  rawName: string,
  qualifierParam: string | null,
  options: LambdaEndpointOptions,
): { fn: DeclaredFunction; version: string } | { reply: (requestId: string) => Reply } {
  const parsed = parseFunctionName(rawName, qualifierParam ?? undefined, options);
  if ("error" in parsed) {
    const message = parsed.error;
    return { reply: (id) => serviceError(400, "InvalidParameterValueException", message, id) };
  }
  const fn = options.functions.get(parsed.name);
  const qualifier = parsed.qualifier;
  if (!fn || (qualifier && qualifier !== "$LATEST" && !fn.aliases.includes(qualifier))) {
    const arn = `arn:aws:lambda:${options.region}:${options.accountId}:function:${parsed.name || rawName}`;
    const message = `Function not found: ${arn}${qualifier ? `:${qualifier}` : ""}`;
    return { reply: (id) => serviceError(404, "ResourceNotFoundException", message, id) };
  }
  // Locally an alias runs what the stack deploys: the function's current code.
  return { fn, version: qualifier && qualifier !== "$LATEST" ? "1" : "$LATEST" };
}

async function invokeAs(
  type: InvocationType,
  target: { fn: DeclaredFunction; version: string },
  event: unknown,
  tail: boolean,
  options: LambdaEndpointOptions,
): Promise<Reply> {
  const name = target.fn.functionName;
  if (type === "DryRun") return { status: 204, headers: {}, body: "" };
  if (type === "RequestResponse")
    return syncReply(await options.functions.invoke(name, event), target.version, tail);
  // Event: accepted at once; the function runs in the background, and a failure is logged.
  void options.functions.invoke(name, event).then((outcome) => {
    if (!outcome.ok)
      options.log(`Event invocation of ${name} failed: ${outcome.error.name}: ${outcome.error.message}`);
  });
  return { status: 202, headers: { "x-amzn-RequestId": randomUUID() }, body: "" };
}

function send(res: ServerResponse, reply: Reply): void {
  const body = Buffer.from(reply.body);
  res.writeHead(reply.status, {
    ...(body.length > 0 ? { "Content-Type": "application/json" } : {}),
    ...reply.headers,
    "Content-Length": String(body.length),
  });
  res.end(body);
}
