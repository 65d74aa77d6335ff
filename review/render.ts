import { counts, type AttributeChange, type StackDiff } from "./diff";

export interface RenderOptions {
  /**
   * Heading of the report (markdown only).
   * @default "Plan diff"
   */
  readonly title?: string;
  /**
   * Values longer than this many characters are cut, with the length of what was left out.
   * @default 160
   */
  readonly maxValueLength?: number;
}

const SENSITIVE = "(sensitive value)";

function value(v: unknown, max: number): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

function summary(diff: StackDiff): string {
  const { add, change, remove } = counts(diff);
  if (diff.status === "unchanged") return "no changes";
  const parts = `${add} to add, ${change} to change, ${remove} to remove`;
  if (diff.status === "added") return `new stack, ${parts}`;
  if (diff.status === "removed") return `stack removed, ${parts}`;
  return parts;
}

function total(diffs: readonly StackDiff[]): string {
  const sum = diffs.reduce(
    (acc, d) => {
      const c = counts(d);
      return { add: acc.add + c.add, change: acc.change + c.change, remove: acc.remove + c.remove };
    },
    { add: 0, change: 0, remove: 0 },
  );
  const changed = diffs.filter((d) => d.status !== "unchanged").length;
  const stacks = `${diffs.length} stack${diffs.length === 1 ? "" : "s"}`;
  if (changed === 0) return `No changes in ${stacks}.`;
  return `${changed} of ${stacks} changed: ${sum.add} to add, ${sum.change} to change, ${sum.remove} to remove.`;
}

function textAttribute(a: AttributeChange, max: number): string {
  if (a.sensitive) return `${a.path}: ${SENSITIVE}`;
  const before = "before" in a ? value(a.before, max) : "(none)";
  const after = "after" in a ? value(a.after, max) : "(none)";
  return `${a.path}: ${before} -> ${after}`;
}

/**
 * A plain-text report, like a compact `terraform plan`:
 *
 *     movies-dev: 1 to add, 1 to change, 0 to remove
 *       + aws_s3_bucket.archive
 *       ~ aws_lambda_function.get_movie_lambda
 *           memory_size: 256 -> 512
 */
export function renderText(diffs: readonly StackDiff[], options: RenderOptions = {}): string {
  const max = options.maxValueLength ?? 160;
  const lines: string[] = [];
  for (const diff of diffs) {
    lines.push(`${diff.stack}: ${summary(diff)}`);
    for (const address of diff.added) lines.push(`  + ${address}`);
    for (const change of diff.changed) {
      lines.push(`  ~ ${change.address}`);
      for (const a of change.attributes) lines.push(`      ${textAttribute(a, max)}`);
    }
    for (const address of diff.removed) lines.push(`  - ${address}`);
  }
  lines.push("", total(diffs));
  return `${lines.join("\n")}\n`;
}

function diffLines(diff: StackDiff, max: number): string[] {
  const lines: string[] = [];
  for (const address of diff.added) lines.push(`+ ${address}`);
  for (const change of diff.changed) {
    lines.push(`~ ${change.address}`);
    for (const a of change.attributes) {
      if (a.sensitive) {
        lines.push(`~     ${a.path} = ${SENSITIVE}`);
        continue;
      }
      if ("before" in a) lines.push(`-     ${a.path} = ${value(a.before, max)}`);
      if ("after" in a) lines.push(`+     ${a.path} = ${value(a.after, max)}`);
    }
  }
  for (const address of diff.removed) lines.push(`- ${address}`);
  return lines;
}

/** One stack's collapsible `diff` block of a PR comment: `<details>`, its summary, the fenced lines. */
export function detailsBlock(stack: string, summaryText: string, lines: readonly string[]): string[] {
  const body = lines.join("\n");
  const f = fence(body);
  return [
    `<details><summary><code>${stack}</code>: ${summaryText}</summary>`,
    "",
    `${f}diff`,
    body,
    f,
    "",
    "</details>",
  ];
}

/** A fence longer than any run of backticks in `body`, so values cannot close the code block. */
export function fence(body: string): string {
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

/**
 * A markdown report for a pull-request comment: a table of stacks and counts, then one collapsible
 * `diff` block per changed stack (added addresses green, removed red, each changed attribute as its old
 * value in red and its new value in green).
 */
export function renderMarkdown(diffs: readonly StackDiff[], options: RenderOptions = {}): string {
  const max = options.maxValueLength ?? 160;
  const out: string[] = [`### ${options.title ?? "Plan diff"}`, ""];
  out.push("| Stack | Add | Change | Remove |", "| --- | --: | --: | --: |");
  for (const diff of diffs) {
    const { add, change, remove } = counts(diff);
    const note = diff.status === "added" ? " (new)" : diff.status === "removed" ? " (removed)" : "";
    out.push(`| \`${diff.stack}\`${note} | ${add} | ${change} | ${remove} |`);
  }
  out.push("", total(diffs));
  for (const diff of diffs.filter((d) => d.status !== "unchanged")) {
    out.push("", ...detailsBlock(diff.stack, summary(diff), diffLines(diff, max)));
  }
  return `${out.join("\n")}\n`;
}
