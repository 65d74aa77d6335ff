import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import {
  findTerraform,
  terraformSetup,
  type TerraformBinary,
  type TerraformSetup,
} from "../../review/terraform";

let found: TerraformBinary | undefined | null = null;
const warned = new Set<string>();

/** True when the `CI` environment variable says so (GitHub Actions sets `CI=true`). */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI !== undefined && env.CI !== "" && env.CI !== "false" && env.CI !== "0";
}

function skip(check: string, why: string): undefined {
  if (!warned.has(check)) {
    warned.add(check);
    console.warn(`The Terraform checks were skipped (${check}): ${why}`);
  }
  return undefined;
}

/**
 * The Terraform CLI for a test that checks `check` with it. Without one (no `TERRAFORM_BINARY`, no
 * `terraform` on the PATH) the check is skipped, and said so once with `console.warn`; in CI, where
 * Terraform is part of the toolchain, its absence fails the test instead.
 */
export function terraformFor(
  check: string,
  env: NodeJS.ProcessEnv = process.env,
): TerraformBinary | undefined {
  const terraform = env === process.env ? (found ??= findTerraform(env)) : findTerraform(env);
  if (terraform) return terraform;
  const why = "no Terraform CLI found (set TERRAFORM_BINARY, or put terraform on the PATH)";
  if (inCi(env)) throw new Error(`${check} needs Terraform in CI (CI=${env.CI}): ${why}`);
  return skip(check, why);
}

/**
 * Terraform and the provider (mirror or registry) for the checks that init and plan, or `undefined` on a
 * machine without Terraform, where they are skipped with one plain warning; in CI that fails instead.
 */
export function terraformForTests(check: string): TerraformSetup | undefined {
  try {
    return terraformSetup();
  } catch (error) {
    if (inCi()) throw error;
    return skip(check, (error as Error).message);
  }
}

/** Runs Terraform offline and the same on every machine: no CLI config file, no checkpoint calls. */
export function runTerraform(
  terraform: TerraformBinary,
  args: readonly string[],
  options: { readonly input?: string; readonly cwd?: string } = {},
): SpawnSyncReturns<string> {
  return spawnSync(terraform.binary, args, {
    ...options,
    encoding: "utf8",
    env: { ...process.env, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" },
  });
}
