/**
 * The IAM actions and resource ARNs a DynamoDB or S3 request needs, the way AWS authorizes them: every
 * table a batch or transaction names, each transaction item as its own action (a Put in
 * TransactWriteItems needs `dynamodb:PutItem`), an index for a Query on one, a copy's source object, and
 * each key of a multi-object delete. Pure functions over what the request carries.
 */

/** One authorization AWS makes for a request. */
export interface Check {
  readonly action: string;
  readonly resource: string;
}

export interface ArnScope {
  readonly region: string;
  readonly accountId: string;
}

type Item = Readonly<Record<string, unknown>>;

const tableArn = (scope: ArnScope, table: string) =>
  `arn:aws:dynamodb:${scope.region}:${scope.accountId}:table/${table}`;

/** A table given by name or ARN (the API accepts both). */
const tableResource = (scope: ArnScope, table: unknown) =>
  typeof table === "string" && table.startsWith("arn:") ? table : tableArn(scope, String(table));

/** The table a PartiQL statement reads or writes: `SELECT ... FROM "t"`, `INSERT INTO t`, `UPDATE t`, `DELETE FROM t`. */
function partiqlCheck(scope: ArnScope, statement: string): Check {
  const verb = /^\s*(\w+)/.exec(statement)?.[1]?.toUpperCase() ?? "";
  const table = /\b(?:FROM|INTO|UPDATE)\s+("(?:[^"]|"")+"|[A-Za-z0-9_.-]+)/i.exec(statement)?.[1] ?? "*";
  const name = table.startsWith('"')
    ? table.slice(1, -1).replace(/""/g, '"').split('"."')[0]
    : table.split(".")[0];
  const action =
    { SELECT: "PartiQLSelect", INSERT: "PartiQLInsert", UPDATE: "PartiQLUpdate", DELETE: "PartiQLDelete" }[
      verb
    ] ?? "PartiQLSelect";
  return { action: `dynamodb:${action}`, resource: tableArn(scope, name ?? "*") };
}

/** What one transaction item (`{Put: {TableName}}`, ...) is authorized as. */
const TRANSACT_ACTIONS: Readonly<Record<string, string>> = {
  Put: "dynamodb:PutItem",
  Update: "dynamodb:UpdateItem",
  Delete: "dynamodb:DeleteItem",
  ConditionCheck: "dynamodb:ConditionCheckItem",
  Get: "dynamodb:GetItem",
};

function transactChecks(scope: ArnScope, items: unknown): Check[] {
  return (Array.isArray(items) ? (items as Item[]) : []).flatMap((item) =>
    Object.entries(item).flatMap(([kind, request]) => {
      const action = TRANSACT_ACTIONS[kind];
      return action ? [{ action, resource: tableResource(scope, (request as Item).TableName) }] : [];
    }),
  );
}

/** A stream ARN the request names; a shard iterator carries its stream's ARN in DynamoDB Local too. */
function streamResource(body: Item): string {
  if (typeof body.StreamArn === "string") return body.StreamArn;
  const fromIterator = /arn:aws[\w-]*:dynamodb:[^|"\s]*\/stream\/[^|"\s]+/.exec(
    String(body.ShardIterator ?? ""),
  );
  return fromIterator?.[0] ?? "*";
}

/**
 * The checks for one DynamoDB (or DynamoDB Streams) request: `X-Amz-Target` names the operation, the
 * JSON body names the tables. An operation on no table (ListTables) is checked on `*`.
 */
export function dynamoDbChecks(target: string, body: Item, scope: ArnScope): Check[] {
  const [service = "", operation = ""] = target.split(".");
  const action = `dynamodb:${operation}`;
  if (service.startsWith("DynamoDBStreams")) return [{ action, resource: streamResource(body) }];
  switch (operation) {
    case "BatchGetItem":
    case "BatchWriteItem":
      return Object.keys((body.RequestItems as Item | undefined) ?? {}).map((table) => ({
        action,
        resource: tableResource(scope, table),
      }));
    case "TransactWriteItems":
    case "TransactGetItems":
      return transactChecks(scope, body.TransactItems);
    case "ExecuteStatement":
      return [partiqlCheck(scope, String(body.Statement ?? ""))];
    case "BatchExecuteStatement":
    case "ExecuteTransaction":
      return ((body.Statements ?? body.TransactStatements ?? []) as Item[]).map((s) =>
        partiqlCheck(scope, String(s.Statement ?? "")),
      );
    case "ListTables":
    case "DescribeEndpoints":
    case "DescribeLimits":
      return [{ action, resource: "*" }];
    case "ListTagsOfResource":
    case "TagResource":
    case "UntagResource":
      return [{ action, resource: String(body.ResourceArn ?? "*") }];
    default: {
      if (body.TableName === undefined) return [{ action, resource: "*" }];
      const table = tableResource(scope, body.TableName);
      const index = (operation === "Query" || operation === "Scan") && typeof body.IndexName === "string";
      return [{ action, resource: index ? `${table}/index/${body.IndexName as string}` : table }];
    }
  }
}

