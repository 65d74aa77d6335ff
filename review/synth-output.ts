import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TerraformJson } from "../tooling/terraform-json";
import type { StackSet } from "./diff";

interface Manifest {
  readonly stacks: Readonly<Record<string, { readonly synthesizedStackPath: string }>>;
}

/** Reads every stack of a cdktf output folder (`cdktf.out`), by the names its manifest.json lists. */
export function readSynthOutput(dir: string): StackSet {
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
  const stacks: Record<string, TerraformJson> = {};
  for (const [name, stack] of Object.entries(manifest.stacks)) {
    stacks[name] = JSON.parse(readFileSync(join(dir, stack.synthesizedStackPath), "utf8")) as TerraformJson;
  }
  return stacks;
}
