import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../review/validate";
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
