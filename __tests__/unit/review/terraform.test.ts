import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  describeProvider,
  findProviderMirror,
  findTerraform,
  inParallel,
  OFFLINE_ACCOUNT_ID,
  offlineConfig,
  planSummary,
  providerPin,
  startOfflineAws,
  terraformPlatform,
  TERRAFORM_GOGC,
  Workspace,
  type StackConfig,
  type TerraformSetup,
} from "../../../review/terraform";
import { publishedLinks } from "../../../tooling/service-links";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "review-terraform-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A `terraform` stand-in: `version -json` prints `version`; anything else prints its environment. */
function fakeTerraform(folder: string, version: string): string {
  mkdirSync(folder, { recursive: true });
  const path = join(folder, "terraform");
  writeFileSync(
    path,
    [
      "#!/bin/sh",
      `if [ "$1" = version ] && [ "$2" = -json ]; then echo '{"terraform_version":"${version}"}'; exit 0; fi`,
      "env",
      "",
    ].join("\n"),
  );
  chmodSync(path, 0o755);
  return path;
}

/** An unpacked mirror entry: `registry.terraform.io/hashicorp/aws/<version>/<platform>/terraform-provider-aws_v<version>_x5`. */
function mirrorProvider(root: string, version: string, platform = terraformPlatform()): void {
  const folder = join(root, "registry.terraform.io", "hashicorp", "aws", version, platform);
  mkdirSync(folder, { recursive: true });
  const binary = join(folder, `terraform-provider-aws_v${version}_x5`);
  writeFileSync(binary, "");
  chmodSync(binary, 0o755);
}

describe("findTerraform", () => {
  it("uses TERRAFORM_BINARY over PATH and reads the version from `terraform version -json`", () => {
    const chosen = fakeTerraform(join(dir, "chosen"), "1.2.3");
    fakeTerraform(join(dir, "on-path"), "9.9.9");
    expect(findTerraform({ TERRAFORM_BINARY: chosen, PATH: join(dir, "on-path") })).toEqual({
      binary: chosen,
      version: "1.2.3",
    });
  });

  it("returns undefined when TERRAFORM_BINARY does not exist, even with a terraform on PATH", () => {
    fakeTerraform(join(dir, "on-path"), "9.9.9");
    const missing = join(dir, "missing", "terraform");
    expect(findTerraform({ TERRAFORM_BINARY: missing, PATH: join(dir, "on-path") })).toBeUndefined();
  });
});

describe("findProviderMirror", () => {
  it("returns TF_PROVIDER_MIRROR and its newest version, compared numerically (5.100.0 after 5.9.0)", () => {
    mirrorProvider(dir, "5.9.0");
    mirrorProvider(dir, "5.100.0");
    expect(findProviderMirror({ TF_PROVIDER_MIRROR: dir })).toEqual({ root: dir, version: "5.100.0" });
  });

  it("ignores versions that have no provider binary for this platform", () => {
    mirrorProvider(dir, "5.9.0");
    mirrorProvider(dir, "6.0.0", "plan9_mips");
    expect(findProviderMirror({ TF_PROVIDER_MIRROR: dir })).toEqual({ root: dir, version: "5.9.0" });
  });

  it("throws, naming the expected layout, when TF_PROVIDER_MIRROR holds no hashicorp/aws", () => {
    const platform = terraformPlatform();
    expect(() => findProviderMirror({ TF_PROVIDER_MIRROR: dir })).toThrow(
      new Error(
        `TF_PROVIDER_MIRROR=${dir} holds no hashicorp/aws provider for ${platform} ` +
          `(expected registry.terraform.io/hashicorp/aws/<version>/${platform}/terraform-provider-aws_*)`,
      ),
    );
  });
});

describe("terraformPlatform", () => {
  const real = { platform: process.platform, arch: process.arch };
  const pretend = (platform: string, arch: string) => {
    Object.defineProperty(process, "platform", { value: platform, configurable: true });
    Object.defineProperty(process, "arch", { value: arch, configurable: true });
  };
  afterEach(() => pretend(real.platform, real.arch));

  it.each([
    ["linux", "x64", "linux_amd64"],
    ["linux", "arm64", "linux_arm64"],
    ["darwin", "arm64", "darwin_arm64"],
    ["win32", "ia32", "win32_386"],
    ["linux", "arm", "linux_arm"],
    ["freebsd", "riscv64", "freebsd_riscv64"],
  ])("names %s/%s as Terraform does: %s", (platform, arch, expected) => {
    pretend(platform, arch);
    expect(terraformPlatform()).toBe(expected);
  });
});

