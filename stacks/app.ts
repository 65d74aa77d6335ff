import type { Construct } from "constructs";
import type { App, TerraformStack } from "cdktf";
import { bundleAll, DEFAULT_RUNTIME, functionEntries } from "../tooling/bundle";
import { loadStateConfig, selectedEnvironments, type EnvironmentConfig } from "./config";
import { StateBootstrapStack } from "./state-bootstrap-stack";

/** A service: its name prefixes its stacks' ids (`movies-dev`), and its stack class builds one environment. */
export interface Service {
  readonly name: string;
  readonly stack: new (
    scope: Construct,
    id: string,
    props: { readonly config: EnvironmentConfig },
  ) => TerraformStack;
}

/** The name of the stack that creates the remote-state bucket. */
export const STATE_BOOTSTRAP_STACK = "state-bootstrap";

/**
 * Adds every service's stack for every selected environment (`<service>-<environment>`: dev, staging,
 * prod, and `MOVIES_STAGE`'s developer stage when set), then the `state-bootstrap` stack. Configuration
 * is validated first, so a bad value fails synth before any stack is built (or any function bundled).
 */
export function addStacks(app: App, services: readonly Service[], env: NodeJS.ProcessEnv = process.env) {
  const configs = selectedEnvironments(env);
  const stateConfig = loadStateConfig(env);
  // Every function of lambdas/ in one esbuild call (or from the bundle cache) before any stack asks for
  // its own: the functions' bundle() calls then find theirs done.
  bundleAll(functionEntries().map((entry) => ({ entry, runtime: DEFAULT_RUNTIME })));
  const stacks: TerraformStack[] = [];
  for (const config of configs) {
    for (const service of services) {
      stacks.push(new service.stack(app, `${service.name}-${config.environment}`, { config }));
    }
  }
  stacks.push(new StateBootstrapStack(app, STATE_BOOTSTRAP_STACK, { config: stateConfig }));
  return stacks;
}
