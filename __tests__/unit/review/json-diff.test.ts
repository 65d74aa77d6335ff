import { join } from "node:path";
import { diffStacks, formatPath, type StackDiff } from "../../../review/diff";
import { main } from "../../../review/plan-diff";
import { renderMarkdown, renderText } from "../../../review/render";
import { readSynthOutput } from "../../../review/synth-output";

const fixtures = join(__dirname, "..", "..", "fixtures", "plan-diff");
const before = () => readSynthOutput(join(fixtures, "before"));
const after = () => readSynthOutput(join(fixtures, "after"));

const EXPECTED_TEXT = `api-dev: 3 to add, 4 to change, 1 to remove
  + aws_s3_bucket.archive_bucket
  + data.aws_caller_identity.current
  + output.tls_key
  ~ aws_lambda_function.get_movie_lambda
      architectures[0]: "arm64" -> "x86_64"
      environment.variables.DB_PASSWORD: (sensitive value)
      environment.variables.DEBUG: (none) -> "1"
      environment.variables.TABLE: "movies-dev" -> "movies-v2-dev"
      memory_size: 256 -> 512
  ~ aws_s3_bucket_lifecycle_configuration.bucket_lifecycle
      rule[0].filter[0]: (none) -> {}
  ~ output.api_key
      value: (sensitive value)
  ~ provider.aws
      [0].default_tags[0].tags["managed-by"]: "cdktf" -> "terraform"
  - aws_dynamodb_table.legacy_table
jobs-dev: new stack, 2 to add, 0 to change, 0 to remove
  + aws_sqs_queue.jobs_queue
  + output.queue_url
legacy-dev: stack removed, 0 to add, 0 to change, 1 to remove
  - aws_sqs_queue.jobs_queue

3 of 3 stacks changed: 5 to add, 4 to change, 2 to remove.
`;

const EXPECTED_MARKDOWN = `### Plan diff: \`main\` → this change

| Stack | Add | Change | Remove |
| --- | --: | --: | --: |
| \`api-dev\` | 3 | 4 | 1 |
| \`jobs-dev\` (new) | 2 | 0 | 0 |
| \`legacy-dev\` (removed) | 0 | 0 | 1 |

3 of 3 stacks changed: 5 to add, 4 to change, 2 to remove.

<details><summary><code>api-dev</code>: 3 to add, 4 to change, 1 to remove</summary>

\`\`\`diff
+ aws_s3_bucket.archive_bucket
+ data.aws_caller_identity.current
+ output.tls_key
~ aws_lambda_function.get_movie_lambda
-     architectures[0] = "arm64"
+     architectures[0] = "x86_64"
~     environment.variables.DB_PASSWORD = (sensitive value)
+     environment.variables.DEBUG = "1"
-     environment.variables.TABLE = "movies-dev"
+     environment.variables.TABLE = "movies-v2-dev"
-     memory_size = 256
+     memory_size = 512
~ aws_s3_bucket_lifecycle_configuration.bucket_lifecycle
+     rule[0].filter[0] = {}
~ output.api_key
~     value = (sensitive value)
~ provider.aws
-     [0].default_tags[0].tags["managed-by"] = "cdktf"
+     [0].default_tags[0].tags["managed-by"] = "terraform"
- aws_dynamodb_table.legacy_table
\`\`\`

</details>

<details><summary><code>jobs-dev</code>: new stack, 2 to add, 0 to change, 0 to remove</summary>

\`\`\`diff
+ aws_sqs_queue.jobs_queue
+ output.queue_url
\`\`\`

</details>

<details><summary><code>legacy-dev</code>: stack removed, 0 to add, 0 to change, 1 to remove</summary>

\`\`\`diff
- aws_sqs_queue.jobs_queue
\`\`\`

</details>
`;

