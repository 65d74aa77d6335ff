import { randomBytes, randomUUID } from "node:crypto";
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { buffer } from "node:stream/consumers";
import { crc32 } from "node:zlib";
import { AwsChunkedError, decodeUpload, isAwsChunked } from "./aws-chunked";
import { LOCAL_CREDENTIALS, LOCALHOST } from "./emulators";
import { accessDeniedMessage, evaluate, type ConditionContext } from "./iam-policy";
import { dynamoDbChecks, s3Checks, type ArnScope, type Check } from "./iam-requests";
import type { FunctionIdentity } from "./iam-roles";

/**
 * The local IAM: a gateway in front of DynamoDB Local and the S3 server. Each function process gets an
 * access key of its own ({@link IamGateway.environmentFor}); the gateway maps the access key of each
 * SigV4-signed request to its function, works out the actions and resource ARNs the request needs
 * (iam-requests.ts) and evaluates them against that function's synthesized policies (iam-policy.ts).
 * A denied request is answered exactly as AWS answers it; the others are forwarded unchanged (the
 * emulators do not check signatures). Requests signed with any other key (the developer's CLI, tests)
 * are not evaluated. S3 uploads in `aws-chunked` encoding are decoded on the way (aws-chunked.ts).
 */

export interface IamGatewayOptions {
  /** Where DynamoDB Local and the S3 server listen. */
  readonly dynamodbEndpoint: string;
  readonly s3Endpoint: string;
  readonly identities: readonly FunctionIdentity[];
  readonly scope: ArnScope;
  /** The gateway's own ports; 0 or undefined for free ones. */
  readonly dynamodbPort?: number;
  readonly s3Port?: number;
  /** One line per denied request. @default dropped */
  readonly log?: (line: string) => void;
}

export interface IamGateway {
  /** `http://127.0.0.1:<port>`: what functions, the CLI and tests use as the DynamoDB endpoint. */
  readonly dynamodbEndpoint: string;
  readonly dynamodbPort: number;
  readonly s3Endpoint: string;
  readonly s3Port: number;
  /**
   * The variables that give a function process its own identity: its access key and secret, and the
   * gateway as its DynamoDB and S3 endpoints. Laid over the environment every function gets.
   */
  environmentFor(functionName: string): Record<string, string>;
  /**
   * Evaluates with `identities` from now on (a re-synthesized stack): a function keeps its keys, so its
   * running process stays valid, and its new policies apply to its next request; a new function gets keys.
   */
  update(identities: readonly FunctionIdentity[]): void;
  stop(): Promise<void>;
}

/** `AKID` of `Credential=AKID/20250101/eu-central-1/s3/aws4_request` (header or presigned query). */
export function accessKeyOf(authorization: string | undefined, query: URLSearchParams): string | undefined {
  const credential =
    /Credential=([^/,\s]+)\//.exec(authorization ?? "")?.[1] ?? query.get("X-Amz-Credential")?.split("/")[0];
  return credential ?? /^AWS ([^:]+):/.exec(authorization ?? "")?.[1];
}

/** An access key shaped like the temporary keys Lambda gives functions (`ASIA` + 16 characters). */
function newAccessKey(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  return `ASIA${[...randomBytes(16)].map((b) => alphabet[b % 32]).join("")}`;
}

/** Sends the request on to the emulator and its answer back; `body` undefined streams the request's own. */
function forward(
  upstream: string,
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string | string[] | undefined>,
  body?: Buffer,
): void {
  const target = new URL(req.url ?? "/", upstream);
  const out = httpRequest(
    target,
    { method: req.method, headers: { ...headers, host: target.host } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    },
  );
  out.on("error", (error) => {
    if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
    res.end(`local IAM gateway: ${upstream} did not answer: ${error.message}`);
  });
  if (body) out.end(body);
  else req.pipe(out);
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string,
  head = false,
): void {
  const bytes = Buffer.from(body);
  res.writeHead(status, { ...headers, "content-length": String(bytes.length) });
  res.end(head ? undefined : bytes);
}

