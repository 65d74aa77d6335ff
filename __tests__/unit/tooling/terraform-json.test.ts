import {
  nestedBlocks,
  addressesOf,
  parseReference,
  referenceOf,
  templateParts,
  referencesIn,
  refersTo,
  resourceAddresses,
  type TerraformJson,
} from "../../../tooling/terraform-json";

describe("references", () => {
  it("parses a resource or data source attribute, and nothing else", () => {
    expect(parseReference("aws_s3_bucket.b.bucket")).toEqual({
      address: "aws_s3_bucket.b",
      data: false,
      type: "aws_s3_bucket",
      name: "b",
      attribute: "bucket",
    });
    expect(parseReference("data.aws_caller_identity.current.account_id")).toEqual({
      address: "data.aws_caller_identity.current",
      data: true,
      type: "aws_caller_identity",
      name: "current",
      attribute: "account_id",
    });
    expect(parseReference("jsonencode({a = 1})")).toBeUndefined();
    expect(parseReference("aws_s3_bucket.b")).toBeUndefined();
  });

  it("takes a whole value as a reference only when it is exactly one interpolation", () => {
    expect(referenceOf("${aws_api_gateway_rest_api.api.id}")?.address).toBe("aws_api_gateway_rest_api.api");
    expect(referenceOf("${aws_api_gateway_rest_api.api.id}/x")).toBeUndefined();
    expect(referenceOf("literal")).toBeUndefined();
    expect(referenceOf(42)).toBeUndefined();
  });

  it("splits a template of plain references into text and references, and takes nothing else", () => {
    const bucket = parseReference("aws_s3_bucket.b.arn");
    const api = parseReference("aws_api_gateway_rest_api.api.execution_arn");
    expect(templateParts("${aws_s3_bucket.b.arn}")).toEqual([bucket]);
    expect(templateParts("arn:${aws_s3_bucket.b.arn}/uploads")).toEqual(["arn:", bucket, "/uploads"]);
    expect(templateParts("${aws_api_gateway_rest_api.api.execution_arn}${aws_s3_bucket.b.arn}")).toEqual([
      api,
      bucket,
    ]);
    expect(templateParts("literal")).toBeUndefined();
    expect(templateParts("${upper(aws_s3_bucket.b.arn)}")).toBeUndefined();
    expect(templateParts("$${aws_s3_bucket.b.arn}")).toBeUndefined();
    expect(templateParts("%{if true}${aws_s3_bucket.b.arn}%{endif}")).toBeUndefined();
    // A reference inside the string of a larger expression is that expression's, not the template's.
    expect(templateParts('${jsonencode({"a" = "${aws_s3_bucket.b.arn}"})}')).toBeUndefined();
    expect(templateParts(42)).toBeUndefined();
  });

  it("finds every reference inside interpolations, deeply, and none in literals or escapes", () => {
    const value = {
      a: ["${aws_s3_bucket.b.arn}/*", "$${aws_s3_bucket.escaped.arn}"],
      b: "aws_s3_bucket.literal.arn",
    };
    expect(referencesIn(value).map((r) => r.address)).toEqual(["aws_s3_bucket.b"]);
    expect(
      referencesIn('${join(",", [aws_sqs_queue.q.arn, data.aws_region.r.region])}').map((r) => r.address),
    ).toEqual(["aws_sqs_queue.q", "data.aws_region.r"]);
  });

  it.each([
    ["${aws_s3_bucket.b.id}", "aws_s3_bucket.b", true],
    ["${aws_s3_bucket.b.arn}/*", "aws_s3_bucket.b", true],
    ["${aws_s3_bucket.bb.id}", "aws_s3_bucket.b", false],
    ["aws_s3_bucket.b", "aws_s3_bucket.b", false],
    [["${data.aws_iam_policy_document.d.json}"], "data.aws_iam_policy_document.d", true],
    ["${data.aws_iam_policy_document.d.json}", "aws_iam_policy_document.d", false],
    [{ policy: "${data.aws_iam_policy_document.d.json}" }, "data.aws_iam_policy_document.d", true],
    ['${jsonencode({"a" = {"b" = 1}, "c" = [aws_s3_bucket.b.arn]})}', "aws_s3_bucket.b", true],
    ['${jsonencode({"a" = {"b" = 1}, "c" = "${aws_s3_bucket.b.arn}/*"})}', "aws_s3_bucket.b", true],
    ['${jsonencode({"a" = {"b" = 1}, "c" = aws_s3_bucket.bb.arn})}', "aws_s3_bucket.b", false],
  ])("refersTo(%p, %p) is %p", (value, address, expected) => {
    expect(refersTo(value, address)).toBe(expected);
  });
});

describe("addresses", () => {
  const json: TerraformJson = {
    "//": { metadata: {} },
    resource: { aws_s3_bucket: { b: { bucket: "x" } } },
    data: { aws_region: { r: {} } },
    output: { url: { value: "u" } },
    variable: { v: { type: "string" } },
    module: { m: { source: "./m" } },
    provider: { aws: [{ region: "eu-central-1" }] },
    terraform: { backend: {} },
  };

  it("maps every address of a stack to its configuration", () => {
    expect([...addressesOf(json)]).toEqual([
      ["aws_s3_bucket.b", { bucket: "x" }],
      ["data.aws_region.r", {}],
      ["output.url", { value: "u" }],
      ["var.v", { type: "string" }],
      ["module.m", { source: "./m" }],
      ["provider.aws", [{ region: "eu-central-1" }]],
      ["terraform", { backend: {} }],
    ]);
  });

  it("lists the resources and data sources, sorted", () => {
    expect(resourceAddresses(json)).toEqual(["aws_s3_bucket.b", "data.aws_region.r"]);
  });
});

describe("nested blocks", () => {
  it("reads a block written as one object or as a list, and nothing else", () => {
    expect(nestedBlocks({ effect: "Allow" })).toEqual([{ effect: "Allow" }]);
    expect(nestedBlocks([{ effect: "Allow" }, { effect: "Deny" }])).toEqual([
      { effect: "Allow" },
      { effect: "Deny" },
    ]);
    expect(nestedBlocks(undefined)).toEqual([]);
    expect(nestedBlocks("${aws_x.y.z}")).toEqual([]);
  });
});