describe("offlineConfig", () => {
  const stack = (): StackConfig => ({
    terraform: {
      required_providers: { aws: { source: "aws", version: "6.0.0" } },
      backend: { s3: { bucket: "movies-state", key: "movies-dev.tfstate", region: "eu-central-1" } },
    },
    provider: {
      aws: [
        {
          region: "eu-central-1",
          profile: "movies",
          assume_role: [{ role_arn: "arn:aws:iam::210987654321:role/deploy" }],
          default_tags: [{ tags: { project: "movies" } }],
        },
        {
          alias: "us_east_1",
          region: "us-east-1",
          shared_config_files: ["~/.aws/config"],
          shared_credentials_files: ["~/.aws/credentials"],
        },
      ],
    },
    resource: { aws_sqs_queue: { jobs: { name: "jobs-dev" } } },
  });
  const sts = "http://127.0.0.1:4599";
  const offline = {
    access_key: "AKIAOFFLINEPLAN00000",
    secret_key: "offline-plan-not-a-secret",
    skip_credentials_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: true,
    skip_region_validation: true,
    endpoints: [{ sts, ssm: sts, ec2: sts, sfn: sts }],
  };

  it("removes the backend, so state stays in the workspace", () => {
    expect(offlineConfig(stack(), { awsEndpoint: sts }).terraform).toEqual({
      required_providers: { aws: { source: "aws", version: "6.0.0" } },
    });
  });

  it("moves the provider pin to the given version, and keeps it when none is given", () => {
    expect(providerPin(offlineConfig(stack(), { providerVersion: "5.100.0", awsEndpoint: sts }))).toBe(
      "5.100.0",
    );
    expect(providerPin(offlineConfig(stack(), { awsEndpoint: sts }))).toBe("6.0.0");
  });

  it("configures every aws provider entry offline and drops profile, assume_role and shared files", () => {
    expect(offlineConfig(stack(), { awsEndpoint: sts }).provider).toEqual({
      aws: [
        { region: "eu-central-1", default_tags: [{ tags: { project: "movies" } }], ...offline },
        { alias: "us_east_1", region: "us-east-1", ...offline },
      ],
    });
  });

  it("configures an aws provider written as one object, not a list", () => {
    // Terraform's JSON syntax accepts one object where cdktf writes a list: the model types only the list.
    const single = {
      provider: { aws: { region: "eu-central-1", profile: "movies" } },
    } as unknown as StackConfig;
    expect(offlineConfig(single, { awsEndpoint: sts }).provider).toEqual({
      aws: { region: "eu-central-1", ...offline },
    });
  });

  it("does not modify its input", () => {
    const input = stack();
    offlineConfig(input, { providerVersion: "5.100.0", awsEndpoint: sts });
    expect(input).toEqual(stack());
  });
});

describe("providerPin", () => {
  it("reads terraform.required_providers.aws.version", () => {
    expect(providerPin({ terraform: { required_providers: { aws: { version: "6.0.0" } } } })).toBe("6.0.0");
  });

  it("is undefined when the stack pins no aws version", () => {
    expect(providerPin({ terraform: { required_providers: { aws: { source: "aws" } } } })).toBeUndefined();
    expect(providerPin({})).toBeUndefined();
  });
});

describe("planSummary", () => {
  it("takes Terraform's Plan: line without its full stop", () => {
    const stdout = [
      "Terraform will perform the following actions:",
      "",
      "  # aws_sqs_queue.jobs will be created",
      '  + resource "aws_sqs_queue" "jobs" {',
      "    }",
      "",
      "Plan: 64 to add, 0 to change, 0 to destroy.",
      "",
      "Changes to Outputs:",
      "  + queue_url = (known after apply)",
      "",
    ].join("\n");
    expect(planSummary(stdout)).toBe("64 to add, 0 to change, 0 to destroy");
  });

  it("says no changes when Terraform does", () => {
    const stdout = [
      "",
      "No changes. Your infrastructure matches the configuration.",
      "",
      "Terraform has compared your real infrastructure against your configuration and found no",
      "differences, so no changes are needed.",
      "",
    ].join("\n");
    expect(planSummary(stdout)).toBe("no changes");
  });

  it("says when only outputs change (Terraform prints no Plan: line then)", () => {
    const stdout = [
      "",
      "Changes to Outputs:",
      '  + table_name = "movies-dev"',
      "",
      "You can apply this plan to save these new output values to the Terraform state, without changing any",
      "real infrastructure.",
      "",
    ].join("\n");
    expect(planSummary(stdout)).toBe("changes to outputs only");
  });
});

