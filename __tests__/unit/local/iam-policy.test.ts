import {
  accessDeniedMessage,
  evaluate,
  statementMatches,
  wildcardMatch,
  type NamedPolicy,
} from "../../../local/iam-policy";

const TABLE = "arn:aws:dynamodb:eu-central-1:000000000000:table/orders-dev";
const policy = (...Statement: NamedPolicy["document"]["Statement"][]): NamedPolicy[] => [
  { source: "aws_iam_policy.p", document: { Version: "2012-10-17", Statement: Statement.flat() } },
];

describe("wildcardMatch", () => {
  it("reads * as any run and ? as one character, everything else literally", () => {
    expect(wildcardMatch("arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b.csv")).toBe(true);
    expect(wildcardMatch("arn:aws:s3:::b/*", "arn:aws:s3:::b")).toBe(false);
    expect(wildcardMatch("table/order?-dev", "table/orders-dev")).toBe(true);
    expect(wildcardMatch("table/order?-dev", "table/order-dev")).toBe(false);
    expect(wildcardMatch("a.b", "aXb")).toBe(false);
    expect(wildcardMatch("dynamodb:get*", "dynamodb:GetItem", true)).toBe(true);
    expect(wildcardMatch("arn:aws:s3:::B/*", "arn:aws:s3:::b/x")).toBe(false);
  });
});

describe("evaluate: identity-based policies as AWS evaluates them", () => {
  it("allows what a statement allows, and nothing else (implicit deny)", () => {
    const policies = policy({
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem"],
      Resource: TABLE,
    });
    expect(evaluate(policies, "dynamodb:PutItem", TABLE)).toEqual({
      effect: "allow",
      statement: "aws_iam_policy.p statement 0",
    });
    expect(evaluate(policies, "dynamodb:DeleteItem", TABLE)).toEqual({ effect: "implicit-deny" });
    expect(evaluate(policies, "dynamodb:GetItem", `${TABLE}-2`)).toEqual({ effect: "implicit-deny" });
    // Action names are case-insensitive, resource ARNs are not.
    expect(evaluate(policies, "DynamoDB:getitem", TABLE).effect).toBe("allow");
  });

  it("lets an explicit Deny win over any Allow, in any order", () => {
    const policies = policy(
      { Sid: "Everything", Effect: "Allow", Action: "dynamodb:*", Resource: "*" },
      { Sid: "NoDeletes", Effect: "Deny", Action: "dynamodb:Delete*", Resource: TABLE },
    );
    expect(evaluate(policies, "dynamodb:DeleteItem", TABLE)).toEqual({
      effect: "explicit-deny",
      statement: "aws_iam_policy.p (NoDeletes)",
    });
    expect(evaluate(policies, "dynamodb:PutItem", TABLE).effect).toBe("allow");
  });

  it("reads NotAction and NotResource as everything but", () => {
    const policies = policy({
      Effect: "Allow",
      NotAction: "s3:Delete*",
      NotResource: "arn:aws:s3:::secret/*",
    });
    expect(evaluate(policies, "s3:GetObject", "arn:aws:s3:::b/k").effect).toBe("allow");
    expect(evaluate(policies, "s3:DeleteObject", "arn:aws:s3:::b/k").effect).toBe("implicit-deny");
    expect(evaluate(policies, "s3:GetObject", "arn:aws:s3:::secret/k").effect).toBe("implicit-deny");
  });

  it("applies a statement only when its conditions hold", () => {
    const statement = {
      Effect: "Allow" as const,
      Action: "s3:GetObject",
      Resource: "*",
      Condition: { Bool: { "aws:SecureTransport": "true" }, StringLike: { "aws:RequestedRegion": "eu-*" } },
    };
    expect(
      statementMatches(statement, "s3:GetObject", "x", {
        "aws:securetransport": "true",
        "aws:RequestedRegion": "eu-central-1",
      }),
    ).toBe(true);
    expect(
      statementMatches(statement, "s3:GetObject", "x", {
        "aws:SecureTransport": "false",
        "aws:RequestedRegion": "eu-central-1",
      }),
    ).toBe(false);
    // A key the request does not carry fails the condition, unless ...IfExists or Null says otherwise.
    expect(statementMatches(statement, "s3:GetObject", "x", { "aws:SecureTransport": "true" })).toBe(false);
    const ifExists = { ...statement, Condition: { StringEqualsIfExists: { "s3:prefix": "a/" } } };
    expect(statementMatches(ifExists, "s3:GetObject", "x", {})).toBe(true);
    const isNull = { ...statement, Condition: { Null: { "s3:prefix": "true" } } };
    expect(statementMatches(isNull, "s3:GetObject", "x", {})).toBe(true);
    const not = {
      ...statement,
      Condition: { StringNotEquals: { "aws:RequestedRegion": ["us-east-1", "us-west-2"] } },
    };
    expect(statementMatches(not, "s3:GetObject", "x", { "aws:RequestedRegion": "us-east-1" })).toBe(false);
    expect(statementMatches(not, "s3:GetObject", "x", { "aws:RequestedRegion": "eu-central-1" })).toBe(true);
    const unknown = { ...statement, Condition: { DateLessThan: { "aws:CurrentTime": "2030-01-01" } } };
    expect(() => statementMatches(unknown, "s3:GetObject", "x", { "aws:CurrentTime": "2025" })).toThrow(
      "condition operator DateLessThan is not evaluated locally",
    );
  });
});

describe("accessDeniedMessage: AWS's words", () => {
  const principal = "arn:aws:sts::000000000000:assumed-role/orders-dev/orders-dev";
  it("says no policy allows it, or that a Deny denied it; S3 quotes the resource", () => {
    expect(accessDeniedMessage(principal, "dynamodb:PutItem", TABLE, { effect: "implicit-deny" })).toBe(
      `User: ${principal} is not authorized to perform: dynamodb:PutItem on resource: ${TABLE} because no identity-based policy allows the dynamodb:PutItem action`,
    );
    expect(
      accessDeniedMessage(
        principal,
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        { effect: "explicit-deny", statement: "x" },
        true,
      ),
    ).toBe(
      `User: ${principal} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::b/k" with an explicit deny in an identity-based policy`,
    );
  });
});
