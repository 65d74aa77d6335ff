/**
 * Renders the plan review (plan-review.ts) the way a Terraform user reads a plan: Terraform's symbols and
 * words (`-/+ … must be replaced`, `# forces replacement`), data-loss risks first, values in full.
 */
import type { PlannedAction, PlannedChange, StackReview } from "./plan-review";
import type { PlannedAttribute } from "./plan-changes";
import { detailsBlock } from "./render";

const SYMBOL: Readonly<Record<PlannedAction, string>> = {
  create: "+",
  update: "~",
  replace: "-/+",
  delete: "-",
  read: "<=",
};

/** Terraform's symbol for a change: `-/+` for a replacement, `+/-` when the new object comes first. */
function symbol(change: PlannedChange): string {
  return change.createBeforeDestroy ? "+/-" : SYMBOL[change.action];
}

function json(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** `hash_key: "movie_id" -> "id"  # forces replacement`. */
export function formatAttribute(a: PlannedAttribute): string {
  const forces = a.forcesReplacement ? "  # forces replacement" : "";
  if (a.sensitive) return `${a.path}: (sensitive value)${forces}`;
  if (a.unknown) return `${a.path}: (known after apply)${forces}`;
  const before = "before" in a ? json(a.before) : "null";
  const after = "after" in a ? json(a.after) : "null";
  return `${a.path}: ${before} -> ${after}${forces}`;
}

/** Terraform's own counts line: `1 to add, 3 to change, 1 to destroy`, or `no changes`. */
export function summary(review: StackReview): string {
  const { add, change, destroy } = review.counts;
  const reads =
    review.reads > 0 ? `; ${review.reads} data source${review.reads === 1 ? "" : "s"} read during apply` : "";
  const outputs =
    review.outputs.length > 0
      ? `; ${review.outputs.length} output${review.outputs.length === 1 ? "" : "s"} changed`
      : "";
  if (review.status === "unchanged") return "no changes";
  const counts = `${add} to add, ${change} to change, ${destroy} to destroy${reads}${outputs}`;
  if (review.status === "added") return `new stack, ${counts}`;
  if (review.status === "removed") return `stack removed, ${counts}`;
  return counts;
}

function total(reviews: readonly StackReview[]): string {
  const sum = reviews.reduce(
    (acc, r) => ({
      add: acc.add + r.counts.add,
      change: acc.change + r.counts.change,
      destroy: acc.destroy + r.counts.destroy,
    }),
    { add: 0, change: 0, destroy: 0 },
  );
  const changed = reviews.filter((r) => r.status !== "unchanged").length;
  const stacks = `${reviews.length} stack${reviews.length === 1 ? "" : "s"}`;
  if (changed === 0) return `No changes in ${stacks}.`;
  return `${changed} of ${stacks} changed: ${sum.add} to add, ${sum.change} to change, ${sum.destroy} to destroy.`;
}

function risk(review: StackReview, change: PlannedChange): string {
  const because =
    change.replacedBecause.length > 0 ? ` (${change.replacedBecause.join(", ")} forces replacement)` : "";
  const refused = review.refusedBy?.includes(change.address) ? "; refused: prevent_destroy" : "";
  return `${review.stack}: ${change.address} ${change.verdict}${because}${refused}`;
}

/** What a refused plan means, when Terraform refuses the stack's plan for `prevent_destroy`. */
function refusal(review: StackReview): string | undefined {
  if (!review.refusedBy || review.refusedBy.length === 0) return undefined;
  return (
    `Terraform refuses this plan: ${review.refusedBy.join(", ")} ${review.refusedBy.length === 1 ? "has" : "have"} ` +
    "lifecycle.prevent_destroy, so cdktf deploy would stop before applying anything. " +
    "Below: what the plan does without that guard."
  );
}

/** Every replacement or destroy of a stateful resource, across stacks. */
function risks(reviews: readonly StackReview[]): string[] {
  return reviews.flatMap((review) => review.changes.filter((c) => c.dataLoss).map((c) => risk(review, c)));
}

function changeLines(change: PlannedChange, indent: string): string[] {
  const lines = [`${indent}${symbol(change)} ${change.address} ${change.verdict}`];
  for (const attribute of change.attributes) lines.push(`${indent}      ${formatAttribute(attribute)}`);
  return lines;
}

function outputLines(review: StackReview, indent: string): string[] {
  const symbol = { create: "+", update: "~", delete: "-" } as const;
  return review.outputs.map((o) => `${indent}${symbol[o.action]} output.${o.name}`);
}

/**
 * A plain-text report, like a compact `terraform plan` per stack:
 *
 *     movies-dev: 1 to add, 3 to change, 1 to destroy
 *       -/+ aws_dynamodb_table.movie_infos_table must be replaced
 *             hash_key: "movie_id" -> "id"  # forces replacement
 */
export function renderPlanText(reviews: readonly StackReview[], engine: string): string {
  const lines = [`plan-diff: planned by ${engine}`];
  const dataLoss = risks(reviews);
  if (dataLoss.length > 0) lines.push("", "Data-loss risks:", ...dataLoss.map((r) => `  ! ${r}`));
  lines.push("");
  for (const review of reviews) {
    lines.push(`${review.stack}: ${summary(review)}`);
    const refused = refusal(review);
    if (refused) lines.push(`  ! ${refused}`);
    for (const change of review.changes) lines.push(...changeLines(change, "  "));
    lines.push(...outputLines(review, "  "));
  }
  lines.push("", total(reviews));
  return `${lines.join("\n")}\n`;
}

/** Lines of a `diff` block: removed values red, added green, the resource line coloured by its action. */
function diffLines(review: StackReview): string[] {
  const lines: string[] = [];
  for (const change of review.changes) {
    const head = `${symbol(change)} ${change.address} ${change.verdict}`;
    lines.push(change.action === "update" || change.action === "read" ? `! ${head}` : head);
    for (const a of change.attributes) {
      const forces = a.forcesReplacement ? "  # forces replacement" : "";
      if (a.sensitive) {
        lines.push(`!     ${a.path} = (sensitive value)${forces}`);
        continue;
      }
      if ("before" in a)
        lines.push(`-     ${a.path} = ${json(a.before)}${a.unknown || "after" in a ? "" : forces}`);
      if (a.unknown) lines.push(`+     ${a.path} = (known after apply)${forces}`);
      else if ("after" in a) lines.push(`+     ${a.path} = ${json(a.after)}${forces}`);
    }
  }
  lines.push(...outputLines(review, ""));
  return lines;
}

/**
 * A markdown report for one pull-request comment: data-loss risks first, a table of stacks with
 * Terraform's counts, then one collapsible `diff` block per changed stack.
 */
export function renderPlanMarkdown(
  reviews: readonly StackReview[],
  options: { title: string; engine: string },
): string {
  const out = [`### ${options.title}`, "", `Planned by ${options.engine}.`, ""];
  const dataLoss = risks(reviews);
  if (dataLoss.length > 0) {
    out.push("> [!CAUTION]", "> **Data-loss risks**: these replace or destroy resources that hold data.");
    for (const r of dataLoss) out.push(`> - ${r.replace(/^(\S+): (\S+)/, "`$1`: `$2`")}`);
    out.push("");
  }
  out.push("| Stack | Add | Change | Destroy | Replace |", "| --- | --: | --: | --: | --: |");
  for (const review of reviews) {
    const note =
      review.status === "added"
        ? " (new)"
        : review.status === "removed"
          ? " (removed)"
          : review.refusedBy
            ? " (refused: prevent_destroy)"
            : "";
    const replace = review.changes.filter((c) => c.action === "replace").length;
    const { add, change, destroy } = review.counts;
    out.push(`| \`${review.stack}\`${note} | ${add} | ${change} | ${destroy} | ${replace} |`);
  }
  out.push("", total(reviews));
  for (const review of reviews.filter((r) => r.status !== "unchanged")) {
    const refused = refusal(review);
    out.push("", ...(refused ? [`> [!WARNING]`, `> \`${review.stack}\`: ${refused}`, ""] : []));
    out.push(...detailsBlock(review.stack, summary(review), diffLines(review)));
  }
  return `${out.join("\n")}\n`;
}
