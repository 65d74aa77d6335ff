/**
 * The plan review: for each stack, Terraform itself decides what a change does. The base configuration
 * is planned offline, turned into the state a first apply would leave (prior-state.ts), re-planned until
 * that state converges (no changes), and the head configuration is then planned against it with
 * `-refresh=false`. What comes back is Terraform's: create, update in place, replace (and the attributes
 * that force it), destroy, and data sources read during apply.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { plannedAttributes, type PlannedAttribute } from "./plan-changes";
import { planIsEmpty, priorStateFrom, type ResourceConfigs, type StateV4 } from "./prior-state";
import {
  inParallel,
  offlineConfig,
  parallelism,
  plannedProviderVersion,
  providerPin,
  startOfflineAws,
  TerraformCommandError,
  Workspace,
  type PlanJson,
  type PlanRun,
  type ProviderSchemas,
  type ResourceChange,
  type StackConfig,
  type TerraformSetup,
} from "./terraform";
import { formatPath } from "./diff";
import { publishedLinks } from "../tooling/service-links";
import { declaredNetwork } from "./offline-ec2";

/** What Terraform plans for one resource. */
export type PlannedAction = "create" | "update" | "replace" | "delete" | "read";

/** One resource (or data source) that the plan does something to. */
export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  readonly action: PlannedAction;
  /** Terraform's own words: `must be replaced`, `will be updated in-place`, `will be read during apply`. */
  readonly verdict: string;
  /** The attributes Terraform names as forcing the replacement (`hash_key`). */
  readonly replacedBecause: readonly string[];
  readonly attributes: readonly PlannedAttribute[];
  /** A replacement or destroy of a resource that holds data (table, bucket, key, log group, queue, topic). */
  readonly dataLoss: boolean;
  /** A replacement that creates the new object before destroying the old (`create_before_destroy`: `+/-`). */
  readonly createBeforeDestroy?: true;
}

/** One output whose value changes. */
export interface PlannedOutput {
  readonly name: string;
  readonly action: "create" | "update" | "delete";
}

/** Counts as Terraform counts them: resources only; a replacement is one to add and one to destroy. */
export interface PlanCounts {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
}

export interface StackReview {
  readonly stack: string;
  /** `added`/`removed`: the whole stack is new or gone; `changed`: the plan does something. */
  readonly status: "added" | "removed" | "changed" | "unchanged";
  readonly counts: PlanCounts;
  /** Data sources read during apply (not counted, as Terraform does not count them). */
  readonly reads: number;
  /** Data-loss risks first, then by action (replace, delete, update, create, read) and address. */
  readonly changes: readonly PlannedChange[];
  readonly outputs: readonly PlannedOutput[];
  /** How many plans the base state took to converge (0 when it came from the cache or there is no base). */
  readonly convergencePlans: number;
  /**
   * Resources whose `lifecycle.prevent_destroy` makes Terraform refuse this plan ("Instance cannot be
   * destroyed"): nothing of it would be applied. The changes are then what Terraform plans with
   * `prevent_destroy` left out of the scratch copy, so the review still says what the change would do.
   */
  readonly refusedBy?: readonly string[];
}

/** Resource types whose replacement or destruction loses data. */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  "aws_dynamodb_table",
  "aws_s3_bucket",
  "aws_kms_key",
  "aws_cloudwatch_log_group",
  "aws_sqs_queue",
  "aws_sns_topic",
]);

const ORDER: Readonly<Record<PlannedAction, number>> = {
  replace: 0,
  delete: 1,
  update: 2,
  create: 3,
  read: 4,
};

function actionOf(change: ResourceChange): PlannedAction | undefined {
  const actions = change.change.actions;
  if (actions.includes("delete") && actions.includes("create")) return "replace";
  if (actions.includes("create")) return "create";
  if (actions.includes("delete")) return "delete";
  if (actions.includes("update")) return "update";
  if (actions.includes("read")) return "read";
  return undefined;
}

const DEFAULT_VERDICT: Readonly<Record<PlannedAction, string>> = {
  create: "will be created",
  update: "will be updated in-place",
  replace: "must be replaced",
  delete: "will be destroyed",
  read: "will be read during apply",
};

