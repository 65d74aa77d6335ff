import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { synthReport } from "../../../stacks/synth-report";
import { projectRoot } from "../../../tooling/project-root";

/** Every file below `dir`, relative path → bytes. */
function tree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path));
    }
  };
  walk(dir);
  return files;
}

/** The environment the compiled app runs with: the committed config, nothing from the caller's shell. */
function appEnv(outdir: string, continueOnErrors: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CDKTF_OUTDIR: outdir,
    CHECKPOINT_DISABLE: "1",
    MOVIES_STATE_BUCKET: "",
    MOVIES_STAGE: "",
  };
  delete env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
  return continueOnErrors ? { ...env, CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "1" } : env;
}

describe("npm run synth (compiled app, as cdktf runs it)", () => {
  let outA: string;
  let outB: string;
  let printed: string;

  beforeAll(() => {
    execFileSync("npm", ["run", "--silent", "build:infra"], { cwd: projectRoot, stdio: "pipe" });
    // As `npm run synth` runs it: stacks that cannot be deployed yet are still written.
    const synth = (outdir: string) =>
      execFileSync("node", ["dist/infra/main.js"], {
        cwd: projectRoot,
        env: appEnv(outdir, true),
        encoding: "utf8",
        stdio: "pipe",
      });
    outA = mkdtempSync(join(tmpdir(), "synth-a-"));
    outB = mkdtempSync(join(tmpdir(), "synth-b-"));
    printed = synth(outA);
    synth(outB);
  }, 60_000);

  afterAll(() => {
    rmSync(outA, { recursive: true, force: true });
    rmSync(outB, { recursive: true, force: true });
  });

  it("prints the synth report: concurrency reserved, warnings and errors (stacks/synth-report.ts)", () => {
    expect(printed).toBe(`${synthReport(outA).join("\n")}\n`);
    expect(printed).toContain("  movies-prod: 200 (4 functions, 50 each)");
  });

  it("writes every environment's stack and the state bootstrap", () => {
    const manifest = JSON.parse(readFileSync(join(outA, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks).sort()).toEqual(
      [
        "account-eu-central-1",
        "auth-dev",
        "auth-staging",
        "auth-prod",
        "catalog-dev",
        "catalog-staging",
        "catalog-prod",
        "movies-dev",
        "movies-staging",
        "movies-prod",
        "notifications-dev",
        "notifications-staging",
        "notifications-prod",
        "orders-dev",
        "orders-staging",
        "orders-prod",
        "state-bootstrap",
      ].sort(),
    );
    const stack = JSON.parse(readFileSync(join(outA, "stacks", "movies-dev", "cdk.tf.json"), "utf8"));
    expect(stack.resource.aws_lambda_function.get_movie_lambda.function_name).toBe("get-movie-dev");
  });

  it("passes the guardrails, reporting the one waiver and its reason in the manifest", () => {
    const manifest = JSON.parse(readFileSync(join(outA, "manifest.json"), "utf8"));
    const annotations = manifest.stacks["movies-dev"].annotations as { level: string }[];
    expect(annotations.filter((a) => a.level === "@cdktf/info")).toEqual([
      {
        constructPath: "movies-dev/monitoring/alerts/key_policy_document",
        level: "@cdktf/info",
        message: expect.stringMatching(/^guardrail iam-wildcard-action waived: KMS key policy: /),
      },
    ]);
  });

  it("writes the orders-dev stack beside it, with its own state key", () => {
    const stack = JSON.parse(readFileSync(join(outA, "stacks", "orders-dev", "cdk.tf.json"), "utf8"));
    expect(stack.resource.aws_lambda_function.orders_lambda.function_name).toBe("orders-dev");
    expect(stack.terraform.backend.s3.key).toBe("orders/orders-dev.tfstate");
  });

  it("is byte-identical from one synth to the next", () => {
    const a = tree(outA);
    const b = tree(outB);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [path, bytes] of a) {
      expect({ path, same: bytes.equals(b.get(path) as Buffer) }).toEqual({ path, same: true });
    }
  });
});

describe("the committed configuration, before a team sets up its account", () => {
  let outdir: string;
  beforeAll(() => {
    execFileSync("npm", ["run", "--silent", "build:infra"], { cwd: projectRoot, stdio: "pipe" });
    outdir = mkdtempSync(join(tmpdir(), "synth-unconfigured-"));
  }, 60_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("stops cdktf (deploy, diff, synth) naming each key to set: the state bucket's account, then its key", () => {
    const run = spawnSync("node", ["dist/infra/main.js"], {
      cwd: projectRoot,
      env: appEnv(outdir, false),
      encoding: "utf8",
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(
      "[auth-dev] No state bucket: set stateBucket.accountId in stacks/config.ts to the account that holds it " +
        "(it is then named movies-cdktf-tfstate-<account>-eu-central-1), or name it with stateBucket.bucket or " +
        "MOVIES_STATE_BUCKET=<a globally unique bucket name>.",
    );
    expect(run.stderr).toContain(
      "[auth-dev] No state key: deploy the bootstrap first (npm run deploy:bootstrap), then set " +
        "stateBucket.kmsKeyArn in stacks/config.ts to its output state_bucket_kms_key_arn.",
    );
  });

  it("still synthesizes the bootstrap alone, which can be deployed first (npm run deploy:bootstrap)", () => {
    const run = spawnSync("node", ["dist/infra/bootstrap.js"], {
      cwd: projectRoot,
      env: appEnv(outdir, false),
      encoding: "utf8",
    });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks)).toEqual(["state-bootstrap"]);
    expect(manifest.stacks["state-bootstrap"].annotations).toEqual([]);
  });
});
