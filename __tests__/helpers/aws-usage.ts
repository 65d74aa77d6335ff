import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { TerraformResolver } from "../../local/terraform";
import { referenceOf, type TerraformJson } from "../../tooling/terraform-json";
import { listenOnLoopback, relay } from "./proxy";

/**
 * What the functions' bundles really ask of AWS, recorded at the wire, and what their policies grant,
 * read from the synthesized stack: the two sides of the least-privilege check.
 *
 * A recording proxy sits between each function and DynamoDB Local / the S3 server (its own port per
 * function and service, so every request is known to come from that function) and turns each request
 * into the IAM actions AWS authorizes it with, on the ARNs it touches: `BatchGetItem` on two tables is
 * `dynamodb:BatchGetItem` on each; a `TransactWriteItems` is authorized per item (`dynamodb:PutItem`,
 * `dynamodb:UpdateItem`, `dynamodb:ConditionCheckItem`, ...), there is no `TransactWriteItems` action;
 * a `GET` or `HEAD` of an object is `s3:GetObject` on `arn:aws:s3:::<bucket>/<key>` (`s3:GetObjectVersion` when
 * it names a `versionId`).
 */

/** One IAM action on one ARN, as AWS authorizes a request. */
export interface Access {
  readonly action: string;
  readonly resource: string;
}

/** The ARNs the recorded accesses name, from the local names of tables and buckets. */
export interface ArnNaming {
  table(name: string): string;
}

/** Per-item actions of TransactWriteItems / TransactGetItems: the request's key → the IAM action. */
const TRANSACT_ITEM_ACTIONS: Readonly<Record<string, string>> = {
  Put: "dynamodb:PutItem",
  Update: "dynamodb:UpdateItem",
  Delete: "dynamodb:DeleteItem",
  ConditionCheck: "dynamodb:ConditionCheckItem",
  Get: "dynamodb:GetItem",
};

type Body = Record<string, unknown>;

/** The IAM accesses one DynamoDB request (`x-amz-target: DynamoDB_20120810.<Operation>`) needs. */
export function dynamoDbAccesses(target: string, body: Body, arns: ArnNaming): Access[] {
  const operation = target.split(".").pop() ?? target;
  const on = (action: string, table: unknown): Access => ({
    action,
    resource: typeof table === "string" ? arns.table(table) : "*",
  });
  if (operation === "TransactWriteItems" || operation === "TransactGetItems") {
    const items = Array.isArray(body.TransactItems) ? (body.TransactItems as Body[]) : [];
    return items.flatMap((item) =>
      Object.entries(item).map(([kind, request]) =>
        on(TRANSACT_ITEM_ACTIONS[kind] ?? `dynamodb:${operation}.${kind}`, (request as Body).TableName),
      ),
    );
  }
  if (operation === "BatchGetItem" || operation === "BatchWriteItem") {
    const tables = Object.keys((body.RequestItems as Body | undefined) ?? {});
    return tables.map((table) => on(`dynamodb:${operation}`, table));
  }
  return [on(`dynamodb:${operation}`, body.TableName)];
}

/**
 * The IAM access one path-style S3 request needs. Only what our functions could send is mapped; any
 * other request is recorded as `s3:<METHOD> <path>`, an action no policy grants, so it shows up.
 */
export function s3Access(method: string, url: string): Access {
  const { pathname, searchParams } = new URL(url, "http://s3.local");
  const [bucket = "", ...keyParts] = pathname.replace(/^\//, "").split("/");
  const key = keyParts.map((p) => decodeURIComponent(p)).join("/");
  const subresources = [...searchParams.keys()].filter(
    (k) => !k.startsWith("x-id") && k !== "x-amz-checksum-mode",
  );
  // A GET or HEAD that names a version needs s3:GetObjectVersion, not s3:GetObject.
  if (key !== "" && (method === "GET" || method === "HEAD") && subresources.join() === "versionId") {
    return { action: "s3:GetObjectVersion", resource: `arn:aws:s3:::${bucket}/${key}` };
  }
  if (key !== "" && subresources.length === 0) {
    const action = {
      GET: "s3:GetObject",
      HEAD: "s3:GetObject",
      PUT: "s3:PutObject",
      DELETE: "s3:DeleteObject",
    }[method];
    if (action) return { action, resource: `arn:aws:s3:::${bucket}/${key}` };
  }
  if (
    key === "" &&
    method === "GET" &&
    (subresources.length === 0 || searchParams.get("list-type") === "2")
  ) {
    return { action: "s3:ListBucket", resource: `arn:aws:s3:::${bucket}` };
  }
  return {
    action: `s3:${method} ${pathname}${searchParams.size > 0 ? `?${searchParams}` : ""}`,
    resource: "*",
  };
}

/** `*` in an IAM resource matches any run of characters (`arn:aws:s3:::bucket/*`). */
function matches(pattern: string, arn: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return regex.test(arn);
}

/** Starts a proxy in front of `target` that records each request's accesses with `record`. */
async function startRecordingProxy(
  target: string,
  toAccesses: (method: string, url: string, headers: IncomingHttpHeaders, body: Buffer) => Access[],
  record: (accesses: Access[]) => void,
): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const method = req.method ?? "GET";
      const url = req.url ?? "/";
      record(toAccesses(method, url, req.headers, body));
      relay(target, { method, url, headers: req.headers, body }, res);
    });
  });
  return listenOnLoopback(server);
}

