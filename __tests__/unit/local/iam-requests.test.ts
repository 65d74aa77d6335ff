import { deleteObjectsKeys, dynamoDbChecks, s3Checks } from "../../../local/iam-requests";

const scope = { region: "eu-central-1", accountId: "000000000000" };
const table = (name: string) => `arn:aws:dynamodb:eu-central-1:000000000000:table/${name}`;
const ddb = (operation: string, body: Record<string, unknown>) =>
  dynamoDbChecks(`DynamoDB_20120810.${operation}`, body, scope);

describe("dynamoDbChecks: the action and tables of a DynamoDB request", () => {
  it("checks single-table operations on the table (and a queried index on the index)", () => {
    expect(ddb("PutItem", { TableName: "orders-dev" })).toEqual([
      { action: "dynamodb:PutItem", resource: table("orders-dev") },
    ]);
    expect(ddb("Query", { TableName: "t", IndexName: "by_customer" })).toEqual([
      { action: "dynamodb:Query", resource: `${table("t")}/index/by_customer` },
    ]);
    expect(ddb("GetItem", { TableName: table("by-arn") })).toEqual([
      { action: "dynamodb:GetItem", resource: table("by-arn") },
    ]);
    expect(ddb("ListTables", {})).toEqual([{ action: "dynamodb:ListTables", resource: "*" }]);
  });

  it("checks a batch on every table it names", () => {
    expect(ddb("BatchGetItem", { RequestItems: { a: {}, b: {} } })).toEqual([
      { action: "dynamodb:BatchGetItem", resource: table("a") },
      { action: "dynamodb:BatchGetItem", resource: table("b") },
    ]);
    expect(ddb("BatchWriteItem", { RequestItems: { a: [] } })).toEqual([
      { action: "dynamodb:BatchWriteItem", resource: table("a") },
    ]);
  });

  it("checks each transaction item as its own action", () => {
    expect(
      ddb("TransactWriteItems", {
        TransactItems: [
          { ConditionCheck: { TableName: "infos" } },
          { Update: { TableName: "ratings" } },
          { Put: { TableName: "o" } },
          { Delete: { TableName: "o" } },
        ],
      }),
    ).toEqual([
      { action: "dynamodb:ConditionCheckItem", resource: table("infos") },
      { action: "dynamodb:UpdateItem", resource: table("ratings") },
      { action: "dynamodb:PutItem", resource: table("o") },
      { action: "dynamodb:DeleteItem", resource: table("o") },
    ]);
    expect(ddb("TransactGetItems", { TransactItems: [{ Get: { TableName: "a" } }] })).toEqual([
      { action: "dynamodb:GetItem", resource: table("a") },
    ]);
  });

  it("reads the verb and table of PartiQL statements, and stream ARNs", () => {
    expect(ddb("ExecuteStatement", { Statement: `SELECT * FROM "orders-dev" WHERE order_id = ?` })).toEqual([
      { action: "dynamodb:PartiQLSelect", resource: table("orders-dev") },
    ]);
    expect(
      ddb("BatchExecuteStatement", {
        Statements: [
          { Statement: "INSERT INTO t VALUE {'a': 1}" },
          { Statement: "DELETE FROM u WHERE a = 1" },
        ],
      }),
    ).toEqual([
      { action: "dynamodb:PartiQLInsert", resource: table("t") },
      { action: "dynamodb:PartiQLDelete", resource: table("u") },
    ]);
    const stream = `${table("o")}/stream/2025-01-01T00:00:00.000`;
    expect(dynamoDbChecks("DynamoDBStreams_20120810.GetShardIterator", { StreamArn: stream }, scope)).toEqual(
      [{ action: "dynamodb:GetShardIterator", resource: stream }],
    );
  });
});

describe("s3Checks: the action and ARN of a path-style S3 request", () => {
  const check = (method: string, path: string, query = "", extra: object = {}) =>
    s3Checks({ method, path, query: new URLSearchParams(query), ...extra });

  it("maps object requests to their actions on the object ARN (key decoded)", () => {
    expect(check("GET", "/b/dir/a%20b.csv")).toEqual([
      { action: "s3:GetObject", resource: "arn:aws:s3:::b/dir/a b.csv" },
    ]);
    expect(check("HEAD", "/b/k")).toEqual([{ action: "s3:GetObject", resource: "arn:aws:s3:::b/k" }]);
    expect(check("PUT", "/b/k")).toEqual([{ action: "s3:PutObject", resource: "arn:aws:s3:::b/k" }]);
    expect(check("PUT", "/b/k", "partNumber=1&uploadId=x")).toEqual([
      { action: "s3:PutObject", resource: "arn:aws:s3:::b/k" },
    ]);
    expect(check("DELETE", "/b/k")).toEqual([{ action: "s3:DeleteObject", resource: "arn:aws:s3:::b/k" }]);
    expect(check("DELETE", "/b/k", "uploadId=x")).toEqual([
      { action: "s3:AbortMultipartUpload", resource: "arn:aws:s3:::b/k" },
    ]);
    expect(check("GET", "/b/k", "tagging")).toEqual([
      { action: "s3:GetObjectTagging", resource: "arn:aws:s3:::b/k" },
    ]);
    expect(check("GET", "/b/k", "versionId=3")).toEqual([
      { action: "s3:GetObjectVersion", resource: "arn:aws:s3:::b/k" },
    ]);
  });

  it("maps bucket requests to theirs on the bucket ARN", () => {
    expect(check("GET", "/b", "list-type=2&prefix=a")).toEqual([
      { action: "s3:ListBucket", resource: "arn:aws:s3:::b" },
    ]);
    expect(check("HEAD", "/b/")).toEqual([{ action: "s3:ListBucket", resource: "arn:aws:s3:::b" }]);
    expect(check("PUT", "/b")).toEqual([{ action: "s3:CreateBucket", resource: "arn:aws:s3:::b" }]);
    expect(check("GET", "/b", "location")).toEqual([
      { action: "s3:GetBucketLocation", resource: "arn:aws:s3:::b" },
    ]);
    expect(check("PUT", "/b", "notification")).toEqual([
      { action: "s3:PutBucketNotification", resource: "arn:aws:s3:::b" },
    ]);
    expect(check("GET", "/")).toEqual([{ action: "s3:ListAllMyBuckets", resource: "*" }]);
  });

  it("checks a copy's source, and every key of a multi-object delete", () => {
    expect(check("PUT", "/b/copy", "", { copySource: "/src/a%2Bb.csv" })).toEqual([
      { action: "s3:PutObject", resource: "arn:aws:s3:::b/copy" },
      { action: "s3:GetObject", resource: "arn:aws:s3:::src/a+b.csv" },
    ]);
    const xml = "<Delete><Object><Key>a.csv</Key></Object><Object><Key>x &amp; y.csv</Key></Object></Delete>";
    expect(deleteObjectsKeys(xml)).toEqual(["a.csv", "x & y.csv"]);
    expect(check("POST", "/b", "delete", { deleteBody: xml })).toEqual([
      { action: "s3:DeleteObject", resource: "arn:aws:s3:::b/a.csv" },
      { action: "s3:DeleteObject", resource: "arn:aws:s3:::b/x & y.csv" },
    ]);
  });
});
