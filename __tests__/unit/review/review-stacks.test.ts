/**
 * reviewStacks with a stand-in `terraform` that plans one kind of resource (a queue with a name and a
 * computed ARN) and logs every command: how many plans a review runs, whatever Terraform would take.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reviewStacks } from "../../../review/plan-review";
import type { StackConfig, TerraformSetup } from "../../../review/terraform";

/**
 * The stand-in: `plan` compares cdk.tf.json's queues with terraform.tfstate's (a queue whose name
 * differs is updated) and saves the changes in plan.bin; `show -json` prints them as Terraform does.
 */
const FAKE_TERRAFORM = `#!/usr/bin/env node
const fs = require("node:fs");
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_TERRAFORM_LOG, args[0] + "\\n");
const print = (value) => process.stdout.write(JSON.stringify(value));
if (args[0] === "providers") {
  const attributes = {
    arn: { type: "string", computed: true },
    id: { type: "string", optional: true, computed: true },
    name: { type: "string", required: true },
  };
  const block = { attributes };
  print({ provider_schemas: { "registry.terraform.io/hashicorp/aws": { resource_schemas: { aws_sqs_queue: { version: 0, block } } } } });
} else if (args[0] === "plan") {
  const queues = JSON.parse(fs.readFileSync("cdk.tf.json", "utf8")).resource.aws_sqs_queue;
  const state = fs.existsSync("terraform.tfstate") ? JSON.parse(fs.readFileSync("terraform.tfstate", "utf8")) : { resources: [] };
  const changes = Object.entries(queues).map(([name, config]) => {
    const before = state.resources.find((r) => r.name === name)?.instances[0].attributes ?? null;
    const actions = !before ? ["create"] : before.name === config.name ? ["no-op"] : ["update"];
    const after = { ...(before ?? {}), name: config.name };
    const after_unknown = before ? {} : { arn: true, id: true };
    return { address: "aws_sqs_queue." + name, mode: "managed", type: "aws_sqs_queue", name, change: { actions, before, after, after_unknown } };
  });
  fs.writeFileSync("plan.bin", JSON.stringify(changes));
  const changed = changes.filter((c) => c.change.actions[0] !== "no-op").length;
  process.stdout.write(changed ? "Plan: " + changed + " to change.\\n" : "No changes.\\n");
} else if (args[0] === "show") {
  print({ format_version: "1.2", terraform_version: "1.2.3", resource_changes: JSON.parse(fs.readFileSync("plan.bin", "utf8")) });
}
`;

let dir: string;
let log: string;
let setup: TerraformSetup;
const previousLog = process.env.FAKE_TERRAFORM_LOG;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "review-stacks-"));
  log = join(dir, "commands.log");
  writeFileSync(log, "");
  process.env.FAKE_TERRAFORM_LOG = log;
  mkdirSync(join(dir, "bin"));
  const binary = join(dir, "bin", "terraform");
  writeFileSync(binary, FAKE_TERRAFORM);
  chmodSync(binary, 0o755);
  setup = {
    terraform: { binary, version: "1.2.3" },
    provider: { kind: "registry" },
    cacheDir: join(dir, "cache"),
    cliConfigFile: join(dir, "cli.tfrc"),
  };
});

afterEach(() => {
  if (previousLog === undefined) delete process.env.FAKE_TERRAFORM_LOG;
  else process.env.FAKE_TERRAFORM_LOG = previousLog;
  rmSync(dir, { recursive: true, force: true });
});

function queueStack(name: string): StackConfig {
  return {
    terraform: { required_providers: { aws: { source: "aws", version: "6.25.0" } } },
    provider: { aws: [{ region: "eu-central-1" }] },
    resource: { aws_sqs_queue: { jobs: { name } } },
  } as StackConfig;
}

/** The commands the stand-in ran, in order. */
function commands(): string[] {
  return readFileSync(log, "utf8").split("\n").filter(Boolean);
}

async function review(before: StackConfig, after: StackConfig, workDir: string) {
  return reviewStacks({ "jobs-dev": before }, { "jobs-dev": after }, { setup, workDir, parallel: 1 });
}

describe("reviewStacks: how many plans", () => {
  it("reuses the plan that converged an unchanged stack's base state instead of planning it again", async () => {
    const [unchanged] = await review(queueStack("jobs"), queueStack("jobs"), join(dir, "a"));
    expect(unchanged).toMatchObject({ status: "unchanged", convergencePlans: 2, changes: [] });
    expect(commands().filter((c) => c === "plan")).toHaveLength(2);
  });

  it("plans the head against a converged state when the stack changed", async () => {
    const [changed] = await review(queueStack("jobs"), queueStack("jobs-renamed"), join(dir, "a"));
    expect(changed).toMatchObject({ status: "changed", convergencePlans: 2 });
    expect(changed?.changes.map((c) => [c.action, c.address])).toEqual([["update", "aws_sqs_queue.jobs"]]);
    expect(commands().filter((c) => c === "plan")).toHaveLength(3);
  });

  it("plans an unchanged stack whose base state came from the cache: the links it reads may differ", async () => {
    await review(queueStack("jobs"), queueStack("jobs"), join(dir, "a"));
    writeFileSync(log, "");
    const [cached] = await review(queueStack("jobs"), queueStack("jobs"), join(dir, "b"));
    expect(cached).toMatchObject({ status: "unchanged", convergencePlans: 0, changes: [] });
    expect(commands().filter((c) => c === "plan")).toHaveLength(1);
  });
});
