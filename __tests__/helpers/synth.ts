import { Testing, type TerraformStack } from "cdktf";
import { loadConfig } from "../../stacks/config";
import { MoviesStack } from "../../stacks/movies-stack";
import { OrdersStack } from "../../stacks/orders-stack";
import { resourceAddresses, type TerraformJson } from "../../tooling/terraform-json";

/** The synthesized Terraform JSON of one stack, typed loosely for assertions. */
export interface SynthesizedStack extends TerraformJson {
  readonly json: string;
  readonly resource: Record<string, Record<string, Record<string, unknown>>>;
  readonly data: Record<string, Record<string, Record<string, unknown>>>;
  readonly output: Record<string, { value: unknown; description?: string }>;
  readonly terraform: Record<string, unknown>;
}

export function synthesize(stack: TerraformStack): SynthesizedStack {
  const json = Testing.synth(stack);
  return { json, ...JSON.parse(json) } as SynthesizedStack;
}

/** A fresh `movies-dev` stack, in its own app, and its synthesized JSON. */
export function synthMoviesDev(): { stack: MoviesStack; synth: SynthesizedStack } {
  const app = Testing.app();
  const stack = new MoviesStack(app, "movies-dev", { config: loadConfig("dev", {}) });
  return { stack, synth: synthesize(stack) };
}

/** A fresh `orders-dev` stack, in its own app, and its synthesized JSON. */
export function synthOrdersDev(): { stack: OrdersStack; synth: SynthesizedStack } {
  const app = Testing.app();
  const stack = new OrdersStack(app, "orders-dev", { config: loadConfig("dev", {}) });
  return { stack, synth: synthesize(stack) };
}

/** Every `type.name` address in a synthesized stack, data sources as `data.type.name`, sorted. */
export function addresses(synth: SynthesizedStack): string[] {
  return resourceAddresses(synth);
}
