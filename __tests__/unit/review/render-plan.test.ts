import type { PlannedChange, StackReview } from "../../../review/plan-review";
import { fence } from "../../../review/render";
import { formatAttribute, renderPlanMarkdown, renderPlanText, summary } from "../../../review/render-plan";

const ENGINE = "Terraform 1.11.4, hashicorp/aws 6.0.0 from the registry";

function planned(change: Partial<PlannedChange> & Pick<PlannedChange, "address" | "action" | "verdict">) {
  return {
    type: change.address.replace(/^data\./, "").split(".")[0] ?? "",
    replacedBecause: [],
    attributes: [],
    dataLoss: false,
    ...change,
  } satisfies PlannedChange;
}

const unchanged: StackReview = {
  stack: "web-dev",
  status: "unchanged",
  counts: { add: 0, change: 0, destroy: 0 },
  reads: 0,
  changes: [],
  outputs: [],
  convergencePlans: 2,
};

/** One stack with each kind of change (already in plannedChanges' order), and one stack unchanged. */
const reviews: StackReview[] = [
  {
    stack: "api-dev",
    status: "changed",
    counts: { add: 2, change: 1, destroy: 2 },
    reads: 1,
    changes: [
      planned({
        address: "aws_dynamodb_table.movies",
        action: "replace",
        verdict: "must be replaced",
        replacedBecause: ["hash_key"],
        attributes: [
          { path: "hash_key", before: "movie_id", after: "id", forcesReplacement: true },
          { path: "stream_arn", unknown: true },
        ],
        dataLoss: true,
      }),
      planned({ address: "aws_iam_role_policy.legacy", action: "delete", verdict: "will be destroyed" }),
      planned({
        address: "aws_lambda_function.get_movie",
        action: "update",
        verdict: "will be updated in-place",
        attributes: [
          { path: "environment[0].variables.DB_PASSWORD", sensitive: true },
          { path: "memory_size", before: 256, after: 512 },
        ],
      }),
      planned({ address: "aws_s3_bucket.archive", action: "create", verdict: "will be created" }),
      planned({
        address: "data.aws_iam_policy_document.read",
        action: "read",
        verdict: "will be read during apply",
      }),
    ],
    outputs: [{ name: "table_arn", action: "update" }],
    convergencePlans: 3,
  },
  unchanged,
];

describe("renderPlanText", () => {
  it("prints data-loss risks first, then each stack like a compact terraform plan", () => {
    expect(renderPlanText(reviews, ENGINE)).toBe(`plan-diff: planned by ${ENGINE}

Data-loss risks:
  ! api-dev: aws_dynamodb_table.movies must be replaced (hash_key forces replacement)

api-dev: 2 to add, 1 to change, 2 to destroy; 1 data source read during apply; 1 output changed
  -/+ aws_dynamodb_table.movies must be replaced
        hash_key: "movie_id" -> "id"  # forces replacement
        stream_arn: (known after apply)
  - aws_iam_role_policy.legacy will be destroyed
  ~ aws_lambda_function.get_movie will be updated in-place
        environment[0].variables.DB_PASSWORD: (sensitive value)
        memory_size: 256 -> 512
  + aws_s3_bucket.archive will be created
  <= data.aws_iam_policy_document.read will be read during apply
  ~ output.table_arn
web-dev: no changes

1 of 2 stacks changed: 2 to add, 1 to change, 2 to destroy.
`);
  });

  it("has no risks section and says so when nothing changes", () => {
    expect(renderPlanText([unchanged], ENGINE)).toBe(`plan-diff: planned by ${ENGINE}

web-dev: no changes

No changes in 1 stack.
`);
  });
});

describe("renderPlanMarkdown", () => {
  it("is one comment: risks, a table of stacks, and a collapsed diff per changed stack", () => {
    expect(renderPlanMarkdown(reviews, { title: "Plan review: `main` → this change", engine: ENGINE }))
      .toBe(`### Plan review: \`main\` → this change

Planned by ${ENGINE}.

> [!CAUTION]
> **Data-loss risks**: these replace or destroy resources that hold data.
> - \`api-dev\`: \`aws_dynamodb_table.movies\` must be replaced (hash_key forces replacement)

| Stack | Add | Change | Destroy | Replace |
| --- | --: | --: | --: | --: |
| \`api-dev\` | 2 | 1 | 2 | 1 |
| \`web-dev\` | 0 | 0 | 0 | 0 |

1 of 2 stacks changed: 2 to add, 1 to change, 2 to destroy.

<details><summary><code>api-dev</code>: 2 to add, 1 to change, 2 to destroy; 1 data source read during apply; 1 output changed</summary>

\`\`\`diff
-/+ aws_dynamodb_table.movies must be replaced
-     hash_key = "movie_id"
+     hash_key = "id"  # forces replacement
+     stream_arn = (known after apply)
- aws_iam_role_policy.legacy will be destroyed
! ~ aws_lambda_function.get_movie will be updated in-place
!     environment[0].variables.DB_PASSWORD = (sensitive value)
-     memory_size = 256
+     memory_size = 512
+ aws_s3_bucket.archive will be created
! <= data.aws_iam_policy_document.read will be read during apply
~ output.table_arn
\`\`\`

</details>
`);
  });

  it("fences a diff whose values contain backticks with a longer fence", () => {
    const review: StackReview = {
      ...unchanged,
      stack: "docs-dev",
      status: "changed",
      counts: { add: 0, change: 1, destroy: 0 },
      changes: [
        planned({
          address: "aws_ssm_parameter.readme",
          action: "update",
          verdict: "will be updated in-place",
          attributes: [{ path: "value", before: "old", after: "```sh\nnpm start\n```" }],
        }),
      ],
    };
    const markdown = renderPlanMarkdown([review], { title: "Plan review", engine: ENGINE });
    expect(markdown.slice(markdown.indexOf("<details>")))
      .toBe(`<details><summary><code>docs-dev</code>: 0 to add, 1 to change, 0 to destroy</summary>

\`\`\`\`diff
! ~ aws_ssm_parameter.readme will be updated in-place
-     value = "old"
+     value = "\`\`\`sh\\nnpm start\\n\`\`\`"
\`\`\`\`

</details>
`);
  });
});