describe("describeProvider", () => {
  const setup = (provider: TerraformSetup["provider"]): TerraformSetup => ({
    terraform: { binary: "/usr/bin/terraform", version: "1.11.4" },
    provider,
    cacheDir: "/cache",
    cliConfigFile: "/cache/cli.tfrc",
  });
  const mirror = setup({ kind: "mirror", root: "/opt/terraform/mirror", version: "5.100.0" });

  it("says the mirror's version replaces a different project pin, and why", () => {
    expect(describeProvider(mirror, "6.0.0")).toBe(
      "Terraform 1.11.4, hashicorp/aws 5.100.0 from the filesystem mirror /opt/terraform/mirror " +
        "(the project pins 6.0.0; the scratch copy is moved to 5.100.0, the version this machine's mirror holds, to plan offline)",
    );
  });

  it("names the mirror alone when it holds the pinned version", () => {
    expect(describeProvider(mirror, "5.100.0")).toBe(
      "Terraform 1.11.4, hashicorp/aws 5.100.0 from the filesystem mirror /opt/terraform/mirror",
    );
  });

  it("names the pinned version from the registry, or says it is unpinned", () => {
    expect(describeProvider(setup({ kind: "registry" }), "6.0.0")).toBe(
      "Terraform 1.11.4, hashicorp/aws 6.0.0 from the registry",
    );
    expect(describeProvider(setup({ kind: "registry" }), undefined)).toBe(
      "Terraform 1.11.4, hashicorp/aws (unpinned) from the registry",
    );
  });
});

describe("Workspace.run", () => {
  /** A setup whose terraform prints its environment. */
  const fakeSetup = (): TerraformSetup => ({
    terraform: { binary: fakeTerraform(join(dir, "bin"), "1.2.3"), version: "1.2.3" },
    provider: { kind: "registry" },
    cacheDir: dir,
    cliConfigFile: join(dir, "cli.tfrc"),
  });

  it("runs terraform without the caller's AWS_* and TF_* variables, with its own CLI config", async () => {
    const setup = fakeSetup();
    const env = {
      PATH: process.env.PATH,
      AWS_PROFILE: "prod",
      AWS_SECRET_ACCESS_KEY: "real-secret",
      TF_CLI_CONFIG_FILE: "/home/me/.terraformrc",
      TF_VAR_x: "1",
      KEEP_ME: "yes",
    };
    const result = await new Workspace(setup, join(dir, "ws"), env).run(["plan"]);
    const printed = result.stdout
      .split("\n")
      .filter((line) => /^(AWS_|TF_|CHECKPOINT_|KEEP_ME)/.test(line))
      .sort();
    expect(printed).toEqual([
      "AWS_EC2_METADATA_DISABLED=true",
      "CHECKPOINT_DISABLE=1",
      "KEEP_ME=yes",
      `TF_CLI_CONFIG_FILE=${join(dir, "cli.tfrc")}`,
      "TF_INPUT=0",
      "TF_IN_AUTOMATION=1",
    ]);
  });

  it("keeps the caller's GOGC; without one, Terraform and its provider collect garbage at TERRAFORM_GOGC", async () => {
    const setup = fakeSetup();
    const gogc = async (env: NodeJS.ProcessEnv) =>
      (await new Workspace(setup, join(dir, "ws"), env).run(["plan"])).stdout
        .split("\n")
        .filter((line) => line.startsWith("GOGC="));
    expect(TERRAFORM_GOGC).toBe("400");
    expect(await gogc({ PATH: process.env.PATH })).toEqual(["GOGC=400"]);
    expect(await gogc({ PATH: process.env.PATH, GOGC: "100" })).toEqual(["GOGC=100"]);
  });
});