const xmlEscape = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** S3's error document, as S3 answers (AccessDenied 403, BadDigest 400, ...). */
function s3Error(res: ServerResponse, status: number, code: string, message: string, head: boolean): void {
  const requestId = randomBytes(8).toString("hex").toUpperCase();
  const hostId = randomBytes(48).toString("base64");
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><RequestId>${requestId}</RequestId><HostId>${hostId}</HostId></Error>`;
  send(
    res,
    status,
    { "content-type": "application/xml", "x-amz-request-id": requestId, "x-amz-id-2": hostId },
    xml,
    head,
  );
}

/** DynamoDB's AccessDeniedException: 400, the coral type, and the CRC32 DynamoDB puts on every answer. */
function dynamoDbAccessDenied(res: ServerResponse, message: string): void {
  const body = JSON.stringify({ __type: "com.amazon.coral.service#AccessDeniedException", Message: message });
  send(
    res,
    400,
    {
      "content-type": "application/x-amz-json-1.0",
      "x-amzn-requestid": randomUUID().replace(/-/g, "").toUpperCase().padEnd(52, "0").slice(0, 52),
      "x-amz-crc32": String(crc32(body) >>> 0),
    },
    body,
  );
}

/** The first of `checks` the identity's policies do not allow, with AWS's message; undefined if all pass. */
function denied(
  identity: FunctionIdentity,
  checks: readonly Check[],
  context: ConditionContext,
  quote: boolean,
) {
  for (const check of checks) {
    const decision = evaluate(identity.policies, check.action, check.resource, context);
    if (decision.effect !== "allow") {
      return {
        check,
        message: accessDeniedMessage(identity.principalArn, check.action, check.resource, decision, quote),
      };
    }
  }
  return undefined;
}

async function listen(server: Server, port: number | undefined): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port ?? 0, LOCALHOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** What the two servers share: who each access key is, the condition context, the log. */
interface GatewayState {
  readonly options: IamGatewayOptions;
  readonly log: (line: string) => void;
  identityOf(req: IncomingMessage, query: URLSearchParams): FunctionIdentity | undefined;
  context(identity: FunctionIdentity): ConditionContext;
  fail(res: ServerResponse, error: unknown): void;
}

/** DynamoDB: the target and the JSON body name the operation and tables; a denial is a 400 AccessDeniedException. */
function dynamoDbHandler(state: GatewayState) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await buffer(req);
    const identity = state.identityOf(req, new URLSearchParams());
    const target = String(req.headers["x-amz-target"] ?? "");
    if (identity && target) {
      let parsed: Record<string, unknown> | undefined;
      try {
        parsed = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
      } catch {
        parsed = undefined; // DynamoDB Local answers the malformed request itself
      }
      const checks = parsed ? dynamoDbChecks(target, parsed, state.options.scope) : [];
      const refused = denied(identity, checks, state.context(identity), false);
      if (refused) {
        state.log(
          `[iam] ${identity.functionName}: AccessDenied ${refused.check.action} on ${refused.check.resource}`,
        );
        dynamoDbAccessDenied(res, refused.message);
        return;
      }
    }
    forward(state.options.dynamodbEndpoint, req, res, req.headers, body);
  };
}

/** s3rver knows one account: a function's own key is swapped for it (signatures are not checked). */
function asLocalAccount(
  req: IncomingMessage,
  url: URL,
  headers: Record<string, string | string[] | undefined>,
): void {
  const key = accessKeyOf(req.headers.authorization, url.searchParams) ?? "";
  if (typeof headers.authorization === "string") {
    headers.authorization = headers.authorization.replace(key, LOCAL_CREDENTIALS.accessKeyId);
  }
  const credential = url.searchParams.get("X-Amz-Credential");
  if (credential) {
    url.searchParams.set("X-Amz-Credential", credential.replace(key, LOCAL_CREDENTIALS.accessKeyId));
    req.url = `${url.pathname}${url.search}`;
  }
}

/** S3: method, path and query name the action and ARN; aws-chunked bodies are decoded for s3rver. */
function s3Handler(state: GatewayState) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://local");
    const identity = state.identityOf(req, url.searchParams);
    const chunked = isAwsChunked(req.headers);
    const deleting = req.method === "POST" && url.searchParams.has("delete");
    let body: Buffer | undefined = chunked || deleting ? await buffer(req) : undefined;
    let headers: Record<string, string | string[] | undefined> = { ...req.headers };
    if (chunked && body) ({ payload: body, headers } = decodeUpload(req.headers, body));
    if (identity) {
      const checks = s3Checks({
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        copySource: req.headers["x-amz-copy-source"] as string | undefined,
        deleteBody: deleting ? body?.toString("utf8") : undefined,
      });
      const refused = denied(identity, checks, state.context(identity), true);
      if (refused) {
        state.log(
          `[iam] ${identity.functionName}: AccessDenied ${refused.check.action} on ${refused.check.resource}`,
        );
        s3Error(res, 403, "AccessDenied", refused.message, req.method === "HEAD");
        return;
      }
      asLocalAccount(req, url, headers);
    }
    forward(state.options.s3Endpoint, req, res, headers, body);
  };
}

/** Starts the gateway on its two ports (DynamoDB, S3); see the module's description. */
export async function startIamGateway(options: IamGatewayOptions): Promise<IamGateway> {
  const log = options.log ?? (() => undefined);
  const credentials = new Map<string, { secret: string; identity: FunctionIdentity }>();
  const keyOfFunction = new Map<string, string>();
  const register = (identities: readonly FunctionIdentity[]) => {
    for (const identity of identities) {
      const key = keyOfFunction.get(identity.functionName) ?? newAccessKey();
      const secret = credentials.get(key)?.secret ?? randomBytes(30).toString("base64");
      credentials.set(key, { secret, identity });
      keyOfFunction.set(identity.functionName, key);
    }
  };
  register(options.identities);
  const state: GatewayState = {
    options,
    log,
    identityOf: (req, query) => {
      const key = accessKeyOf(req.headers.authorization, query);
      return key ? credentials.get(key)?.identity : undefined;
    },
    context: (identity) => ({
      // On AWS the SDK always uses TLS; locally the hop is plain HTTP, which must not change a decision.
      "aws:SecureTransport": "true",
      "aws:RequestedRegion": options.scope.region,
      "aws:PrincipalAccount": options.scope.accountId,
      "aws:PrincipalArn": `arn:aws:iam::${options.scope.accountId}:role/${identity.roleName}`,
    }),
    fail: (res, error) => {
      log(`[iam] gateway error: ${(error as Error).message}`);
      if (!res.headersSent) send(res, 500, { "content-type": "text/plain" }, "local IAM gateway error");
      else res.destroy();
    },
  };
  const onDynamoDb = dynamoDbHandler(state);
  const dynamodb = createServer(
    (req, res) => void onDynamoDb(req, res).catch((error: unknown) => state.fail(res, error)),
  );
  const onS3 = s3Handler(state);
  const s3 = createServer(
    (req, res) =>
      void onS3(req, res).catch((error: unknown) => {
        if (error instanceof AwsChunkedError)
          s3Error(res, 400, error.code, error.message, req.method === "HEAD");
        else state.fail(res, error);
      }),
  );
  const dynamodbPort = await listen(dynamodb, options.dynamodbPort);
  const s3Port = await listen(s3, options.s3Port).catch((error: unknown) => {
    dynamodb.close();
    throw error;
  });
  const close = (server: Server) =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  const endpoints = { dynamodb: `http://${LOCALHOST}:${dynamodbPort}`, s3: `http://${LOCALHOST}:${s3Port}` };
  return {
    dynamodbEndpoint: endpoints.dynamodb,
    dynamodbPort,
    s3Endpoint: endpoints.s3,
    s3Port,
    environmentFor(functionName) {
      const key = keyOfFunction.get(functionName);
      const found = key ? credentials.get(key) : undefined;
      if (!key || !found) throw new Error(`${functionName} has no identity in the local IAM`);
      return {
        AWS_ACCESS_KEY_ID: key,
        AWS_SECRET_ACCESS_KEY: found.secret,
        AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
        AWS_ENDPOINT_URL_S3: endpoints.s3,
      };
    },
    update: register,
    stop: async () => {
      await Promise.all([close(dynamodb), close(s3)]);
    },
  };
}