describe("formatAttribute", () => {
  it.each([
    [{ path: "memory_size", before: 256, after: 512 }, "memory_size: 256 -> 512"],
    [{ path: "description", after: "movies" }, 'description: null -> "movies"'],
    [{ path: "description", before: "movies" }, 'description: "movies" -> null'],
    [
      { path: "hash_key", before: "a", after: "b", forcesReplacement: true as const },
      'hash_key: "a" -> "b"  # forces replacement',
    ],
    [{ path: "arn", unknown: true as const }, "arn: (known after apply)"],
    [
      { path: "name", unknown: true as const, forcesReplacement: true as const },
      "name: (known after apply)  # forces replacement",
    ],
    [{ path: "secret_key", sensitive: true as const }, "secret_key: (sensitive value)"],
    [
      { path: "policy → Statement[0].Resource", before: ["a"], after: ["a", "b"] },
      'policy → Statement[0].Resource: ["a"] -> ["a","b"]',
    ],
  ])("formats %j as %s", (attribute, expected) => {
    expect(formatAttribute(attribute)).toBe(expected);
  });
});

describe("summary", () => {
  const base: StackReview = { ...unchanged, status: "changed", counts: { add: 1, change: 0, destroy: 0 } };

  it.each([
    ["an unchanged stack", unchanged, "no changes"],
    ["a changed stack", base, "1 to add, 0 to change, 0 to destroy"],
    ["a new stack", { ...base, status: "added" as const }, "new stack, 1 to add, 0 to change, 0 to destroy"],
    [
      "a removed stack",
      { ...base, status: "removed" as const, counts: { add: 0, change: 0, destroy: 3 } },
      "stack removed, 0 to add, 0 to change, 3 to destroy",
    ],
    [
      "reads and outputs, plural",
      {
        ...base,
        reads: 2,
        outputs: [
          { name: "a", action: "create" as const },
          { name: "b", action: "delete" as const },
        ],
      },
      "1 to add, 0 to change, 0 to destroy; 2 data sources read during apply; 2 outputs changed",
    ],
  ])("words %s as Terraform counts it", (_, review, expected) => {
    expect(summary(review)).toBe(expected);
  });
});

describe("fence", () => {
  it("is three backticks, or one more than the longest run of backticks in the body", () => {
    expect(fence("no ticks")).toBe("```");
    expect(fence("inline `code` only")).toBe("```");
    expect(fence("```sh\nls\n```")).toBe("````");
    expect(fence("a ````` b")).toBe("``````");
  });
});

describe("replacements that create first", () => {
  it("print Terraform's +/- instead of -/+", () => {
    const review: StackReview = {
      ...unchanged,
      status: "changed",
      counts: { add: 1, change: 0, destroy: 1 },
      changes: [
        planned({
          address: "aws_lambda_function.f",
          action: "replace",
          verdict: "must be replaced",
          createBeforeDestroy: true,
        }),
      ],
    };
    expect(renderPlanText([review], ENGINE)).toContain("\n  +/- aws_lambda_function.f must be replaced\n");
    expect(renderPlanMarkdown([review], { title: "t", engine: ENGINE })).toContain(
      "\n+/- aws_lambda_function.f must be replaced\n",
    );
  });
});

describe("a plan Terraform refuses (prevent_destroy)", () => {
  const refused: StackReview = {
    ...unchanged,
    stack: "api-prod",
    status: "changed",
    counts: { add: 1, change: 0, destroy: 1 },
    changes: [
      planned({
        address: "aws_dynamodb_table.movies",
        action: "replace",
        verdict: "must be replaced",
        replacedBecause: ["hash_key"],
        dataLoss: true,
      }),
    ],
    refusedBy: ["aws_dynamodb_table.movies"],
  };
  const SAYS =
    "Terraform refuses this plan: aws_dynamodb_table.movies has lifecycle.prevent_destroy, so cdktf deploy would " +
    "stop before applying anything. Below: what the plan does without that guard.";

  it("says so in the risks and above the stack's changes (text)", () => {
    const text = renderPlanText([refused], ENGINE);
    expect(text).toContain(
      "  ! api-prod: aws_dynamodb_table.movies must be replaced (hash_key forces replacement); refused: prevent_destroy\n",
    );
    expect(text).toContain(
      `api-prod: 1 to add, 0 to change, 1 to destroy\n  ! ${SAYS}\n  -/+ aws_dynamodb_table.movies`,
    );
  });

  it("says so in the table and above the stack's diff (markdown)", () => {
    const markdown = renderPlanMarkdown([refused], { title: "t", engine: ENGINE });
    expect(markdown).toContain("| `api-prod` (refused: prevent_destroy) | 1 | 0 | 1 | 1 |");
    expect(markdown).toContain(`> [!WARNING]\n> \`api-prod\`: ${SAYS}\n\n<details>`);
  });
});
