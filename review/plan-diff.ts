import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { projectRoot } from "../tooling/project-root";
import { diffStacks, type StackSet } from "./diff";
import { reviewStacks } from "./plan-review";
import { renderMarkdown, renderText } from "./render";
import { renderPlanMarkdown, renderPlanText } from "./render-plan";
import { synthesize, synthesizeAtRef } from "./synth-at-ref";
import { readSynthOutput } from "./synth-output";
import {
  describeProvider,
  providerPin,
  terraformSetup,
  TerraformUnavailableError,
  type StackConfig,
  type TerraformSetup,
} from "./terraform";

const USAGE = `Usage: npm run plan:diff -- <git-ref> [--format text|markdown|json] [--after <dir>] [--keep <dir>] [--stack <name>]...
       npm run plan:diff -- --before <dir> --after <dir> [--format ...]

Plans the change from <git-ref> to the working tree with real Terraform, per stack, offline: the base
configuration is planned into a prior state, and the working tree's is planned against it, so Terraform
itself says what is created, updated in place, replaced (and which attributes force it) or destroyed.
Data-loss risks come first. Needs no AWS credentials or state. Without Terraform, falls back to a
comparison of the synthesized JSON (its first line says so).
  --before <dir>  compare this cdktf output folder instead of synthesizing <git-ref>
  --after <dir>   compare this cdktf output folder instead of synthesizing the working tree
  --keep <dir>    keep the synthesized outputs in <dir>/before and <dir>/after, the workspaces in <dir>/terraform
  --stack <name>  only this stack (repeatable) @default every stack
  --json <file>   also write the JSON report to <file>
  --title <text>  heading of the markdown report`;

interface Options {
  readonly format: string;
  readonly title: string;
  readonly jsonFile?: string;
  readonly stacks: readonly string[];
  readonly work: string;
}

function only(set: StackSet, names: readonly string[]): Record<string, StackConfig> {
  const entries = Object.entries(set).filter(([name]) => names.length === 0 || names.includes(name));
  return Object.fromEntries(entries) as Record<string, StackConfig>;
}

function pins(...sets: Record<string, StackConfig>[]): string | undefined {
  const all = new Set(sets.flatMap((set) => Object.values(set).map(providerPin)).filter(Boolean));
  return [...all].join(", ") || undefined;
}

/** The report in the asked format, from Terraform's plans, or from the JSON comparison when it is unavailable. */
async function report(before: StackSet, after: StackSet, options: Options, log: (m: string) => void) {
  const base = only(before, options.stacks);
  const head = only(after, options.stacks);
  let setup: TerraformSetup;
  try {
    setup = terraformSetup();
  } catch (error) {
    if (!(error instanceof TerraformUnavailableError)) throw error;
    return fallback(base, head, options, error.message);
  }
  const engine = describeProvider(setup, pins(base, head));
  log(`plan-diff: ${engine}`);
  let reviews;
  try {
    reviews = await reviewStacks(base, head, {
      setup,
      workDir: join(options.work, "terraform"),
      log,
      synthesized: {
        before: before as Record<string, StackConfig>,
        after: after as Record<string, StackConfig>,
      },
    });
  } catch (error) {
    if (!(error instanceof TerraformUnavailableError)) throw error;
    return fallback(base, head, options, error.message);
  }
  const model = { engine: "terraform", provider: engine, stacks: reviews };
  const text =
    options.format === "json"
      ? `${JSON.stringify(model, null, 2)}\n`
      : options.format === "markdown"
        ? renderPlanMarkdown(reviews, { title: options.title, engine })
        : renderPlanText(reviews, engine);
  return { text, json: model };
}

function fallback(base: StackSet, head: StackSet, options: Options, reason: string) {
  const note =
    `plan-diff: Terraform is unavailable (${reason}); falling back to comparing the synthesized JSON, ` +
    "which cannot tell an update in place from a replacement.";
  const diffs = diffStacks(base, head);
  const model = { engine: "json-diff", reason, stacks: diffs };
  const text =
    options.format === "json"
      ? `${JSON.stringify(model, null, 2)}\n`
      : options.format === "markdown"
        ? `> ${note}\n\n${renderMarkdown(diffs, { title: options.title })}`
        : `${note}\n${renderText(diffs)}`;
  return { text, json: model };
}

/** `npm run plan:diff`: see {@link USAGE}. Prints the report on stdout, progress on stderr. */
export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      format: { type: "string", default: "text" },
      before: { type: "string" },
      after: { type: "string" },
      keep: { type: "string" },
      title: { type: "string" },
      stack: { type: "string", multiple: true },
      json: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const ref = positionals[0];
  const format = values.format ?? "text";
  if (values.help || (!ref && !values.before) || !["text", "markdown", "json"].includes(format)) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }

  const work = values.keep ? resolve(values.keep) : mkdtempSync(join(tmpdir(), "plan-diff-out-"));
  mkdirSync(work, { recursive: true });
  const log = (message: string) => process.stderr.write(`${message}\n`);
  try {
    const beforeDir = values.before ? resolve(values.before) : join(work, "before");
    let title = values.title;
    if (!values.before && ref) {
      mkdirSync(beforeDir, { recursive: true });
      const sha = synthesizeAtRef(ref, { root: projectRoot, outDir: beforeDir, log });
      title ??= `Plan diff: \`${ref}\` (${sha.slice(0, 7)}) → this change`;
    }
    const afterDir = values.after ? resolve(values.after) : join(work, "after");
    if (!values.after) {
      log("plan-diff: synthesizing the working tree");
      synthesize({ root: projectRoot, outDir: afterDir });
    }
    const options = { format, title: title ?? "Plan diff", stacks: values.stack ?? [], work };
    const result = await report(readSynthOutput(beforeDir), readSynthOutput(afterDir), options, log);
    if (values.json) writeFileSync(resolve(values.json), `${JSON.stringify(result.json, null, 2)}\n`);
    process.stdout.write(result.text);
    return 0;
  } finally {
    if (!values.keep) rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: Error & { stderr?: string }) => {
      process.stderr.write(`plan-diff: ${error.message}\n${error.stderr ?? ""}`);
      process.exitCode = 1;
    },
  );
}