/** `# aws_x.y must be replaced` lines of the plan text, by address. */
function verdicts(text: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const match of text.matchAll(/^ {2}# (\S+) (.+)$/gm)) {
    const [, address, verdict] = match as unknown as [string, string, string];
    if (!result.has(address) && !verdict.startsWith("(")) result.set(address, verdict);
  }
  return result;
}

/** The resources a plan acts on, Terraform's verdict and the attributes that change. */
export function plannedChanges(plan: PlanJson, text = ""): PlannedChange[] {
  const words = verdicts(text);
  const changes: PlannedChange[] = [];
  for (const change of plan.resource_changes ?? []) {
    const action = actionOf(change);
    if (!action) continue;
    const describe = action === "update" || action === "replace";
    changes.push({
      address: change.address,
      type: change.type,
      action,
      verdict: words.get(change.address) ?? DEFAULT_VERDICT[action],
      replacedBecause: (change.change.replace_paths ?? []).map((p) => formatPath(p)),
      attributes: describe ? plannedAttributes(change.change) : [],
      dataLoss:
        (action === "replace" || action === "delete") &&
        change.mode === "managed" &&
        STATEFUL_TYPES.has(change.type),
      ...(action === "replace" && change.change.actions[0] === "create"
        ? { createBeforeDestroy: true as const }
        : {}),
    });
  }
  return sortChanges(changes);
}

/** Data-loss risks first, then replace, delete, update, create, read; by address within each. */
function sortChanges(changes: PlannedChange[]): PlannedChange[] {
  return changes.sort(
    (a, b) =>
      Number(b.dataLoss) - Number(a.dataLoss) ||
      ORDER[a.action] - ORDER[b.action] ||
      a.address.localeCompare(b.address),
  );
}

/** Counts a list of changes the way Terraform's `Plan:` line does. */
export function countChanges(changes: readonly PlannedChange[]): PlanCounts {
  const count = (actions: PlannedAction[]) => changes.filter((c) => actions.includes(c.action)).length;
  return {
    add: count(["create", "replace"]),
    change: count(["update"]),
    destroy: count(["delete", "replace"]),
  };
}

function plannedOutputs(plan: PlanJson): PlannedOutput[] {
  const outputs: PlannedOutput[] = [];
  for (const [name, output] of Object.entries(plan.output_changes ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    const a = output.actions;
    if (a.includes("create") && a.includes("delete")) outputs.push({ name, action: "update" });
    else if (a.includes("create")) outputs.push({ name, action: "create" });
    else if (a.includes("delete")) outputs.push({ name, action: "delete" });
    else if (a.includes("update")) outputs.push({ name, action: "update" });
  }
  return outputs;
}

/** Where converged prior states are kept between runs, by a hash of the configuration they came from. */
class PriorCache {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  key(config: StackConfig, setup: TerraformSetup): string {
    const provider = setup.provider.kind === "mirror" ? setup.provider.version : "registry";
    const hash = createHash("sha256");
    hash.update(`prior-v1\n${setup.terraform.version}\n${provider}\n${JSON.stringify(config)}`);
    return hash.digest("hex").slice(0, 32);
  }

  get(key: string): StateV4 | undefined {
    const path = join(this.dir, `${key}.tfstate.json`);
    return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as StateV4) : undefined;
  }

  set(key: string, state: StateV4): void {
    writeFileSync(join(this.dir, `${key}.tfstate.json`), JSON.stringify(state));
  }
}

/** How many plans convergence may take before the review gives up on a stack. */
const MAX_CONVERGENCE_PLANS = 8;

function resourceConfigs(stack: StackConfig): ResourceConfigs {
  return (stack.resource ?? {}) as ResourceConfigs;
}

export interface ReviewOptions {
  readonly setup: TerraformSetup;
  /** Scratch folder for the workspaces. */
  readonly workDir: string;
  /** How many stacks at once. @default one per core */
  readonly parallel?: number;
  /** Progress messages. */
  readonly log?: (message: string) => void;
  /**
   * Every stack synthesized on each side, when only some are reviewed (`--stack`): the stand-in answers
   * the links they publish and the networks they look up, so a stack reviewed alone still reads its
   * producers' links (movies-prod reads auth-prod's user pool). @default the reviewed stacks
   */
  readonly synthesized?: {
    readonly before: Readonly<Record<string, StackConfig>>;
    readonly after: Readonly<Record<string, StackConfig>>;
  };
}

