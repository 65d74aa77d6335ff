/**
 * `npm run synth:hcl`: every stack as HCL, `cdktf.out.hcl/stacks/<stack>/cdk.tf`, for reading. It does
 * what `cdktf synth --hcl` does (the app synthesized for HCL output, each file then formatted with
 * hclwrite, as the CLI's SynthStack.formatHclFiles does), in-process: the CLI refuses to synthesize an
 * app while a stack reports an error (the committed config names no state bucket yet), and HCL to read
 * is no deploy.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { App, type TerraformStack } from "cdktf";
import { format } from "@cdktf/hcl-tools";
import { addStacks } from "../stacks/app";
import { services } from "../stacks/services";

/** What {@link synthesizeHcl} wrote. */
export interface HclOutput {
  readonly stacks: readonly TerraformStack[];
  /** Stack id → its formatted HCL. */
  readonly hcl: ReadonlyMap<string, string>;
}

/** Runs `build` with `variables` set in `process.env`, and puts the previous values back. */
function withEnv<T>(variables: Readonly<Record<string, string>>, build: () => T): T {
  const previous = Object.fromEntries(Object.keys(variables).map((k) => [k, process.env[k]]));
  Object.assign(process.env, variables);
  try {
    return build();
  } finally {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** Synthesizes every stack of the app as formatted HCL into `outdir`. */
export async function synthesizeHcl(
  outdir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<HclOutput> {
  // cdktf 0.21 reads both when a stack is built: App's `hclOutput` alone names the files cdk.tf but
  // leaves JSON in them, and a stack that reports an error would stop the synth.
  const stacks = withEnv({ SYNTH_HCL_OUTPUT: "true", CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "1" }, () => {
    const app = new App({ outdir, hclOutput: true });
    const added = addStacks(app, services, env);
    app.synth();
    return added;
  });
  const hcl = new Map<string, string>();
  for (const stack of stacks) {
    const path = join(outdir, "stacks", stack.node.id, "cdk.tf");
    const formatted = await format(readFileSync(path, "utf8"));
    writeFileSync(path, formatted);
    hcl.set(stack.node.id, formatted);
  }
  return { stacks, hcl };
}

if (require.main === module) {
  const outdir = resolve("cdktf.out.hcl");
  synthesizeHcl(outdir).then(
    ({ stacks }) =>
      process.stdout.write(`synth:hcl: ${stacks.length} stacks in ${outdir}/stacks/<stack>/cdk.tf\n`),
    (error: Error) => {
      process.stderr.write(`synth:hcl: ${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
