import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { projectRoot } from "../../../tooling/project-root";

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
}
interface Job {
  readonly if?: string;
  readonly environment?: string;
  readonly permissions?: Record<string, string>;
  readonly needs?: string[];
  readonly steps: Step[];
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const read = (name: string): Workflow =>
  parse(readFileSync(join(projectRoot, ".github", "workflows", name), "utf8")) as Workflow;
const steps = (w: Workflow): Step[] => Object.values(w.jobs).flatMap((j) => j.steps);
const scripts = Object.keys(
  (JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { scripts: Record<string, string> })
    .scripts,
);

describe.each(["pr.yml", "deploy.yml"])("%s", (name) => {
  const workflow = read(name);

  it("calls only npm scripts that exist in package.json", () => {
    const called = steps(workflow)
      .flatMap((s) => [...(s.run ?? "").matchAll(/npm run (?:--silent )?([\w:-]+)/g)])
      .map((m) => m[1]);
    expect(called.length).toBeGreaterThan(0);
    for (const script of called) expect(scripts).toContain(script);
  });

  it("pins every action to a release version", () => {
    for (const step of steps(workflow).filter((s) => s.uses)) {
      expect(step.uses).toMatch(/^[\w-]+\/[\w-]+@v\d+\.\d+\.\d+$/);
    }
  });

  it("only reads the repository by default", () => {
    expect(workflow.permissions).toEqual({ contents: "read" });
  });

  it("installs exactly what the lock file says and runs the tests", () => {
    const runs = steps(workflow).map((s) => s.run);
    expect(runs).toContain("npm ci");
    expect(runs).toContain("npm test");
    expect(runs).not.toContain("npm install");
  });

  it("sets Terraform up before the tests, which check the synthesized HCL with it and require it in CI", () => {
    const testing = Object.values(workflow.jobs).filter((j) => j.steps.some((s) => s.run === "npm test"));
    expect(testing.length).toBeGreaterThan(0);
    for (const job of testing) {
      const test = job.steps.findIndex((s) => s.run === "npm test");
      const terraform = job.steps.findIndex((s) => s.uses?.startsWith("hashicorp/setup-terraform@"));
      expect({ terraform: terraform >= 0 && terraform < test, with: job.steps[terraform]?.with }).toEqual({
        terraform: true,
        with: { terraform_version: "1.12.2", terraform_wrapper: false },
      });
    }
  });
});

describe("pr.yml", () => {
  const workflow = read("pr.yml");

  it("runs on pull requests: test and validate with Terraform, the plan diff as a sticky comment", () => {
    expect(Object.keys(workflow.on)).toEqual(["pull_request"]);
    expect(workflow.jobs.test?.steps.map((s) => s.run).filter(Boolean)).toEqual([
      "npm ci",
      "npm test",
      "npm run validate",
    ]);
    const diff = workflow.jobs["plan-diff"] as Job;
    for (const job of [workflow.jobs.test as Job, diff]) {
      expect(job.steps.find((s) => s.uses?.startsWith("hashicorp/setup-terraform@"))?.with).toEqual({
        terraform_version: "1.12.2",
        terraform_wrapper: false,
      });
    }
    expect(diff.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    const run = diff.steps.find((s) => s.run?.includes("plan:diff"))?.run;
    expect(run).toContain(
      'npm run --silent plan:diff -- "origin/$BASE_REF" --keep .plan-diff --format markdown --json plan-diff.json > plan-diff.md',
    );
    expect(run).toContain('jq -c \'[.stacks[] | select(.status == "changed" or .status == "added")');
    expect(
      diff.steps.find((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment@"))?.with,
    ).toEqual({
      header: "plan-diff",
      path: "plan-diff-comment.md",
    });
  });

  it("plans each changed stack with OIDC credentials and Terraform >= 1.10, and attaches the plan", () => {
    const plan = workflow.jobs.plan as Job;
    expect(plan.needs).toEqual(["test", "plan-diff"]);
    expect(plan.permissions?.["id-token"]).toBe("write");
    expect(plan.if).toContain("vars.AWS_PLAN_ROLE_ARN != ''");
    const uses = (prefix: string) => plan.steps.find((s) => s.uses?.startsWith(prefix));
    expect(uses("aws-actions/configure-aws-credentials@")?.with?.["role-to-assume"]).toBe(
      "${{ vars.AWS_PLAN_ROLE_ARN }}",
    );
    expect(uses("hashicorp/setup-terraform@")?.with).toEqual({
      terraform_version: "1.12.2",
      terraform_wrapper: false,
    });
    expect(plan.steps.find((s) => s.run?.includes("cdktf diff"))?.run).toContain(
      'npx cdktf diff "$STACK" --skip-synth --no-color 2>&1 | tee "plans/$STACK.txt"',
    );
    expect(uses("actions/upload-artifact@")?.with?.path).toBe("plans/");
  });
});

describe("deploy.yml", () => {
  const workflow = read("deploy.yml");
  const deploy = workflow.jobs.deploy as Job;

  it("deploys dev on push to main, staging and prod only by manual dispatch", () => {
    expect(workflow.on.push).toEqual({ branches: ["main"] });
    expect(workflow.on.workflow_dispatch).toEqual({
      inputs: {
        environment: {
          description: "Environment to deploy",
          type: "choice",
          required: true,
          options: ["staging", "prod"],
        },
      },
    });
    expect(deploy.if).toBe("github.ref == 'refs/heads/main'");
  });

  it("runs behind the GitHub environment it deploys, with OIDC credentials", () => {
    expect(deploy.environment).toBe("${{ inputs.environment || 'dev' }}");
    expect(deploy.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(deploy.steps.find((s) => s.run?.includes('cdktf deploy "*-'))?.run).toContain(
      'npx cdktf deploy "*-$ENVIRONMENT" --skip-synth --auto-approve',
    );
  });

  it("deploys the producers of links first, then the catalog's repository, image and service, in that order", () => {
    const runs = deploy.steps.map((s) => s.run ?? "");
    const index = (fragment: string) => runs.findIndex((r) => r.includes(fragment));
    const producers = index('npx cdktf deploy "movies-$ENVIRONMENT" "orders-$ENVIRONMENT"');
    const repository = index('aws ecr describe-repositories --repository-names "catalog-$ENVIRONMENT"');
    const image = index("docker build --file containers/catalog/Dockerfile");
    const digest = index('echo "MOVIES_CATALOG_IMAGE_DIGEST=$digest" >> "$GITHUB_ENV"');
    const all = index('npx cdktf deploy "*-$ENVIRONMENT"');
    const synths = runs.flatMap((r, i) => (r === "npm run synth" ? [i] : []));
    expect(producers).toBeGreaterThan(synths[0] as number);
    expect(repository).toBeGreaterThan(producers);
    expect(image).toBe(digest);
    expect(image).toBeGreaterThan(repository);
    // The last synth reads the digest the push wrote to $GITHUB_ENV; the last deploy uses it.
    expect(synths[1]).toBeGreaterThan(digest);
    expect(all).toBeGreaterThan(synths[1] as number);
    expect(runs[image]).toContain("docker push");
  });

  it("deploys the auth stack before the others, which read its service links", () => {
    const run = deploy.steps.find((s) => s.run?.includes("cdktf deploy"))?.run ?? "";
    const deploys = run.split("\n").filter((line) => line.includes("npx cdktf deploy"));
    expect(deploys.map((line) => line.trim().split(" ")[3])).toEqual([
      '"auth-$ENVIRONMENT"',
      '"movies-$ENVIRONMENT"',
    ]);
  });
});
