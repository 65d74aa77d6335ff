import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing, TerraformStack } from "cdktf";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import {
  decodeJsonencode,
  interpolationEnd,
  isJsonencode,
  terraformJsonString,
} from "../../../../tooling/hcl-expression";
import { jsonencode } from "../../../../constructs/core/jsonencode";
import { synthesize } from "../../../helpers/synth";
import { runTerraform, terraformFor } from "../../../helpers/terraform";

/** Strings that need escaping somewhere between TypeScript, cdktf's printer, HCL and JSON. */
const LITERALS = {
  quotes: 'see "Operating the service"',
  backslashes: 'replaceAll("\\\\\'","\'") and C:\\temp\\',
  lines: "one\ntwo\r\nthree\tfour",
  controls: "\b\f\u0001\u007f",
  separators: "\u2028\u2029",
  dollar: "${not.a.reference} costs $5",
  percent: "%{if x}100%",
  markup: "<b> & </b>",
  unicode: "é ✓ 🎬",
  'key with "quotes" and \\': "value",
  $schema: "draft-04",
  "${key}": "%{key}",
  empty: "",
};

/** A queue whose redrive_policy is `jsonencode(build(dlq))`, synthesized; returns that attribute. */
function synthesizedPolicy(build: (dlq: SqsQueue) => unknown): string {
  const stack = new TerraformStack(Testing.app(), "test");
  const dlq = new SqsQueue(stack, "dlq", { name: "dlq" });
  new SqsQueue(stack, "queue", { name: "queue", redrivePolicy: jsonencode(build(dlq)) });
  return synthesize(stack).resource.aws_sqs_queue?.queue?.redrive_policy as string;
}

