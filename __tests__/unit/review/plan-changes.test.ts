import { isPlaceholder, plannedAttributes } from "../../../review/plan-changes";

const policy = (resource: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: resource }],
  });

describe("plannedAttributes", () => {
  it("compares JSON-valued strings key by key: one changed Resource is reported at its path", () => {
    expect(
      plannedAttributes({
        before: { name: "read", policy: policy("arn:aws:dynamodb:eu-central-1:123456789012:table/movies") },
        after: { name: "read", policy: policy("arn:aws:dynamodb:eu-central-1:123456789012:table/movies-v2") },
      }),
    ).toEqual([
      {
        path: "policy → Statement[0].Resource",
        before: "arn:aws:dynamodb:eu-central-1:123456789012:table/movies",
        after: "arn:aws:dynamodb:eu-central-1:123456789012:table/movies-v2",
      },
    ]);
  });

  it("reports a 10,000-character JSON value in full", () => {
    const body = JSON.stringify({ widgets: [{ type: "text", properties: { markdown: "" } }] });
    const padding = "x".repeat(10_000 - body.length);
    const dashboard = JSON.stringify({ widgets: [{ type: "text", properties: { markdown: padding } }] });
    expect(dashboard).toHaveLength(10_000);
    expect(
      plannedAttributes({ before: { dashboard_body: null }, after: { dashboard_body: dashboard } }),
    ).toEqual([{ path: "dashboard_body", after: dashboard }]);
  });

  it("sees no change in equal JSON documents written differently (key order, spacing)", () => {
    const compact = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage"}]}';
    const pretty = JSON.stringify(
      { Statement: [{ Action: "sqs:SendMessage", Effect: "Allow" }], Version: "2012-10-17" },
      null,
      2,
    );
    expect(plannedAttributes({ before: { policy: compact }, after: { policy: pretty } })).toEqual([]);
  });

  it.each([
    ["null", null],
    ['""', ""],
    ["[]", []],
    ["{}", {}],
  ])("treats %s and a missing key alike", (_, empty) => {
    expect(plannedAttributes({ before: { description: empty }, after: {} })).toEqual([]);
    expect(plannedAttributes({ before: {}, after: { description: empty } })).toEqual([]);
    expect(plannedAttributes({ before: { description: empty }, after: { description: null } })).toEqual([]);
  });

  it("says nothing about an unknown value whose before was a placeholder", () => {
    expect(
      plannedAttributes({
        before: { arn: "arn:aws:offline:eu-central-1:123456789012:aws_sqs_queue.q/arn", name: "q" },
        after: { name: "q" },
        after_unknown: { arn: true },
      }),
    ).toEqual([]);
  });

  it("reports an unknown value whose before was real as known after apply", () => {
    expect(
      plannedAttributes({
        before: { role: "arn:aws:iam::123456789012:role/movies" },
        after: {},
        after_unknown: { role: true },
      }),
    ).toEqual([{ path: "role", unknown: true }]);
  });

  it("redacts values the provider marks sensitive (before_sensitive or after_sensitive)", () => {
    expect(
      plannedAttributes({
        before: { environment: [{ variables: { TABLE: "a" } }], body: "x" },
        after: { environment: [{ variables: { TABLE: "b" } }], body: "y" },
        before_sensitive: { environment: [{ variables: { TABLE: true } }] },
        after_sensitive: { body: true },
      }),
    ).toEqual([
      { path: "body", sensitive: true },
      { path: "environment", sensitive: true },
    ]);
  });

  it("redacts values under secret-looking names", () => {
    expect(
      plannedAttributes({
        before: { master_password: "old-pass", environment: [{ variables: { DB_PASSWORD: "old" } }] },
        after: { master_password: "new-pass", environment: [{ variables: { DB_PASSWORD: "new" } }] },
      }),
    ).toEqual([
      { path: "environment[0].variables.DB_PASSWORD", sensitive: true },
      { path: "master_password", sensitive: true },
    ]);
  });

  it("redacts secret-looking values (AWS key ids, PEM private keys) and still shows their siblings", () => {
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----";
    expect(
      plannedAttributes({
        before: { environment: [{ variables: { KEY_ID: "none", TABLE: "movies" } }], user_data: "" },
        after: {
          environment: [{ variables: { KEY_ID: "AKIAABCDEFGHIJKLMNOP", TABLE: "movies-v2" } }],
          user_data: pem,
        },
      }),
    ).toEqual([
      { path: "environment[0].variables.KEY_ID", sensitive: true },
      { path: "environment[0].variables.TABLE", before: "movies", after: "movies-v2" },
      { path: "user_data", sensitive: true },
    ]);
  });

  it("marks the attributes in replace_paths as forcing replacement", () => {
    expect(
      plannedAttributes({
        before: { hash_key: "movie_id", billing_mode: "PROVISIONED" },
        after: { hash_key: "id", billing_mode: "PAY_PER_REQUEST" },
        replace_paths: [["hash_key"]],
      }),
    ).toEqual([
      { path: "billing_mode", before: "PROVISIONED", after: "PAY_PER_REQUEST" },
      { path: "hash_key", before: "movie_id", after: "id", forcesReplacement: true },
    ]);
  });

  it("reports an empty block that appears whole", () => {
    expect(
      plannedAttributes({
        before: { rule: [{ id: "expire", filter: [] }] },
        after: { rule: [{ id: "expire", filter: [{}] }] },
      }),
    ).toEqual([{ path: "rule[0].filter", before: [], after: [{}] }]);
  });
});

describe("isPlaceholder", () => {
  it("recognises the prior state's placeholders and nothing else", () => {
    expect(isPlaceholder("offline:aws_sqs_queue.q/url")).toBe(true);
    expect(isPlaceholder("arn:aws:offline:eu-central-1:123456789012:aws_sqs_queue.q/arn")).toBe(true);
    expect(isPlaceholder("arn:aws:sqs:eu-central-1:123456789012:q")).toBe(false);
    expect(isPlaceholder(0)).toBe(false);
  });
});
