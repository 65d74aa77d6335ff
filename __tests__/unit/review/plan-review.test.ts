import {
  countChanges,
  plannedChanges,
  preventDestroyRefusals,
  withoutPreventDestroy,
} from "../../../review/plan-review";
import type { PlanJson, ResourceChange } from "../../../review/terraform";

function resource(
  address: string,
  actions: ResourceChange["change"]["actions"],
  values: Partial<ResourceChange["change"]> = {},
): ResourceChange {
  const data = address.startsWith("data.");
  const [type, name] = address.replace(/^data\./, "").split(".") as [string, string];
  return {
    address,
    mode: data ? "data" : "managed",
    type,
    name,
    change: { actions, before: null, after: null, ...values },
  };
}

const planOf = (...changes: ResourceChange[]): PlanJson => ({
  format_version: "1.2",
  terraform_version: "1.11.4",
  resource_changes: changes,
});

describe("plannedChanges and countChanges", () => {
  it.each([[["delete", "create"] as const], [["create", "delete"] as const]])(
    "%j is a replacement: 1 to add, 1 to destroy",
    (actions) => {
      const changes = plannedChanges(planOf(resource("aws_lambda_function.f", [...actions])));
      expect(changes.map((c) => c.action)).toEqual(["replace"]);
      expect(countChanges(changes)).toEqual({ add: 1, change: 0, destroy: 1 });
    },
  );

  it("marks a replacement that creates before it destroys (create_before_destroy), and only that one", () => {
    const first = plannedChanges(planOf(resource("aws_lambda_function.f", ["create", "delete"])));
    const last = plannedChanges(planOf(resource("aws_lambda_function.f", ["delete", "create"])));
    expect(first[0]?.createBeforeDestroy).toBe(true);
    expect(last[0]).not.toHaveProperty("createBeforeDestroy");
  });

  it.each([
    ["create", { add: 1, change: 0, destroy: 0 }],
    ["update", { add: 0, change: 1, destroy: 0 }],
    ["delete", { add: 0, change: 0, destroy: 1 }],
  ] as const)("%s counts as Terraform counts it: %j", (action, counts) => {
    const changes = plannedChanges(planOf(resource("aws_lambda_function.f", [action])));
    expect(changes.map((c) => c.action)).toEqual([action]);
    expect(countChanges(changes)).toEqual(counts);
  });

  it("lists data-source reads but does not count them", () => {
    const changes = plannedChanges(planOf(resource("data.aws_iam_policy_document.p", ["read"])));
    expect(changes).toEqual([
      {
        address: "data.aws_iam_policy_document.p",
        type: "aws_iam_policy_document",
        action: "read",
        verdict: "will be read during apply",
        replacedBecause: [],
        attributes: [],
        dataLoss: false,
      },
    ]);
    expect(countChanges(changes)).toEqual({ add: 0, change: 0, destroy: 0 });
  });

  it("leaves out no-op resources", () => {
    expect(plannedChanges(planOf(resource("aws_iam_role.r", ["no-op"])))).toEqual([]);
  });
});