/** Records, per function address, the accesses of every request its bundle sends. */
export class UsageRecorder {
  private readonly accesses = new Map<string, Access[]>();
  private readonly endpoints = new Map<string, Record<string, string>>();
  private readonly stops: (() => Promise<void>)[] = [];

  private constructor(private readonly arns: ArnNaming) {}

  /**
   * A recorder with a DynamoDB and an S3 proxy for each of `addresses`, forwarding to the local
   * services at `targets`.
   */
  static async start(
    addresses: readonly string[],
    targets: { readonly dynamodb: string; readonly s3: string },
    arns: ArnNaming,
  ): Promise<UsageRecorder> {
    const recorder = new UsageRecorder(arns);
    for (const address of addresses) {
      const list: Access[] = [];
      recorder.accesses.set(address, list);
      const record = (found: Access[]) => list.push(...found);
      const dynamodb = await startRecordingProxy(
        targets.dynamodb,
        (_method, _url, headers, body) =>
          dynamoDbAccesses(String(headers["x-amz-target"] ?? ""), parseBody(body), arns),
        record,
      );
      const s3 = await startRecordingProxy(targets.s3, (method, url) => [s3Access(method, url)], record);
      recorder.stops.push(dynamodb.stop, s3.stop);
      recorder.endpoints.set(address, {
        AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
      });
    }
    return recorder;
  }

  /** The endpoint variables that send `address`'s requests through its proxies. */
  environmentFor(address: string): Readonly<Record<string, string>> {
    return this.endpoints.get(address) ?? {};
  }

  /** Every access `address` has needed so far, in order. */
  usage(address: string): readonly Access[] {
    return this.accesses.get(address) ?? [];
  }

  async stop(): Promise<void> {
    await Promise.all(this.stops.map((stop) => stop()));
  }
}

function parseBody(body: Buffer): Body {
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    return typeof parsed === "object" && parsed !== null ? (parsed as Body) : {};
  } catch {
    return {};
  }
}

/** The Allow statements of the policies attached to a function's role, as IAM action × resource pairs. */
export function grantedAccesses(stack: TerraformJson, functionAddress: string, resolver: TerraformResolver) {
  const [, fnName = ""] = functionAddress.split(".");
  const fn = stack.resource?.aws_lambda_function?.[fnName];
  const role = referenceOf(fn?.role);
  if (!role) throw new Error(`${functionAddress} has no role reference`);
  const attachments = Object.values(stack.resource?.aws_iam_role_policy_attachment ?? {}).filter(
    (a) => referenceOf(a.role)?.address === role.address,
  );
  const documents = attachments.map((a) => {
    const policy = referenceOf(a.policy_arn);
    const config = policy ? stack.resource?.aws_iam_policy?.[policy.name] : undefined;
    const document = referenceOf(config?.policy);
    if (!document?.data)
      throw new Error(`${functionAddress}: the policy of ${role.address} is not a document`);
    return stack.data?.aws_iam_policy_document?.[document.name];
  });
  const granted: Access[] = [];
  for (const document of documents) {
    for (const s of (document?.statement ?? []) as {
      effect?: string;
      actions: string[];
      resources: string[];
    }[]) {
      if ((s.effect ?? "Allow") !== "Allow") continue;
      for (const action of s.actions) {
        for (const resource of s.resources)
          granted.push({ action, resource: resolver.resolveString(resource) });
      }
    }
  }
  return granted;
}

/** What a function needed but was not granted, and what it was granted but never needed. */
export interface GrantComparison {
  readonly missing: readonly Access[];
  readonly extra: readonly Access[];
}

/**
 * Compares the `services`' accesses (`dynamodb`, `s3`) a function was granted with those it used: every
 * used access must match a grant (action equal, resource matching the granted pattern), and every grant
 * must have been used at least once.
 */
export function compareGrants(
  granted: readonly Access[],
  used: readonly Access[],
  services: readonly string[] = ["dynamodb", "s3"],
): GrantComparison {
  const inScope = (a: Access) => services.some((service) => a.action.startsWith(`${service}:`));
  const grants = granted.filter(inScope);
  const covers = (grant: Access, use: Access) =>
    grant.action === use.action && matches(grant.resource, use.resource);
  const distinct = (list: Access[]) => [
    ...new Map(list.map((a) => [`${a.action} ${a.resource}`, a])).values(),
  ];
  return {
    missing: distinct(used.filter((use) => inScope(use) && !grants.some((grant) => covers(grant, use)))),
    extra: distinct(grants.filter((grant) => !used.some((use) => covers(grant, use)))),
  };
}
