import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { projectRoot } from "../tooling/project-root";
import { diffStacks } from "./diff";
import { renderMarkdown, renderText } from "./render";
import { synthesize, synthesizeAtRef } from "./synth-at-ref";
import { readSynthOutput } from "./synth-output";

const USAGE = `Usage: npm run plan:diff -- <git-ref> [--format text|markdown|json] [--after <dir>] [--keep <dir>]
       npm run plan:diff -- --before <dir> --after <dir> [--format ...]

Compares the synthesized Terraform of <git-ref> with the working tree's, per stack: addresses added,
removed and changed, with the changed attributes (secrets redacted). Needs no AWS credentials or state.
  --before <dir>  compare this cdktf output folder instead of synthesizing <git-ref>
  --after <dir>   compare this cdktf output folder instead of synthesizing the working tree
  --keep <dir>    keep the synthesized outputs in <dir>/before and <dir>/after
  --title <text>  heading of the markdown report`;

/** `npm run plan:diff`: see {@link USAGE}. Prints the report on stdout, progress on stderr. */
export function main(argv: readonly string[]): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      format: { type: "string", default: "text" },
      before: { type: "string" },
      after: { type: "string" },
      keep: { type: "string" },
      title: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const ref = positionals[0];
  const format = values.format;
  if (values.help || (!ref && !values.before) || !["text", "markdown", "json"].includes(format ?? "")) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }

  const work = values.keep ? resolve(values.keep) : mkdtempSync(join(tmpdir(), "plan-diff-out-"));
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

    const diffs = diffStacks(readSynthOutput(beforeDir), readSynthOutput(afterDir));
    const report =
      format === "json"
        ? `${JSON.stringify(diffs, null, 2)}\n`
        : format === "markdown"
          ? renderMarkdown(diffs, { title: title ?? "Plan diff" })
          : renderText(diffs);
    process.stdout.write(report);
    return 0;
  } finally {
    if (!values.keep) rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    const e = error as Error & { stderr?: string };
    process.stderr.write(`plan-diff: ${e.message}\n${e.stderr ?? ""}`);
    process.exitCode = 1;
  }
}
