import type { Construct } from "constructs";
import type { App, TerraformStack } from "cdktf";
import { bundleAll, DEFAULT_RUNTIME, functionEntries } from "../tooling/bundle";
import { AccountStack, accountStackId } from "./account-stack";
import {
  loadStateConfig,
  selectedEnvironments,
  type EnvironmentConfig,
  type StateBucketConfig,
} from "./config";
import { StateBootstrapStack } from "./state-bootstrap-stack";

/** A service: its name prefixes its stacks' ids (`movies-dev`), and its stack class builds one environment. */
export interface Service {
  readonly name: string;
  readonly stack: new (
    scope: Construct,
    id: string,
    props: { readonly config: EnvironmentConfig },
  ) => TerraformStack;
  /**
   * The services whose stacks of the same environment must be deployed first: they publish a service
   * link this one reads. Each becomes a stack dependency, so `cdktf deploy '*-dev'` deploys in that order.
   * @default none
   */
  readonly after?: readonly string[];
}

/** The name of the stack that creates the remote-state bucket. */
export const STATE_BOOTSTRAP_STACK = "state-bootstrap";

/**
 * One `AccountStack` per account and region the environments deploy to (`account-eu-central-1`, or
 * `account-<account>-eu-central-1` for an environment pinned to an account), each once.
 */
export function addAccountStacks(app: App, configs: readonly EnvironmentConfig[]): TerraformStack[] {
  const byId = new Map<string, EnvironmentConfig>();
  for (const config of configs) {
    const id = accountStackId(config.region, config.accountId);
    if (!byId.has(id)) byId.set(id, config);
  }
  return [...byId].map(
    ([id, config]) =>
      new AccountStack(app, id, {
        region: config.region,
        ...(config.accountId ? { accountId: config.accountId } : {}),
        state: config.state,
      }),
  );
}

/** The `state-bootstrap` stack, from the validated state-bucket settings. */
export function addStateBootstrapStack(
  app: App,
  config: StateBucketConfig = loadStateConfig(),
): TerraformStack {
  return new StateBootstrapStack(app, STATE_BOOTSTRAP_STACK, { config });
}

/**
 * Adds every service's stack for every selected environment (`<service>-<environment>`: dev, staging,
 * prod, and `MOVIES_STAGE`'s developer stage when set), the account stacks they need, then the
 * `state-bootstrap` stack. Configuration is validated first, so a bad value fails synth before any stack
 * is built (or any function bundled).
 */
export function addStacks(app: App, services: readonly Service[], env: NodeJS.ProcessEnv = process.env) {
  const configs = selectedEnvironments(env);
  const stateConfig = loadStateConfig(env);
  // Every function of lambdas/ in one esbuild call (or from the bundle cache) before any stack asks for
  // its own: the functions' bundle() calls then find theirs done.
  bundleAll(functionEntries().map((entry) => ({ entry, runtime: DEFAULT_RUNTIME })));
  const stacks: TerraformStack[] = [];
  for (const config of configs) {
    const byService = new Map<string, TerraformStack>();
    for (const service of services) {
      const stack = new service.stack(app, `${service.name}-${config.environment}`, { config });
      for (const first of service.after ?? []) {
        const dependency = byService.get(first);
        if (!dependency) throw new Error(`${service.name} is listed before ${first}, which it comes after`);
        stack.addDependency(dependency);
      }
      byService.set(service.name, stack);
      stacks.push(stack);
    }
  }
  stacks.push(...addAccountStacks(app, configs));
  stacks.push(addStateBootstrapStack(app, stateConfig));
  return stacks;
}