describe("plannedChanges", () => {
  it("takes Terraform's verdicts from the plan text, else its usual words", () => {
    const plan = planOf(
      resource("aws_lambda_function.f", ["delete", "create"]),
      resource("aws_sqs_queue.q", ["delete"]),
      resource("aws_iam_role.r", ["update"]),
      resource("aws_s3_bucket.b", ["create"]),
    );
    const text = [
      "Terraform will perform the following actions:",
      "",
      "  # aws_lambda_function.f will be replaced due to changes in replace_triggered_by",
      '-/+ resource "aws_lambda_function" "f" {',
      "        # (12 unchanged attributes hidden)",
      "    }",
      "",
      "  # aws_sqs_queue.q will be destroyed",
      "  # (because aws_sqs_queue.q is not in configuration)",
      '  - resource "aws_sqs_queue" "q" {',
      "    }",
      "",
      "Plan: 2 to add, 0 to change, 2 to destroy.",
    ].join("\n");
    expect(plannedChanges(plan, text).map((c) => [c.address, c.verdict])).toEqual([
      ["aws_sqs_queue.q", "will be destroyed"],
      ["aws_lambda_function.f", "will be replaced due to changes in replace_triggered_by"],
      ["aws_iam_role.r", "will be updated in-place"],
      ["aws_s3_bucket.b", "will be created"],
    ]);
  });

  it("names the attributes that force a replacement and describes updates and replacements only", () => {
    const plan = planOf(
      resource("aws_dynamodb_table.t", ["delete", "create"], {
        before: { hash_key: "movie_id", name: "movies" },
        after: { hash_key: "id", name: "movies" },
        replace_paths: [["hash_key"], ["attribute", 0, "name"]],
      }),
      resource("aws_s3_bucket.b", ["create"], { after: { bucket: "archive" } }),
    );
    expect(plannedChanges(plan).map((c) => [c.address, c.replacedBecause, c.attributes])).toEqual([
      [
        "aws_dynamodb_table.t",
        ["hash_key", "attribute[0].name"],
        [{ path: "hash_key", before: "movie_id", after: "id", forcesReplacement: true }],
      ],
      ["aws_s3_bucket.b", [], []],
    ]);
  });

  it.each([
    "aws_dynamodb_table",
    "aws_s3_bucket",
    "aws_kms_key",
    "aws_cloudwatch_log_group",
    "aws_sqs_queue",
    "aws_sns_topic",
  ])("flags %s replaced or destroyed as a data-loss risk, not updated", (type) => {
    const plan = planOf(
      resource(`${type}.replaced`, ["delete", "create"]),
      resource(`${type}.destroyed`, ["delete"]),
      resource(`${type}.updated`, ["update"]),
      resource(`${type}.created`, ["create"]),
      resource(`data.${type}.read`, ["read"]),
    );
    expect(Object.fromEntries(plannedChanges(plan).map((c) => [c.address, c.dataLoss]))).toEqual({
      [`${type}.replaced`]: true,
      [`${type}.destroyed`]: true,
      [`${type}.updated`]: false,
      [`${type}.created`]: false,
      [`data.${type}.read`]: false,
    });
  });

  it("does not flag a stateless resource replaced or destroyed", () => {
    const plan = planOf(
      resource("aws_lambda_function.f", ["delete", "create"]),
      resource("aws_iam_role.r", ["delete"]),
    );
    expect(plannedChanges(plan).map((c) => c.dataLoss)).toEqual([false, false]);
  });

  it("sorts data-loss risks first, then replace, delete, update, create, read, by address within each", () => {
    const plan = planOf(
      resource("data.aws_caller_identity.current", ["read"]),
      resource("aws_s3_bucket.b", ["create"]),
      resource("aws_lambda_function.b", ["update"]),
      resource("aws_lambda_function.a", ["update"]),
      resource("aws_iam_role.r", ["delete"]),
      resource("aws_lambda_function.f", ["create", "delete"]),
      resource("aws_sqs_queue.q", ["delete"]),
      resource("aws_dynamodb_table.t", ["delete", "create"]),
    );
    expect(plannedChanges(plan).map((c) => `${c.action} ${c.address}`)).toEqual([
      "replace aws_dynamodb_table.t",
      "delete aws_sqs_queue.q",
      "replace aws_lambda_function.f",
      "delete aws_iam_role.r",
      "update aws_lambda_function.a",
      "update aws_lambda_function.b",
      "create aws_s3_bucket.b",
      "read data.aws_caller_identity.current",
    ]);
  });
});

describe("plans Terraform refuses for prevent_destroy", () => {
  it("reads the guarded resources from Terraform's errors, wrapped or not, each once", () => {
    const message = [
      "terraform plan failed:",
      "Error: Instance cannot be destroyed",
      "",
      "  on cdk.tf.json line 1003:",
      "Resource aws_dynamodb_table.movie_ratings_table has lifecycle.prevent_destroy set, but the plan calls for",
      "this resource to be destroyed.",
      "Error: Instance cannot be destroyed",
      "Resource aws_dynamodb_table.movie_infos_table has",
      "lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed.",
      "Resource aws_dynamodb_table.movie_infos_table has lifecycle.prevent_destroy set, again",
    ].join("\n");
    expect(preventDestroyRefusals(message)).toEqual([
      "aws_dynamodb_table.movie_infos_table",
      "aws_dynamodb_table.movie_ratings_table",
    ]);
    expect(preventDestroyRefusals("Error: Invalid reference")).toEqual([]);
  });

  it("plans again without the guard, in a copy, keeping the rest of each lifecycle", () => {
    const stack = {
      resource: {
        aws_dynamodb_table: { t: { name: "t", lifecycle: { prevent_destroy: true } } },
        aws_s3_bucket: { b: { lifecycle: { prevent_destroy: true, ignore_changes: ["tags"] } } },
        aws_sqs_queue: { q: { name: "q" } },
      },
    };
    expect(withoutPreventDestroy(stack)).toEqual({
      resource: {
        aws_dynamodb_table: { t: { name: "t" } },
        aws_s3_bucket: { b: { lifecycle: { ignore_changes: ["tags"] } } },
        aws_sqs_queue: { q: { name: "q" } },
      },
    });
    expect(stack.resource.aws_dynamodb_table.t.lifecycle).toEqual({ prevent_destroy: true });
  });
});