describe("diffStacks", () => {
  let diffs: StackDiff[];
  beforeAll(() => {
    diffs = diffStacks(before(), after());
  });

  it("lists every stack of either side, sorted, with its status", () => {
    expect(diffs.map((d) => [d.stack, d.status])).toEqual([
      ["api-dev", "changed"],
      ["jobs-dev", "added"],
      ["legacy-dev", "removed"],
    ]);
  });

  it("finds added, removed and changed addresses, and the nested attributes that changed", () => {
    const api = diffs[0] as StackDiff;
    expect(api.added).toEqual([
      "aws_s3_bucket.archive_bucket",
      "data.aws_caller_identity.current",
      "output.tls_key",
    ]);
    expect(api.removed).toEqual(["aws_dynamodb_table.legacy_table"]);
    expect(api.changed.find((c) => c.address === "aws_lambda_function.get_movie_lambda")?.attributes).toEqual(
      [
        { path: "architectures[0]", before: "arm64", after: "x86_64" },
        { path: "environment.variables.DB_PASSWORD", sensitive: true },
        { path: "environment.variables.DEBUG", after: "1" },
        { path: "environment.variables.TABLE", before: "movies-dev", after: "movies-v2-dev" },
        { path: "memory_size", before: 256, after: 512 },
      ],
    );
  });

  it("ignores cdktf's // metadata, at the top and inside resources", () => {
    const api = diffs[0] as StackDiff;
    expect(api.changed.map((c) => c.address)).not.toContain("//");
    for (const change of api.changed) {
      for (const attribute of change.attributes) expect(attribute.path).not.toContain("//");
    }
  });

  it("never carries a secret value, whatever the format", () => {
    const everything = JSON.stringify(diffs) + renderText(diffs) + renderMarkdown(diffs);
    expect(everything).not.toMatch(/hunter2|correct horse|PRIVATE KEY|key2/);
  });

  it("reports nothing for identical stacks", () => {
    expect(diffStacks(before(), before()).map((d) => d.status)).toEqual(["unchanged", "unchanged"]);
  });
});

describe("renderers", () => {
  it("prints the text report", () => {
    expect(renderText(diffStacks(before(), after()))).toBe(EXPECTED_TEXT);
  });

  it("prints the markdown report for a pull-request comment", () => {
    expect(renderMarkdown(diffStacks(before(), after()), { title: "Plan diff: `main` → this change" })).toBe(
      EXPECTED_MARKDOWN,
    );
  });

  it("says so when nothing changed", () => {
    expect(renderText(diffStacks(before(), before()))).toBe(
      "api-dev: no changes\nlegacy-dev: no changes\n\nNo changes in 2 stacks.\n",
    );
  });

  it("cuts long values and fences values that contain backticks", () => {
    const diffs = diffStacks(
      { s: { locals: { doc: "a".repeat(20) } } },
      { s: { locals: { doc: "```" + "b".repeat(20) } } },
    );
    expect(renderText(diffs, { maxValueLength: 10 })).toContain(
      'doc: "aaaaaaaaa… (12 more characters) -> "```bbbbbb… (15 more characters)',
    );
    expect(renderMarkdown(diffs)).toContain("````diff\n~ locals\n");
  });

  it("formats paths like HCL references", () => {
    expect(formatPath(["default_tags", 0, "tags", "managed-by"])).toBe('default_tags[0].tags["managed-by"]');
    expect(formatPath([0, "region"])).toBe("[0].region");
  });
});

describe("plan-diff CLI without Terraform", () => {
  let stdout: string;
  let stderr: string;
  const binary = process.env.TERRAFORM_BINARY;
  beforeEach(() => {
    stdout = "";
    stderr = "";
    // No terraform at that path: the CLI falls back to comparing the synthesized JSON.
    process.env.TERRAFORM_BINARY = "/nonexistent/terraform";
    jest.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
    jest.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    if (binary === undefined) delete process.env.TERRAFORM_BINARY;
    else process.env.TERRAFORM_BINARY = binary;
  });

  const FALLBACK =
    "plan-diff: Terraform is unavailable (terraform was not found on PATH (or TERRAFORM_BINARY): install " +
    "Terraform >= 1.10 to run the Terraform checks); falling back to comparing the synthesized JSON, which " +
    "cannot tell an update in place from a replacement.";

  it("says so in its first line, then compares two existing output folders without synthesizing", async () => {
    const code = await main([
      "--before",
      join(fixtures, "before"),
      "--after",
      join(fixtures, "after"),
      "--format",
      "markdown",
      "--title",
      "Plan diff: `main` → this change",
    ]);
    expect(code).toBe(0);
    expect(stdout).toBe(`> ${FALLBACK}\n\n${EXPECTED_MARKDOWN}`);
  });

  it("prints the text report after the same first line", async () => {
    await main(["--before", join(fixtures, "before"), "--after", join(fixtures, "after")]);
    expect(stdout).toBe(`${FALLBACK}\n${EXPECTED_TEXT}`);
  });

  it("writes the diff as JSON for scripts, naming the engine and why", async () => {
    await main([
      "--before",
      join(fixtures, "before"),
      "--after",
      join(fixtures, "after"),
      "--format",
      "json",
    ]);
    expect(JSON.parse(stdout)).toEqual({
      engine: "json-diff",
      reason: expect.stringContaining("terraform was not found"),
      stacks: JSON.parse(JSON.stringify(diffStacks(before(), after()))),
    });
  });

  it("prints its usage and fails without a ref, or with an unknown format", async () => {
    expect(await main([])).toBe(2);
    expect(await main(["main", "--format", "html"])).toBe(2);
    expect(stderr).toContain("Usage: npm run plan:diff -- <git-ref>");
    expect(stdout).toBe("");
  });
});
