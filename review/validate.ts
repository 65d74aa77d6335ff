/**
 * `npm run validate`: every synthesized stack through real Terraform, offline where this machine has a
 * provider mirror: `terraform init`, `terraform validate` and `terraform plan -refresh=false`, one line
 * per stack with Terraform's own summary, Terraform's error text when one fails, exit 1 if any fails.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { publishedLinks, type PublishedLink } from "../tooling/service-links";
import { declaredNetwork, type DeclaredNetwork } from "./offline-ec2";
import { readSynthOutput } from "./synth-output";
import {
  describeProvider,
  inParallel,
  offlineConfig,
  parallelism,
  plannedProviderVersion,
  providerPin,
  startOfflineAws,
  terraformSetup,
  Workspace,
  type StackConfig,
  type TerraformSetup,
} from "./terraform";

/** How one stack fared. */
export interface StackValidation {
  readonly stack: string;
  readonly ok: boolean;
  /** Terraform's summary (`64 to add, 0 to change, 0 to destroy`) when it planned, else its error text. */
  readonly detail: string;
  readonly seconds: number;
}

export interface ValidateOptions {
  readonly setup: TerraformSetup;
  /** Scratch folder for the workspaces (one sub-folder per stack). */
  readonly workDir: string;
  /** How many stacks at once. @default one per core */
  readonly parallel?: number;
  /** Called as each stack finishes. */
  readonly onResult?: (result: StackValidation) => void;
  /**
   * The links consumers' `aws_ssm_parameter` data sources read (tooling/service-links.ts).
   * @default what `stacks` publish
   */
  readonly links?: ReadonlyMap<string, PublishedLink>;
  /**
   * The VPCs and subnets `data.aws_vpc` and `data.aws_subnet` look up (review/offline-ec2.ts).
   * @default what `stacks` declare
   */
  readonly network?: DeclaredNetwork;
}

/** Validates and plans each stack in its own workspace, `parallel` at a time. */
export async function validateStacks(
  stacks: Readonly<Record<string, StackConfig>>,
  options: ValidateOptions,
): Promise<StackValidation[]> {
  const aws = await startOfflineAws(
    options.links ?? publishedLinks(stacks),
    options.network ?? declaredNetwork(stacks),
  );
  try {
    return await inParallel(Object.keys(stacks).sort(), options.parallel ?? parallelism(), async (stack) => {
      const started = Date.now();
      const config = stacks[stack] as StackConfig;
      const workspace = new Workspace(options.setup, join(options.workDir, stack));
      const providerVersion = plannedProviderVersion(options.setup, providerPin(config));
      workspace.setConfig(offlineConfig(config, { providerVersion, awsEndpoint: aws.endpoint }));
      let result: StackValidation;
      try {
        await workspace.validate();
        const { summary } = await workspace.plan();
        result = { stack, ok: true, detail: summary, seconds: (Date.now() - started) / 1000 };
      } catch (error) {
        result = {
          stack,
          ok: false,
          detail: (error as Error).message,
          seconds: (Date.now() - started) / 1000,
        };
      }
      options.onResult?.(result);
      return result;
    });
  } finally {
    await aws.close();
  }
}

/** `movies-dev: 64 to add, 0 to change, 0 to destroy (9.1 s)`, or the stack's name and Terraform's error. */
export function formatResult(result: StackValidation): string {
  if (result.ok) return `${result.stack}: ${result.detail} (${result.seconds.toFixed(1)} s)`;
  const indented = result.detail
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
  return `${result.stack}: FAILED (${result.seconds.toFixed(1)} s)\n${indented}`;
}

const USAGE = `Usage: npm run validate [-- [--dir <cdktf.out>] [--keep <dir>] [stack ...]]

Synthesizes (npm run validate does), then runs terraform init, validate and an offline plan
(-refresh=false) for every stack, or the stacks named. Exit 1 if any fails, 2 if Terraform is missing.
  --dir <dir>   the cdktf output folder to check @default cdktf.out
  --keep <dir>  keep the Terraform workspaces in <dir>`;

/** The command line: prints one line per stack on stdout; returns the exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { dir: { type: "string" }, keep: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const all = readSynthOutput(resolve(values.dir ?? "cdktf.out"));
  const unknown = positionals.filter((name) => !(name in all));
  if (unknown.length > 0) {
    process.stderr.write(
      `validate: no stack named ${unknown.join(", ")} (stacks: ${Object.keys(all).join(", ")})\n`,
    );
    return 2;
  }
  const stacks =
    positionals.length > 0 ? Object.fromEntries(positionals.map((name) => [name, all[name]])) : all;
  const setup = terraformSetup(env);
  const pins = [...new Set(Object.values(stacks).map((s) => providerPin(s as StackConfig)))].join(", ");
  process.stdout.write(`validate: ${describeProvider(setup, pins || undefined)}\n`);
  const workDir = values.keep ? resolve(values.keep) : mkdtempSync(join(tmpdir(), "validate-"));
  const started = Date.now();
  try {
    const results = await validateStacks(stacks as Record<string, StackConfig>, {
      setup,
      workDir,
      // A stack planned alone still reads the links the others publish.
      links: publishedLinks(all),
      network: declaredNetwork(all),
      onResult: (result) => process.stdout.write(`${formatResult(result)}\n`),
    });
    const failed = results.filter((r) => !r.ok).map((r) => r.stack);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      failed.length === 0
        ? `validate: ${results.length} stacks valid and planned in ${seconds} s\n`
        : `validate: ${failed.length} of ${results.length} stacks failed (${failed.join(", ")}) in ${seconds} s\n`,
    );
    return failed.length === 0 ? 0 : 1;
  } finally {
    if (!values.keep) rmSync(workDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: Error) => {
      process.stderr.write(`validate: ${error.message}\n`);
      process.exitCode = error.name === "TerraformUnavailableError" ? 2 : 1;
    },
  );
}