interface StackContext {
  readonly setup: TerraformSetup;
  readonly workspace: Workspace;
  /** The offline AWS stand-in's endpoint. */
  readonly aws: string;
  readonly cache: PriorCache;
  readonly log: (message: string) => void;
}

/** The offline form of a stack's configuration, pinned to the provider this machine plans with. */
function prepare(context: StackContext, stack: StackConfig): StackConfig {
  const providerVersion = plannedProviderVersion(context.setup, providerPin(stack));
  return offlineConfig(stack, { providerVersion, awsEndpoint: context.aws });
}

/** A plan the workspace made: what `terraform plan` said, and its `show -json`. */
interface MadePlan {
  readonly run: PlanRun;
  readonly plan: PlanJson;
}

/**
 * The state a first apply of `base` would leave, planned until it converges (cached by configuration).
 * When it was planned here, `last` is the plan that found it converged: that of `base` against `state`,
 * with this run's stand-in, and `config` the offline configuration it planned (JSON).
 */
async function convergedState(
  context: StackContext,
  name: string,
  base: StackConfig,
): Promise<{ state: StateV4; plans: number; last?: MadePlan & { readonly config: string } }> {
  const key = context.cache.key(prepare({ ...context, aws: "http://aws.offline" }, base), context.setup);
  const cached = context.cache.get(key);
  if (cached) return { state: cached, plans: 0 };
  const { workspace, setup } = context;
  const offline = prepare(context, base);
  workspace.setConfig(offline);
  workspace.setState(undefined);
  const schemas: ProviderSchemas = await workspace.providerSchema();
  const options = { terraformVersion: setup.terraform.version };
  await workspace.plan();
  let state = priorStateFrom(await workspace.showPlan(), schemas, resourceConfigs(base), options);
  for (let plans = 2; plans <= MAX_CONVERGENCE_PLANS + 1; plans++) {
    workspace.setState(state);
    const run = await workspace.plan();
    const plan = await workspace.showPlan();
    if (planIsEmpty(plan)) {
      context.cache.set(key, state);
      context.log(`plan-diff: ${name}: base state converged after ${plans} plans`);
      return { state, plans, last: { run, plan, config: JSON.stringify(offline) } };
    }
    state = priorStateFrom(plan, schemas, resourceConfigs(base), { ...options, serial: plans });
  }
  throw new Error(
    `${name}: the prior state built from the base configuration did not converge in ${MAX_CONVERGENCE_PLANS} plans; ` +
      `the review cannot tell real changes from placeholders (keep the workspace with --keep to inspect it)`,
  );
}

/**
 * The resources Terraform names in its "Instance cannot be destroyed" errors (`Resource <address> has
 * lifecycle.prevent_destroy set`), each once, sorted.
 */
export function preventDestroyRefusals(message: string): string[] {
  const found = message.matchAll(/Resource\s+(\S+)\s+has\s+lifecycle\.prevent_destroy\s+set/g);
  return [...new Set([...found].map((m) => m[1] as string))].sort();
}

/** `stack` without any `lifecycle.prevent_destroy` (a copy; the input is not modified). */
export function withoutPreventDestroy(stack: StackConfig): StackConfig {
  const copy = structuredClone(stack) as StackConfig & {
    resource?: Record<string, Record<string, Record<string, unknown>>>;
  };
  for (const byName of Object.values(copy.resource ?? {})) {
    for (const config of Object.values(byName)) {
      const lifecycle = config.lifecycle as Record<string, unknown> | undefined;
      if (!lifecycle || !("prevent_destroy" in lifecycle)) continue;
      delete lifecycle.prevent_destroy;
      if (Object.keys(lifecycle).length === 0) delete config.lifecycle;
    }
  }
  return copy;
}

/**
 * Plans `config` against the workspace's state. When Terraform refuses the plan because it would destroy
 * a resource with `prevent_destroy`, plans it again without that guard, so the review can show what the
 * change does and say that Terraform refuses it.
 */
