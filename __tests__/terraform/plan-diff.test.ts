/**
 * plan:diff on real edits, committed in a temporary clone of this repository: Terraform decides what
 * each edit does. Every case diffs against the same base commit, so the base state converges once
 * (cached by configuration) and each case costs one head plan.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../tooling/project-root";
import type { StackReview } from "../../review/plan-review";
import { terraformForTests } from "../helpers/terraform";

interface Report {
  readonly engine: string;
  /** Why Terraform was unavailable, when the report fell back to comparing the JSON. */
  readonly reason?: string;
  readonly stacks: StackReview[];
}

const setup = terraformForTests("plan:diff");
let clone: string;
let base: string;
/** Where the first run keeps the base ref's synthesized output. */
let kept: string;

function git(...args: string[]): string {
  return execFileSync(
    "git",
    ["-c", "user.name=plan-diff test", "-c", "user.email=test@example.com", ...args],
    {
      cwd: clone,
      encoding: "utf8",
    },
  ).trim();
}

/** Commits `edits` (each must match exactly once) on a new branch from the base commit. */
function commitEdit(
  branch: string,
  edits: readonly { file: string; from: string | RegExp; to: string }[],
): void {
  git("checkout", "-q", "-B", branch, base);
  for (const { file, from, to } of edits) {
    const path = join(clone, file);
    const text = readFileSync(path, "utf8");
    const matches =
      typeof from === "string"
        ? text.split(from).length - 1
        : (text.match(new RegExp(from, "g")) ?? []).length;
    if (matches < 1) throw new Error(`The edit for ${branch} no longer matches ${file}: ${String(from)}`);
    writeFileSync(path, text.replace(from, to));
  }
  git("commit", "-q", "-am", branch);
}

/**
 * `npm run plan:diff -- <base> --stack ...` in the clone: the text report and the JSON one. The first
 * run synthesizes the base ref and keeps it; with `before`, later runs reuse it (`--before <dir>`) and
 * keep their own output in a new folder named after the branch.
 */
function planDiff(
  stacks: readonly string[],
  options: { before?: boolean } = {},
): { text: string; report: Report } {
  const json = join(clone, "plan-diff.json");
  const args = [join(clone, "dist/infra/review/plan-diff.js"), "--json", json];
  if (options.before && existsSync(join(kept, "before", "manifest.json")))
    args.push("--before", join(kept, "before"), "--keep", join(kept, git("branch", "--show-current")));
  else args.push(base, "--keep", kept);
  for (const stack of stacks) args.push("--stack", stack);
  const result = spawnSync("node", args, {
    cwd: clone,
    encoding: "utf8",
    env: { ...process.env, MOVIES_STAGE: "" },
  });
  if (result.status !== 0) throw new Error(`plan-diff failed (${result.status}):\n${result.stderr}`);
  return { text: result.stdout, report: JSON.parse(readFileSync(json, "utf8")) as Report };
}

function stack(report: Report, name: string): StackReview {
  const found = report.stacks.find((s) => s.stack === name);
  if (!found) throw new Error(`no ${name} in the report`);
  return found;
}

beforeAll(() => {
  if (!setup) return;
  clone = mkdtempSync(join(tmpdir(), "plan-diff-clone-"));
  execFileSync("git", ["clone", "-q", projectRoot, clone]);
  symlinkSync(join(projectRoot, "node_modules"), join(clone, "node_modules"), "dir");
  execFileSync("npm", ["run", "--silent", "build:infra"], { cwd: clone });
  base = git("rev-parse", "HEAD");
  kept = join(clone, ".plan-diff");
});

afterAll(() => {
  if (clone) rmSync(clone, { recursive: true, force: true });
});

