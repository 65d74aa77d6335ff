import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "@cdktf/hcl2json";
import { decodeJsonencode, isJsonencode } from "../../tooling/hcl-expression";
import { synthesizeHcl } from "../../review/synth-hcl";
import { escapeForPrinter, unwrapInterpolations } from "../../stacks/hcl";
import { inCi, runTerraform, terraformFor } from "../helpers/terraform";

const STACKS = [
  "account-eu-central-1",
  "auth-dev",
  "auth-prod",
  "auth-staging",
  "catalog-dev",
  "catalog-prod",
  "catalog-staging",
  "movies-dev",
  "movies-prod",
  "movies-staging",
  "notifications-dev",
  "notifications-prod",
  "notifications-staging",
  "orders-dev",
  "orders-prod",
  "orders-staging",
  "state-bootstrap",
];

/** What `npm run synth:hcl` writes (review/synth-hcl.ts), read back and checked by Terraform. */
describe("npm run synth:hcl", () => {
  const outdir = mkdtempSync(join(tmpdir(), "synth-hcl-"));
  const hcl = new Map<string, string>();
  const json = new Map<string, unknown>();

  beforeAll(async () => {
    const output = await synthesizeHcl(outdir, {});
    for (const stack of output.stacks) {
      hcl.set(stack.node.id, output.hcl.get(stack.node.id) ?? "");
      json.set(stack.node.id, stack.toTerraform());
    }
  }, 120_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("writes every stack", () => {
    expect([...hcl.keys()].sort()).toEqual(STACKS);
  });

  it.each(STACKS)(
    "%s: terraform fmt -check accepts it (it parses, and is formatted as Terraform would)",
    (stack) => {
      const terraform = terraformFor("the `terraform fmt -check` of the synthesized HCL");
      if (!terraform) return;
      const input = hcl.get(stack) ?? "";
      const check = runTerraform(terraform, ["fmt", "-check", "-no-color", "-"], { input });
      // `-check` on stdin prints nothing when the text is not formatted (exit 3): ask for the diff then.
      const said =
        check.status === 3 ? runTerraform(terraform, ["fmt", "-diff", "-no-color", "-"], { input }) : check;
      // On failure this shows the stack and Terraform's own words: the parse error, or the diff fmt wants.
      expect({ stack, status: check.status, terraform: `${said.stderr}${said.stdout}`.trim() }).toEqual({
        stack,
        status: 0,
        terraform: "",
      });
    },
  );

  it.each(STACKS)("%s: reads back as the configuration its cdk.tf.json holds", async (stack) => {
    const fromHcl = await parse(`${stack}/cdk.tf`, hcl.get(stack) ?? "");
    expect(comparable(fromHcl)).toEqual(comparable(json.get(stack)));
  });
});

/**
 * A configuration in one shape for both readings: cdktf's `//` metadata dropped, a list holding one
 * block (how hcl2json reads every block) as that block, `${jsonencode(...)}` as its decoded value
 * (hclwrite re-spaces the expression), and `depends_on` as plain addresses.
 */
function comparable(value: unknown, key?: string): unknown {
  if (isJsonencode(value)) return { jsonencode: decodeJsonencode(value) };
  // hcl2json reads an address of `depends_on` (written bare, as Terraform wants it) as `${address}`.
  if (key === "depends_on" && Array.isArray(value)) {
    return value.map((v) => (typeof v === "string" ? v.replace(/^\$\{(.*)\}$/, "$1") : v));
  }
  if (Array.isArray(value)) {
    return value.length === 1 && isRecord(value[0]) ? comparable(value[0]) : value.map((v) => comparable(v));
  }
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== "//")
        .map(([k, v]) => [k, comparable(v, k)]),
    );
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

describe("cdktf's HCL printer, worked around (stacks/hcl.ts)", () => {
  it("escapes backslashes and quotes of single-line strings only, and leaves tokens and heredocs alone", () => {
    expect(
      escapeForPrinter({
        template: 'replaceAll("\\\\\'","\'")',
        text: 'see "${TfToken[TOKEN.1]}"',
        lines: 'one "quoted"\nline',
        list: ['a"b'],
        count: 3,
      }),
    ).toEqual({
      template: 'replaceAll(\\"\\\\\\\\\'\\",\\"\'\\")',
      text: 'see \\"${TfToken[TOKEN.1]}\\"',
      lines: 'one "quoted"\nline',
      list: ['a\\"b'],
      count: 3,
    });
  });

  it("unwraps interpolation-only values as terraform fmt does, and nothing else", () => {
    const before = [
      'bucket = "${aws_s3_bucket.b.id}"',
      '  "application/json" = "${jsonencode({"a" = "}\\""})}"',
      'name = "${var.a}-${var.b}"',
      'arn = "arn:${var.partition}"',
      'policy = "${aws_x.y.json}" ',
      "description = <<EOF",
      'x = "${not.an.attribute}"',
      "EOF",
      'after = "${aws_x.y.id}"',
    ].join("\n");
    expect(unwrapInterpolations(before).split("\n")).toEqual([
      "bucket = aws_s3_bucket.b.id",
      '  "application/json" = jsonencode({"a" = "}\\""})',
      'name = "${var.a}-${var.b}"',
      'arn = "arn:${var.partition}"',
      "policy = aws_x.y.json",
      "description = <<EOF",
      'x = "${not.an.attribute}"',
      "EOF",
      "after = aws_x.y.id",
    ]);
  });

  it("writes depends_on addresses bare, as Terraform wants them, and only those", () => {
    const before = [
      "  depends_on = [",
      '    "aws_iam_role_policy_attachment.a",',
      '    "data.aws_iam_policy_document.b"',
      "  ]",
      '  tags = ["aws_x.y"]',
    ].join("\n");
    expect(unwrapInterpolations(before).split("\n")).toEqual([
      "  depends_on = [",
      "    aws_iam_role_policy_attachment.a,",
      "    data.aws_iam_policy_document.b",
      "  ]",
      '  tags = ["aws_x.y"]',
    ]);
  });
});

describe("terraformFor", () => {
  const nowhere = { PATH: "/nonexistent" };

  it("skips a check without Terraform, and says so once", () => {
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      expect(terraformFor("a probe check", nowhere)).toBeUndefined();
      expect(terraformFor("a probe check", nowhere)).toBeUndefined();
      expect(warn.mock.calls).toEqual([
        [
          "The Terraform checks were skipped (a probe check): no Terraform CLI found (set TERRAFORM_BINARY, or put terraform on the PATH)",
        ],
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it("fails the check in CI instead", () => {
    expect(() => terraformFor("a probe check", { ...nowhere, CI: "true" })).toThrow(
      "a probe check needs Terraform in CI (CI=true): no Terraform CLI found",
    );
    expect(inCi({ CI: "false" })).toBe(false);
    expect(inCi({})).toBe(false);
  });
});