describe("jsonencode", () => {
  it("writes Terraform's jsonencode with references bare, as an HCL author would", () => {
    const policy = synthesizedPolicy((dlq) => ({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }));
    expect(policy).toBe(
      '${jsonencode({"deadLetterTargetArn" = aws_sqs_queue.dlq.arn, "maxReceiveCount" = 5})}',
    );
    expect(decodeJsonencode(policy)).toEqual({
      deadLetterTargetArn: "${aws_sqs_queue.dlq.arn}",
      maxReceiveCount: 5,
    });
  });

  it("keeps every string literal exact: quotes, backslashes, control characters, template sequences", () => {
    const decoded = decodeJsonencode(synthesizedPolicy(() => LITERALS));
    // Literal `${` and `%{` come back in template form, as in every other string of cdk.tf.json.
    expect(decoded).toEqual({
      ...LITERALS,
      dollar: "$${not.a.reference} costs $5",
      percent: "%%{if x}100%",
      "${key}": "%%{key}",
    });
  });

  it("is read by Terraform as exactly those literals (terraform console)", () => {
    const terraform = terraformFor("the `terraform console` check of jsonencode's escaping");
    if (!terraform) return;
    // base64 so the console prints plain ASCII: it quotes strings its own way (`\x7f`, ...).
    const expression = `base64encode(${synthesizedPolicy(() => LITERALS).slice(2, -1)})`;
    const cwd = mkdtempSync(join(tmpdir(), "jsonencode-console-"));
    try {
      const result = runTerraform(terraform, ["console"], { input: `${expression}\n`, cwd });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
      const json = Buffer.from(JSON.parse(result.stdout) as string, "base64").toString("utf8");
      expect(JSON.parse(json)).toEqual(LITERALS);
      expect(json).toBe(terraformJsonString(LITERALS));
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it("keeps references inside strings as interpolations, and nests objects and arrays", () => {
    const decoded = decodeJsonencode(
      synthesizedPolicy((dlq) => ({
        title: `Queue ${dlq.name}: "depth"`,
        arns: [dlq.arn, `${dlq.arn}:*`],
        nested: { list: [[1, -1.5, 0], { yes: true, no: false, none: null }], skipped: undefined },
      })),
    );
    expect(decoded).toEqual({
      title: 'Queue ${aws_sqs_queue.dlq.name}: "depth"',
      arns: ["${aws_sqs_queue.dlq.arn}", "${aws_sqs_queue.dlq.arn}:*"],
      nested: { list: [[1, -1.5, 0], { yes: true, no: false, none: null }] },
    });
  });

  it("refuses what cdktf cannot write: a token as a key, null in an array", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    const dlq = new SqsQueue(stack, "dlq", { name: "dlq" });
    expect(() => jsonencode({ [dlq.name]: 1 })).toThrow(/object key .* holds a Terraform token/);
    expect(() => jsonencode({ list: ["x", null] })).toThrow(/array holds null or undefined/);
  });
});

describe("decodeJsonencode", () => {
  it("reads hand-written HCL too: bare keys, colons, newlines, trailing commas, any expression", () => {
    const value = [
      "${jsonencode({",
      '  Version = "2012-10-17"',
      '  "Statement": [',
      '    { Effect = "Allow", Action = ["s3:GetObject",], Resource = "${aws_s3_bucket.b.arn}/*" },',
      "  ]",
      '  Merged = merge(var.tags, { "a}" = "b)" })',
      "  Count = 5 + var.n",
      '  Flag = var.on ? "yes" : "no"',
      "  Item = aws_instance.x[0].id",
      "})}",
    ].join("\n");
    expect(decodeJsonencode(value)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "${aws_s3_bucket.b.arn}/*" }],
      Merged: '${merge(var.tags, { "a}" = "b)" })}',
      Count: "${5 + var.n}",
      Flag: '${var.on ? "yes" : "no"}',
      Item: "${aws_instance.x[0].id}",
    });
  });

  it("decodes \\u and \\U escapes, and reads a top-level reference or literal", () => {
    expect(decodeJsonencode('${jsonencode(["\\u00e9", "\\U0001F3AC"])}')).toEqual(["é", "🎬"]);
    expect(decodeJsonencode("${jsonencode(aws_sqs_queue.q.arn)}")).toBe("${aws_sqs_queue.q.arn}");
    expect(decodeJsonencode("${jsonencode(null)}")).toBeNull();
  });

  it("tells what it is and is not", () => {
    expect(isJsonencode('${jsonencode({"a" = 1})}')).toBe(true);
    expect(isJsonencode('{"a":1}')).toBe(false);
    expect(isJsonencode("${sha1(jsonencode([1]))}")).toBe(false);
    expect(isJsonencode(5)).toBe(false);
    expect(() => decodeJsonencode('{"a":1}')).toThrow("Not a ${jsonencode(...)} expression");
  });

  it("fails on malformed input, naming the place", () => {
    expect(() => decodeJsonencode('${jsonencode({"a" = "open)}')).toThrow(/unterminated string/);
    expect(() => decodeJsonencode('${jsonencode({"a" 1})}')).toThrow(/expected "=" after key "a"/);
    expect(() => decodeJsonencode('${jsonencode({"${x}" = 1})}')).toThrow(/key holds an interpolation/);
    expect(() => decodeJsonencode('${jsonencode({"a" = "\\q"})}')).toThrow(/unknown escape \\q/);
    expect(() => decodeJsonencode('${jsonencode({"a" = 1}))}')).toThrow(/expected "\)\}" at the end/);
  });
});

describe("interpolationEnd", () => {
  it("matches braces, ignoring those inside quoted strings", () => {
    const text = 'x ${jsonencode({"a" = "}", "b" = {"c" = "${d}"}})} y';
    expect(text.slice(interpolationEnd(text, 2) + 1)).toBe(" y");
    expect(interpolationEnd("${open", 0)).toBe(-1);
  });
});

describe("terraformJsonString", () => {
  it("encodes as Terraform does: keys sorted, no spaces, <, > and & escaped", () => {
    expect(terraformJsonString({ b: [2, { z: 1, a: "<&>" }], a: null })).toBe(
      '{"a":null,"b":[2,{"a":"\\u003c\\u0026\\u003e","z":1}]}',
    );
  });
});