describe("plan:diff with Terraform", () => {
  it("shows no changes for an unchanged ref: no phantom diffs from placeholders", () => {
    if (!setup) return;
    git("checkout", "-q", "-B", "unchanged", base);
    const { text, report } = planDiff(["movies-dev", "orders-dev"]);
    // With the reason beside the engine, a fallback to the JSON comparison says why in the failure.
    expect({ engine: report.engine, reason: report.reason }).toEqual({ engine: "terraform" });
    expect(report.stacks.map((s) => [s.stack, s.status, s.changes, s.outputs])).toEqual([
      ["movies-dev", "unchanged", [], []],
      ["orders-dev", "unchanged", [], []],
    ]);
    expect(text.split("\n")[0]).toMatch(/^plan-diff: planned by Terraform \d+\.\d+\.\d+, hashicorp\/aws /);
    expect(text).toContain("No changes in 2 stacks.");
  });

  it("replaces a table whose hash key is renamed, naming hash_key, as a data-loss risk first", () => {
    if (!setup) return;
    commitEdit("rename-hash-key", [
      {
        file: "stacks/movies-stack.ts",
        from: 'hashKey: { name: "movie_id", type: "S" }',
        to: 'hashKey: { name: "id", type: "S" }',
      },
    ]);
    const { text, report } = planDiff(["movies-dev"]);
    const movies = stack(report, "movies-dev");
    const table = movies.changes[0];
    expect(table).toMatchObject({
      address: "aws_dynamodb_table.movie_infos_table",
      action: "replace",
      verdict: "must be replaced",
      replacedBecause: ["hash_key"],
      dataLoss: true,
      // The API's deployment is create_before_destroy, and Terraform extends that to what it depends on:
      // the new table is created before the old one is destroyed (and, with the same name, would collide).
      createBeforeDestroy: true,
    });
    expect(table?.attributes).toContainEqual({
      path: "hash_key",
      before: "movie_id",
      after: "id",
      forcesReplacement: true,
    });
    expect(movies.counts).toEqual({ add: 1, change: 5, destroy: 1 });
    expect(text).toContain(
      "Data-loss risks:\n  ! movies-dev: aws_dynamodb_table.movie_infos_table must be replaced (hash_key forces replacement)",
    );
    expect(text).toContain(
      '+/- aws_dynamodb_table.movie_infos_table must be replaced\n        attribute[0].name: "movie_id" -> "id"\n        hash_key: "movie_id" -> "id"  # forces replacement',
    );
  });

  it("reports that Terraform refuses to replace a prod table (prevent_destroy), and what the change would do", () => {
    if (!setup) return;
    commitEdit("rename-hash-key-prod", [
      {
        file: "stacks/movies-stack.ts",
        from: 'hashKey: { name: "movie_id", type: "S" }',
        to: 'hashKey: { name: "id", type: "S" }',
      },
    ]);
    const { text, report } = planDiff(["movies-prod"], { before: true });
    const prod = stack(report, "movies-prod");
    expect(prod.refusedBy).toEqual(["aws_dynamodb_table.movie_infos_table"]);
    expect(prod.changes[0]).toMatchObject({
      address: "aws_dynamodb_table.movie_infos_table",
      action: "replace",
      replacedBecause: ["hash_key"],
      dataLoss: true,
    });
    expect(text).toContain(
      "  ! movies-prod: aws_dynamodb_table.movie_infos_table must be replaced (hash_key forces replacement); refused: prevent_destroy",
    );
    expect(text).toContain(
      "  ! Terraform refuses this plan: aws_dynamodb_table.movie_infos_table has lifecycle.prevent_destroy",
    );
  });

  it("updates log groups in place when the log retention changes", () => {
    if (!setup) return;
    commitEdit("log-retention", [
      { file: "stacks/config.ts", from: "logRetentionDays: 14,", to: "logRetentionDays: 7," },
    ]);
    const movies = stack(planDiff(["movies-dev"], { before: true }).report, "movies-dev");
    const logGroups = movies.changes.filter((c) => c.type === "aws_cloudwatch_log_group");
    expect(logGroups.map((c) => c.address)).toEqual([
      "aws_cloudwatch_log_group.get_movie_lambda_log_group",
      "aws_cloudwatch_log_group.ingestion_state_machine_log_group",
      "aws_cloudwatch_log_group.movies_api_access_logs",
      "aws_cloudwatch_log_group.update_movie_rating_lambda_log_group",
      "aws_cloudwatch_log_group.upload_movie_infos_batch_lambda_log_group",
      "aws_cloudwatch_log_group.upload_movie_infos_lambda_log_group",
    ]);
    for (const change of logGroups) {
      expect(change).toMatchObject({
        action: "update",
        verdict: "will be updated in-place",
        dataLoss: false,
      });
      expect(change.attributes).toEqual([{ path: "retention_in_days", before: 14, after: 7 }]);
    }
    // Terraform reads a data source during apply when something it references has changes pending: the
    // functions' policy documents name their log groups, so their policies show as unknown until apply.
    const others = movies.changes.filter((c) => c.type !== "aws_cloudwatch_log_group");
    expect(others.map((c) => [c.action, c.address, c.attributes])).toEqual([
      ["update", "aws_iam_policy.get_movie_lambda_policy", [{ path: "policy", unknown: true }]],
      ["update", "aws_iam_policy.update_movie_rating_lambda_policy", [{ path: "policy", unknown: true }]],
      [
        "update",
        "aws_iam_policy.upload_movie_infos_batch_lambda_policy",
        [{ path: "policy", unknown: true }],
      ],
      ["update", "aws_iam_policy.upload_movie_infos_lambda_policy", [{ path: "policy", unknown: true }]],
      ["read", "data.aws_iam_policy_document.get_movie_lambda_policy_document", []],
      ["read", "data.aws_iam_policy_document.update_movie_rating_lambda_policy_document", []],
      ["read", "data.aws_iam_policy_document.upload_movie_infos_batch_lambda_policy_document", []],
      ["read", "data.aws_iam_policy_document.upload_movie_infos_lambda_policy_document", []],
    ]);
    expect(movies.counts).toEqual({ add: 0, change: 10, destroy: 0 });
  });

  it("destroys a removed route's resources, and nothing else", () => {
    if (!setup) return;
    commitEdit("remove-route", [
      {
        file: "stacks/movies-stack.ts",
        from: /api\.addLambdaRoute\("update_movie_rating_request"[^;]*;/,
        to: "",
      },
    ]);
    const movies = stack(planDiff(["movies-dev"], { before: true }).report, "movies-dev");
    const destroyed = movies.changes.filter((c) => c.action === "delete").map((c) => c.address);
    expect(destroyed).toEqual([
      "aws_api_gateway_integration.update_movie_rating_request_integration",
      "aws_api_gateway_method.update_movie_rating_request_method",
      "aws_api_gateway_model.update_movie_rating_request_model",
      // No API routes to the function any more: its ERROR lines are no 500s to count.
      "aws_cloudwatch_log_metric_filter.update_movie_rating_lambda_error_logs",
      "aws_cloudwatch_metric_alarm.update_movie_rating_lambda_error_logs",
      "aws_lambda_permission.update_movie_rating_request_permission",
    ]);
    expect(movies.changes.filter((c) => c.action === "create")).toEqual([]);
  });

  it("creates a new function with its role, policy, log group and alias", () => {
    if (!setup) return;
    commitEdit("new-function", [
      {
        file: "stacks/movies-stack.ts",
        from: "    return { getMovie, updateRating, uploadInfos, uploadInfosBatch };",
        to: [
          '    new BundledFunction(this, "list_movies_lambda", {',
          "      ...common,",
          '      entry: "lambdas/get-movie/index.ts",',
          '      functionName: physicalName("list-movies", environment),',
          '      description: "Lists movies",',
          "    });",
          "    return { getMovie, updateRating, uploadInfos, uploadInfosBatch };",
        ].join("\n"),
      },
    ]);
    const movies = stack(planDiff(["movies-dev"], { before: true }).report, "movies-dev");
    const created = movies.changes.filter((c) => c.action === "create").map((c) => c.address);
    expect(created).toEqual(
      expect.arrayContaining([
        "aws_lambda_function.list_movies_lambda",
        "aws_lambda_alias.list_movies_lambda_live",
        "aws_iam_role.list_movies_lambda_role",
        "aws_cloudwatch_log_group.list_movies_lambda_log_group",
      ]),
    );
    expect(movies.changes.filter((c) => c.action === "delete" || c.action === "replace")).toEqual([]);
  });
});
