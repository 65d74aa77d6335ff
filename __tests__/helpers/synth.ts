import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing, type TerraformStack } from "cdktf";
import { resourceAddresses, type TerraformJson } from "../../tooling/terraform-json";
import { SYNTH_DIR_VARIABLE, synthesizeAll } from "./global-synth";

/** The synthesized Terraform JSON of one stack, typed loosely for assertions. */
export interface SynthesizedStack extends TerraformJson {
  readonly json: string;
  readonly resource: Record<string, Record<string, Record<string, unknown>>>;
  readonly data: Record<string, Record<string, Record<string, unknown>>>;
  readonly output: Record<string, { value: unknown; description?: string }>;
  readonly terraform: Record<string, unknown>;
}

/** Synthesizes a stack of the test's own making (a scratch stack, a special config). */
export function synthesize(stack: TerraformStack): SynthesizedStack {
  const json = Testing.synth(stack);
  return { json, ...JSON.parse(json) } as SynthesizedStack;
}

/** Drops cdktf's `//` metadata and sorts keys, as `Testing.synth` does, so both read the same. */
function withoutMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .filter((key) => key !== "//")
      .sort()
      .map((key) => [key, withoutMetadata((value as Record<string, unknown>)[key])]),
  );
}

let synthDir: string | undefined;

/** The path of a file `synthesized(stackId)` refers to, relative to its stack (`assets/.../get-movie.zip`). */
export function stackFile(stackId: string, relativePath: string): string {
  synthDir ??= process.env[SYNTH_DIR_VARIABLE] ?? synthesizeAll();
  return join(synthDir, "stacks", stackId, relativePath);
}

/**
 * One stack of the app as `npm run synth` writes it (`movies-dev`, `orders-prod`, `state-bootstrap`; no
 * developer stage), read from the folder jest's global setup synthesized once for the whole run. Run
 * outside jest's setup, it synthesizes the app itself, once per test file.
 */
export function synthesized(stackId: string): SynthesizedStack {
  const raw: unknown = JSON.parse(readFileSync(stackFile(stackId, "cdk.tf.json"), "utf8"));
  const json = JSON.stringify(withoutMetadata(raw), null, 2);
  return { json, ...JSON.parse(json) } as SynthesizedStack;
}

/** Every `type.name` address in a synthesized stack, data sources as `data.type.name`, sorted. */
export function addresses(synth: SynthesizedStack): string[] {
  return resourceAddresses(synth);
}