async function planOrRefusal(context: StackContext, config: StackConfig) {
  const { workspace } = context;
  workspace.setConfig(prepare(context, config));
  try {
    return { run: await workspace.plan(), refusedBy: [] as string[] };
  } catch (error) {
    const refusedBy = error instanceof TerraformCommandError ? preventDestroyRefusals(error.message) : [];
    if (refusedBy.length === 0) throw error;
    workspace.setConfig(prepare(context, withoutPreventDestroy(config)));
    return { run: await workspace.plan(), refusedBy };
  }
}

async function reviewStack(
  context: StackContext,
  stack: string,
  before: StackConfig | undefined,
  after: StackConfig | undefined,
): Promise<StackReview> {
  const { workspace } = context;
  let convergencePlans = 0;
  let changes: PlannedChange[];
  let outputs: PlannedOutput[];
  let refusedBy: string[] = [];
  if (!after) {
    // The stack is gone: destroying it destroys every resource its base plan creates.
    workspace.setConfig(prepare(context, before as StackConfig));
    const run = await workspace.plan();
    const plan = await workspace.showPlan();
    const destroyed = plannedChanges(plan, run.text)
      .filter((c) => c.action !== "read")
      .map((c) => ({ ...c, action: "delete" as const, verdict: DEFAULT_VERDICT.delete, attributes: [] }));
    changes = sortChanges(destroyed.map((c) => ({ ...c, dataLoss: STATEFUL_TYPES.has(c.type) })));
    outputs = plannedOutputs(plan).map((o) => ({ ...o, action: "delete" as const }));
  } else {
    let converged: Awaited<ReturnType<typeof convergedState>> | undefined;
    if (before) {
      converged = await convergedState(context, stack, before);
      convergencePlans = converged.plans;
      workspace.setState(converged.state);
    } else {
      workspace.setState(undefined);
    }
    // An unchanged configuration's plan against the state just converged is the plan that converged it
    // (same configuration, state and stand-in): reuse it. A cached state is planned, as the links the
    // stack reads may have changed since it converged.
    let made: MadePlan;
    if (converged?.last && converged.last.config === JSON.stringify(prepare(context, after))) {
      context.log(`plan-diff: ${stack}: unchanged configuration; its last converging plan is its plan`);
      made = converged.last;
    } else {
      const planned = await planOrRefusal(context, after);
      refusedBy = planned.refusedBy;
      made = { run: planned.run, plan: await workspace.showPlan() };
    }
    changes = plannedChanges(made.plan, made.run.text);
    outputs = plannedOutputs(made.plan);
  }
  const counts = countChanges(changes);
  const reads = changes.filter((c) => c.action === "read").length;
  const status = !before
    ? "added"
    : !after
      ? "removed"
      : counts.add + counts.change + counts.destroy + outputs.length > 0
        ? "changed"
        : "unchanged";
  return {
    stack,
    status,
    counts,
    reads,
    changes,
    outputs,
    convergencePlans,
    ...(refusedBy.length > 0 ? { refusedBy } : {}),
  };
}

/**
 * Reviews every stack of `before` and `after` (by name; a stack on one side only is added or removed),
 * `parallel` at a time, each in its own workspace under `workDir`.
 */
export async function reviewStacks(
  before: Readonly<Record<string, StackConfig>>,
  after: Readonly<Record<string, StackConfig>>,
  options: ReviewOptions,
): Promise<StackReview[]> {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const all = options.synthesized ?? { before, after };
  // A link is read as the head publishes it where both sides do: one stand-in serves both plans.
  const aws = await startOfflineAws(
    new Map([...publishedLinks(all.before), ...publishedLinks(all.after)]),
    // Both sides' lookups: a VPC only the base looks up is still answered for the base's plan.
    declaredNetwork(
      Object.fromEntries([
        ...Object.entries(all.before).map(([name, json]) => [`base:${name}`, json] as const),
        ...Object.entries(all.after),
      ]),
    ),
  );
  const cache = new PriorCache(join(options.setup.cacheDir, "priors"));
  const log = options.log ?? (() => undefined);
  try {
    return await inParallel(names, options.parallel ?? parallelism(), async (stack) => {
      const workspace = new Workspace(options.setup, join(options.workDir, stack));
      const context: StackContext = { setup: options.setup, workspace, aws: aws.endpoint, cache, log };
      log(`plan-diff: planning ${stack}`);
      return reviewStack(context, stack, before[stack], after[stack]);
    });
  } finally {
    await aws.close();
  }
}