/** S3 sub-resources (`?tagging`) and the action each method needs on a bucket. */
const BUCKET_SUBRESOURCES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  policy: { GET: "GetBucketPolicy", PUT: "PutBucketPolicy", DELETE: "DeleteBucketPolicy" },
  cors: { GET: "GetBucketCORS", PUT: "PutBucketCORS", DELETE: "PutBucketCORS" },
  tagging: { GET: "GetBucketTagging", PUT: "PutBucketTagging", DELETE: "PutBucketTagging" },
  versioning: { GET: "GetBucketVersioning", PUT: "PutBucketVersioning" },
  notification: { GET: "GetBucketNotification", PUT: "PutBucketNotification" },
  acl: { GET: "GetBucketAcl", PUT: "PutBucketAcl" },
  website: { GET: "GetBucketWebsite", PUT: "PutBucketWebsite", DELETE: "DeleteBucketWebsite" },
  lifecycle: {
    GET: "GetLifecycleConfiguration",
    PUT: "PutLifecycleConfiguration",
    DELETE: "PutLifecycleConfiguration",
  },
  encryption: {
    GET: "GetEncryptionConfiguration",
    PUT: "PutEncryptionConfiguration",
    DELETE: "PutEncryptionConfiguration",
  },
  publicAccessBlock: {
    GET: "GetBucketPublicAccessBlock",
    PUT: "PutBucketPublicAccessBlock",
    DELETE: "PutBucketPublicAccessBlock",
  },
  location: { GET: "GetBucketLocation" },
  versions: { GET: "ListBucketVersions" },
  uploads: { GET: "ListBucketMultipartUploads" },
};

const OBJECT_SUBRESOURCES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  tagging: { GET: "GetObjectTagging", PUT: "PutObjectTagging", DELETE: "DeleteObjectTagging" },
  acl: { GET: "GetObjectAcl", PUT: "PutObjectAcl" },
  attributes: { GET: "GetObjectAttributes" },
  retention: { GET: "GetObjectRetention", PUT: "PutObjectRetention" },
  "legal-hold": { GET: "GetObjectLegalHold", PUT: "PutObjectLegalHold" },
  restore: { POST: "RestoreObject" },
};

function bucketAction(method: string, query: URLSearchParams): string {
  for (const [name, actions] of Object.entries(BUCKET_SUBRESOURCES)) {
    if (query.has(name) && actions[method]) return actions[method] as string;
  }
  if (method === "PUT") return "CreateBucket";
  if (method === "DELETE") return "DeleteBucket";
  return "ListBucket"; // GET (ListObjects, ListObjectsV2) and HEAD (HeadBucket)
}

function objectAction(method: string, query: URLSearchParams): string {
  for (const [name, actions] of Object.entries(OBJECT_SUBRESOURCES)) {
    if (query.has(name) && actions[method]) return actions[method] as string;
  }
  if (method === "DELETE") {
    if (query.has("uploadId")) return "AbortMultipartUpload";
    return query.has("versionId") ? "DeleteObjectVersion" : "DeleteObject";
  }
  if (method === "GET" || method === "HEAD") {
    if (method === "GET" && query.has("uploadId")) return "ListMultipartUploadParts";
    return query.has("versionId") ? "GetObjectVersion" : "GetObject";
  }
  return "PutObject"; // PUT (PutObject, UploadPart, CopyObject) and POST (CreateMultipartUpload, Complete)
}

/** The keys a DeleteObjects request body (`<Delete><Object><Key>..</Key>`) names, XML-unescaped. */
export function deleteObjectsKeys(xml: string): string[] {
  const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
  return [...xml.matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((m) =>
    (m[1] ?? "").replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (all, e: string) =>
      e.startsWith("#x")
        ? String.fromCodePoint(parseInt(e.slice(2), 16))
        : e.startsWith("#")
          ? String.fromCodePoint(Number(e.slice(1)))
          : (entities[e] ?? all),
    ),
  );
}

export interface S3Request {
  readonly method: string;
  /** The path-style path, still URL-encoded: `/bucket/key%20name`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** `x-amz-copy-source`, when set. */
  readonly copySource?: string;
  /** The body of a POST `?delete` (the keys it deletes). */
  readonly deleteBody?: string;
}

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** The checks for one path-style S3 request: its action on the bucket or object ARN (and a copy's source). */
export function s3Checks(request: S3Request): Check[] {
  const method = request.method.toUpperCase();
  const [, rawBucket = "", ...rest] = request.path.split("/");
  const bucket = decode(rawBucket);
  const key = decode(rest.join("/"));
  if (!bucket) return [{ action: "s3:ListAllMyBuckets", resource: "*" }];
  if (!key) {
    if (method === "POST" && request.query.has("delete")) {
      return deleteObjectsKeys(request.deleteBody ?? "").map((k) => ({
        action: "s3:DeleteObject",
        resource: `arn:aws:s3:::${bucket}/${k}`,
      }));
    }
    return [{ action: `s3:${bucketAction(method, request.query)}`, resource: `arn:aws:s3:::${bucket}` }];
  }
  const checks: Check[] = [
    { action: `s3:${objectAction(method, request.query)}`, resource: `arn:aws:s3:::${bucket}/${key}` },
  ];
  if (method === "PUT" && request.copySource) {
    const source = decode(request.copySource.replace(/^\//, "").split("?")[0] ?? "");
    checks.push({ action: "s3:GetObject", resource: `arn:aws:s3:::${source}` });
  }
  return checks;
}
