import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StackConfig } from "../../review/terraform";
import { main, validateStacks } from "../../review/validate";
import { terraformForTests } from "../helpers/terraform";

/** A cdktf output folder (manifest + one cdk.tf.json per stack) with the stacks given. */
function writeOutput(dir: string, stacks: Record<string, unknown>): void {
  const manifest: Record<string, unknown> = {};
  for (const [name, json] of Object.entries(stacks)) {
    mkdirSync(join(dir, "stacks", name), { recursive: true });
    writeFileSync(join(dir, "stacks", name, "cdk.tf.json"), JSON.stringify(json));
    manifest[name] = { synthesizedStackPath: `stacks/${name}/cdk.tf.json` };
  }
  writeFileSync(join(dir, "manifest.json"), JSON.stringify({ stacks: manifest }));
}

/** A one-queue stack as cdktf writes it; `override` is merged into the queue (like addOverride). */
function queueStack(override: Record<string, unknown> = {}) {
  return {
    terraform: {
      backend: {
        s3: { bucket: "state", key: "fixture.tfstate", region: "eu-central-1", use_lockfile: true },
      },
      required_providers: { aws: { source: "aws", version: "6.25.0" } },
    },
    provider: { aws: [{ region: "eu-central-1" }] },
    resource: { aws_sqs_queue: { jobs_queue: { name: "jobs-dev", ...override } } },
  };
}

describe("npm run validate", () => {
  const setup = terraformForTests("validate");
  let dir: string;
  let stdout: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "validate-fixture-"));
    stdout = "";
    jest.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it("fails a stack with an unknown argument with Terraform's own message, and plans the others", async () => {
    if (!setup) return;
    writeOutput(dir, {
      "broken-dev": queueStack({ unknown_argument: true }),
      "jobs-dev": queueStack(),
    });
    const code = await main(["--dir", dir]);
    expect(code).toBe(1);
    const lines = stdout.split("\n");
    expect(lines[0]).toMatch(/^validate: Terraform \d+\.\d+\.\d+, hashicorp\/aws /);
    expect(stdout).toMatch(/^jobs-dev: 1 to add, 0 to change, 0 to destroy \(\d+\.\d s\)$/m);
    expect(stdout).toMatch(/^broken-dev: FAILED \(\d+\.\d s\)$/m);
    expect(stdout).toContain('No argument or block type is named "unknown_argument".');
    expect(stdout).toMatch(/^validate: 1 of 2 stacks failed \(broken-dev\) in \d+\.\d s$/m);
  });

  it("plans only the stacks named, and exits 0 when they pass", async () => {
    if (!setup) return;
    writeOutput(dir, { "broken-dev": queueStack({ unknown_argument: true }), "jobs-dev": queueStack() });
    expect(await main(["--dir", dir, "jobs-dev"])).toBe(0);
    expect(stdout).not.toContain("broken-dev");
    expect(stdout).toMatch(/^validate: 1 stacks valid and planned in \d+\.\d s$/m);
  });

  it("names the stacks there are when asked for one that is not", async () => {
    writeOutput(dir, { "jobs-dev": queueStack() });
    jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(await main(["--dir", dir, "nope-dev"])).toBe(2);
  });
});

describe("npm run validate: links between stacks", () => {
  const setup = terraformForTests("validate-links");
  let dir: string;
  let stdout: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "validate-links-"));
    stdout = "";
    jest.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  /** jobs-dev publishes its queue's ARN; `name` reads `parameter` and uses it as its dead-letter queue. */
  function consumer(parameter: string) {
    return {
      ...queueStack(),
      data: { aws_ssm_parameter: { jobs_queue_arn: { name: parameter } } },
      resource: {
        aws_sqs_queue: {
          retries_queue: {
            name: "retries-dev",
            redrive_policy:
              '${jsonencode({"deadLetterTargetArn" = data.aws_ssm_parameter.jobs_queue_arn.value, "maxReceiveCount" = 3})}',
          },
        },
      },
    };
  }
  const producer = {
    ...queueStack(),
    resource: {
      ...queueStack().resource,
      aws_ssm_parameter: {
        jobs_queue_arn: {
          name: "/movies-cdktf/dev/jobs/queue-arn",
          type: "String",
          value: "${aws_sqs_queue.jobs_queue.arn}",
        },
      },
    },
  };

  it("plans a consumer alone against what the producer publishes, and fails one whose link nobody publishes", async () => {
    if (!setup) return;
    writeOutput(dir, {
      "jobs-dev": producer,
      "retries-dev": consumer("/movies-cdktf/dev/jobs/queue-arn"),
      "orphan-dev": consumer("/movies-cdktf/dev/jobs/missing"),
    });
    expect(await main(["--dir", dir, "retries-dev", "orphan-dev"])).toBe(1);
    expect(stdout).toMatch(/^retries-dev: 1 to add, 0 to change, 0 to destroy \(\d+\.\d s\)$/m);
    expect(stdout).toMatch(/^orphan-dev: FAILED \(\d+\.\d s\)$/m);
    // The provider's words for SSM's ParameterNotFound.
    expect(stdout).toContain(
      "reading SSM Parameter (/movies-cdktf/dev/jobs/missing): couldn't find resource",
    );
  });
});

describe("npm run validate: a platform VPC looked up by id", () => {
  const setup = terraformForTests("validate-network");
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "validate-network-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A stack that looks its VPC and a subnet of it up, as ExistingNetwork does, and names a queue after them. */
  const service = {
    ...queueStack(),
    data: {
      aws_vpc: { platform: { id: "vpc-0aaa" } },
      aws_subnet: { private_1: { id: "subnet-0bbb", vpc_id: "${data.aws_vpc.platform.id}" } },
    },
    resource: {
      aws_sqs_queue: {
        jobs_queue: {
          name: "jobs-${data.aws_subnet.private_1.availability_zone}",
        },
      },
    },
  } as unknown as StackConfig;

  it("plans against the ids the stacks declare, and fails a subnet that is not in the VPC the stack names", async () => {
    if (!setup) return;
    const [declared] = await validateStacks({ "service-dev": service }, { setup, workDir: join(dir, "a") });
    expect(declared).toMatchObject({ ok: true, detail: "1 to add, 0 to change, 0 to destroy" });
    // As AWS would have it if the subnet belonged to another VPC: the lookup in vpc-0aaa finds nothing.
    const elsewhere = { vpcs: ["vpc-0aaa", "vpc-0ccc"], subnets: new Map([["subnet-0bbb", "vpc-0ccc"]]) };
    const [moved] = await validateStacks(
      { "service-dev": service },
      { setup, workDir: join(dir, "b"), network: elsewhere },
    );
    expect(moved?.ok).toBe(false);
    expect(moved?.detail).toContain("no matching EC2 Subnet found");
  }, 180_000);
});