describe("inParallel", () => {
  it("runs at most `limit` tasks at once and returns results in input order", async () => {
    let running = 0;
    let most = 0;
    const delays = [40, 5, 25, 10, 30, 1, 15];
    const results = await inParallel(delays, 3, async (delay) => {
      running++;
      most = Math.max(most, running);
      await new Promise((done) => setTimeout(done, delay));
      running--;
      return `done ${delay}`;
    });
    expect(most).toBe(3);
    expect(results).toEqual(delays.map((delay) => `done ${delay}`));
  });
});

describe("startOfflineAws", () => {
  const links = publishedLinks({
    "auth-dev": {
      resource: {
        aws_ssm_parameter: {
          arn: { name: "/movies-cdktf/dev/auth/user-pool-arn", value: "${aws_cognito_user_pool.users.arn}" },
          id: { name: "/movies-cdktf/dev/auth/client-id", value: "${aws_cognito_user_pool_client.web.id}" },
          region: { name: "/movies-cdktf/dev/auth/region", value: "eu-central-1" },
        },
      },
    },
  });
  const signed = "AWS4-HMAC-SHA256 Credential=AKIAOFFLINEPLAN00000/20261201/eu-central-1/ssm/aws4_request";

  async function getParameter(endpoint: string, name: string) {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { "x-amz-target": "AmazonSSM.GetParameter", authorization: signed },
      body: JSON.stringify({ Name: name, WithDecryption: true }),
    });
    return {
      status: response.status,
      body: (await response.json()) as Record<string, Record<string, unknown>>,
    };
  }

  it("answers GetParameter with what the stacks publish: literals as written, apply-time values by shape", async () => {
    const aws = await startOfflineAws(links);
    try {
      const arn = await getParameter(aws.endpoint, "/movies-cdktf/dev/auth/user-pool-arn");
      expect(arn.status).toBe(200);
      expect(arn.body.Parameter).toMatchObject({
        Name: "/movies-cdktf/dev/auth/user-pool-arn",
        Type: "String",
        Value: `arn:aws:cognito:eu-central-1:${OFFLINE_ACCOUNT_ID}:aws_cognito_user_pool/users`,
        ARN: `arn:aws:ssm:eu-central-1:${OFFLINE_ACCOUNT_ID}:parameter/movies-cdktf/dev/auth/user-pool-arn`,
      });
      expect(
        (await getParameter(aws.endpoint, "/movies-cdktf/dev/auth/client-id")).body.Parameter?.Value,
      ).toBe("offline-dev-auth-client-id");
      expect((await getParameter(aws.endpoint, "/movies-cdktf/dev/auth/region")).body.Parameter?.Value).toBe(
        "eu-central-1",
      );
      const missing = await getParameter(aws.endpoint, "/movies-cdktf/dev/auth/nope");
      expect(missing).toEqual({
        status: 400,
        body: {
          __type: "ParameterNotFound",
          message: "/movies-cdktf/dev/auth/nope is published by none of the synthesized stacks",
        },
      });
    } finally {
      await aws.close();
    }
  });

  it("accepts a state machine's definition (ValidateStateMachineDefinition), and refuses other Step Functions calls", async () => {
    const aws = await startOfflineAws();
    const call = async (target: string) => {
      const response = await fetch(aws.endpoint, {
        method: "POST",
        headers: { "x-amz-target": target, "content-type": "application/x-amz-json-1.0" },
        body: JSON.stringify({ definition: "{}", type: "STANDARD" }),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    };
    try {
      expect(await call("AWSStepFunctions.ValidateStateMachineDefinition")).toEqual({
        status: 200,
        body: { result: "OK", diagnostics: [], truncated: false },
      });
      expect(await call("AWSStepFunctions.StartExecution")).toEqual({
        status: 400,
        body: { __type: "InvalidAction", message: "AWSStepFunctions.StartExecution is not answered offline" },
      });
    } finally {
      await aws.close();
    }
  });

  it("answers anything else as STS GetCallerIdentity for the offline account", async () => {
    const aws = await startOfflineAws();
    try {
      const response = await fetch(aws.endpoint, { method: "POST", body: "Action=GetCallerIdentity" });
      expect(await response.text()).toContain(`<Account>${OFFLINE_ACCOUNT_ID}</Account>`);
    } finally {
      await aws.close();
    }
  });
});
