import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
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

describe("npm run synth (compiled app, as cdktf runs it)", () => {
  let outA: string;
  let outB: string;

  beforeAll(() => {
    execFileSync("npm", ["run", "--silent", "build:infra"], { cwd: projectRoot, stdio: "pipe" });
    const synth = (outdir: string) =>
      execFileSync("node", ["dist/infra/main.js"], {
        cwd: projectRoot,
        env: {
          ...process.env,
          CDKTF_OUTDIR: outdir,
          CHECKPOINT_DISABLE: "1",
          MOVIES_STATE_BUCKET: "",
          MOVIES_STAGE: "",
        },
        stdio: "pipe",
      });
    outA = mkdtempSync(join(tmpdir(), "synth-a-"));
    outB = mkdtempSync(join(tmpdir(), "synth-b-"));
    synth(outA);
    synth(outB);
  }, 60_000);

  afterAll(() => {
    rmSync(outA, { recursive: true, force: true });
    rmSync(outB, { recursive: true, force: true });
  });

  it("writes every environment's stack and the state bootstrap", () => {
    const manifest = JSON.parse(readFileSync(join(outA, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks).sort()).toEqual(
      [
        "movies-dev",
        "movies-staging",
        "movies-prod",
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
    expect(manifest.stacks["movies-dev"].annotations).toEqual([
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
