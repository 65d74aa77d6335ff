/**
 * The one module that owns Terraform: finding the binary and the provider (a filesystem mirror, or the
 * registry), the scratch workspaces, the local STS stub, running init/validate/plan/show, and reading
 * plan JSON. `npm run validate`, `npm run plan:diff` and the Terraform tests all go through it.
 */
import { spawn, spawnSync } from "node:child_process";
import { cacheRoot } from "../tooling/cache-root";
import type { PublishedLink } from "../tooling/service-links";
import type { TerraformJson } from "../tooling/terraform-json";
import { answerEc2, type DeclaredNetwork } from "./offline-ec2";
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism } from "node:os";
import { delimiter, join } from "node:path";

/** The Terraform CLI found on this machine. */
export interface TerraformBinary {
  /** Absolute path of the executable. */
  readonly binary: string;
  /** `1.11.4`. */
  readonly version: string;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The `terraform` executable: `TERRAFORM_BINARY` when set, else the first one on `PATH`. `undefined`
 * when there is none (callers say plainly that the Terraform checks are skipped, or fail in CI).
 */
export function findTerraform(env: NodeJS.ProcessEnv = process.env): TerraformBinary | undefined {
  const candidates = env.TERRAFORM_BINARY
    ? [env.TERRAFORM_BINARY]
    : (env.PATH ?? "")
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, "terraform"));
  const binary = candidates.find(isExecutable);
  if (!binary) return undefined;
  const result = spawnSync(binary, ["version", "-json"], {
    encoding: "utf8",
    env: { ...env, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" },
  });
  if (result.status !== 0) return undefined;
  const version = (JSON.parse(result.stdout) as { terraform_version: string }).terraform_version;
  return { binary, version };
}

/** A filesystem mirror (unpacked layout) that holds the hashicorp/aws provider for this platform. */
export interface ProviderMirror {
  /** The mirror's root: the folder that holds `registry.terraform.io/`. */
  readonly root: string;
  /** The newest hashicorp/aws version in it for this platform: `5.100.0`. */
  readonly version: string;
}

/** Terraform's platform name for this machine: `linux_amd64`. */
export function terraformPlatform(): string {
  const arch = ({ x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" } as Record<string, string>)[
    process.arch
  ];
  return `${process.platform}_${arch ?? process.arch}`;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The newest hashicorp/aws version under `root` with a provider binary for this platform. */
function awsVersionIn(root: string): string | undefined {
  const base = join(root, "registry.terraform.io", "hashicorp", "aws");
  const platform = terraformPlatform();
  const versions = listDir(base).filter((version) =>
    listDir(join(base, version, platform)).some((f) => f.startsWith("terraform-provider-aws_")),
  );
  return versions.sort(compareVersions).at(-1);
}

/** Folders never worth walking into when looking for a mirror. */
const SKIP = new Set(["proc", "sys", "dev", "run", "tmp", "node_modules", ".git", ".terraform", ".cache"]);

/** Roots that hold `registry.terraform.io/`, found by a walk of `/` at most `depth` folders deep. */
function mirrorRootsUnder(dir: string, depth: number, found: string[]): void {
  for (const name of listDir(dir)) {
    if (name === "registry.terraform.io") {
      found.push(dir);
    } else if (depth > 0 && !SKIP.has(name)) {
      const child = join(dir, name);
      let isDir = false;
      try {
        const stat = statSync(child);
        isDir = stat.isDirectory();
      } catch {
        isDir = false;
      }
      if (isDir) mirrorRootsUnder(child, depth - 1, found);
    }
  }
}

/**
 * A filesystem mirror of hashicorp/aws for this platform: `TF_PROVIDER_MIRROR` when set (and it must
 * hold the provider), else Terraform's implied local mirror folders, else the first one a shallow walk of
 * the filesystem finds (machine images put them in places such as /opt or /usr/share). `undefined`
 * when there is none: then the provider comes from the registry.
 */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env): ProviderMirror | undefined {
  if (env.TF_PROVIDER_MIRROR) {
    const version = awsVersionIn(env.TF_PROVIDER_MIRROR);
    if (!version) {
      throw new Error(
        `TF_PROVIDER_MIRROR=${env.TF_PROVIDER_MIRROR} holds no hashicorp/aws provider for ${terraformPlatform()} ` +
          `(expected registry.terraform.io/hashicorp/aws/<version>/${terraformPlatform()}/terraform-provider-aws_*)`,
      );
    }
    return { root: env.TF_PROVIDER_MIRROR, version };
  }
  const home = env.HOME ?? "";
  const implied = [
    join(home, ".terraform.d", "plugins"),
    join(home, ".local", "share", "terraform", "plugins"),
    ...(env.XDG_DATA_DIRS ?? "/usr/local/share:/usr/share")
      .split(":")
      .map((d) => join(d, "terraform", "plugins")),
  ];
  const walked: string[] = [];
  mirrorRootsUnder("/", 4, walked);
  for (const root of [...implied, ...walked]) {
    if (!existsSync(root)) continue;
    const version = awsVersionIn(root);
    if (version) return { root, version };
  }
  return undefined;
}

/** Where the provider comes from: a filesystem mirror on this machine, or the public registry. */
export type ProviderSource =
  | { readonly kind: "mirror"; readonly root: string; readonly version: string }
  | { readonly kind: "registry" };

/** Everything needed to run Terraform offline (with a mirror) or online (registry), found once. */
export interface TerraformSetup {
  readonly terraform: TerraformBinary;
  readonly provider: ProviderSource;
  /** Shared by every workspace: the CLI config, the plugin cache, cached provider schemas. */
  readonly cacheDir: string;
  /** The CLI config every run uses (`TF_CLI_CONFIG_FILE`). */
  readonly cliConfigFile: string;
}

/** Why the Terraform checks cannot run here, in words a user can act on. */
export class TerraformUnavailableError extends Error {
  override readonly name = "TerraformUnavailableError";
}

/**
 * Finds Terraform and the provider and writes the shared CLI config: with a mirror, `terraform init`
 * installs hashicorp/aws from it and never reaches the network; without one, from the registry. The
 * plugin cache is shared by every workspace, so the provider is linked, not copied, per stack.
 * Throws {@link TerraformUnavailableError} when there is no `terraform` binary.
 */
export function terraformSetup(env: NodeJS.ProcessEnv = process.env): TerraformSetup {
  const terraform = findTerraform(env);
  if (!terraform) {
    throw new TerraformUnavailableError(
      "terraform was not found on PATH (or TERRAFORM_BINARY): install Terraform >= 1.10 to run the Terraform checks",
    );
  }
  const mirror = findProviderMirror(env);
  const provider: ProviderSource = mirror ? { kind: "mirror", ...mirror } : { kind: "registry" };
  const cacheDir = join(cacheRoot(env), "terraform");
  const pluginCache = join(cacheDir, "plugins");
  mkdirSync(pluginCache, { recursive: true });
  const installation = mirror
    ? [
        "provider_installation {",
        `  filesystem_mirror {`,
        `    path    = ${JSON.stringify(mirror.root)}`,
        `    include = ["registry.terraform.io/hashicorp/aws"]`,
        "  }",
        `  direct {`,
        `    exclude = ["registry.terraform.io/hashicorp/aws"]`,
        "  }",
        "}",
      ]
    : [];
  const config = [
    "# Written by review/terraform.ts: the provider from the mirror (when there is one), one plugin cache.",
    ...installation,
    `plugin_cache_dir = ${JSON.stringify(pluginCache)}`,
    "plugin_cache_may_break_dependency_lock_file = true",
    "",
  ].join("\n");
  const cliConfigFile = join(cacheDir, mirror ? `cli-mirror-${mirror.version}.tfrc` : "cli-registry.tfrc");
  writeFileIfChanged(cliConfigFile, config);
  return { terraform, provider, cacheDir, cliConfigFile };
}

function writeFileIfChanged(path: string, text: string): void {
  if (existsSync(path) && readFileSync(path, "utf8") === text) return;
  writeFileSync(path, text);
}

/** The version of hashicorp/aws a scratch copy pins: the mirror's when there is one, else the project's own. */
export function plannedProviderVersion(
  setup: TerraformSetup,
  projectPin: string | undefined,
): string | undefined {
  return setup.provider.kind === "mirror" ? setup.provider.version : projectPin;
}

/** One line that says where the provider came from, and why its version may differ from the project's pin. */
export function describeProvider(setup: TerraformSetup, projectPin: string | undefined): string {
  const tf = `Terraform ${setup.terraform.version}`;
  if (setup.provider.kind === "registry")
    return `${tf}, hashicorp/aws ${projectPin ?? "(unpinned)"} from the registry`;
  const moved =
    projectPin && projectPin !== setup.provider.version
      ? ` (the project pins ${projectPin}; the scratch copy is moved to ${setup.provider.version}, the version this machine's mirror holds, to plan offline)`
      : "";
  return `${tf}, hashicorp/aws ${setup.provider.version} from the filesystem mirror ${setup.provider.root}${moved}`;
}

/**
 * A stand-in for the two AWS APIs an offline plan calls, on 127.0.0.1: STS (GetCallerIdentity, which the
 * provider configures with) and SSM (GetParameter, which the `aws_ssm_parameter` data sources of a
 * service that reads another's published link call; tooling/service-links.ts).
 */
export interface OfflineAws {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

/** The account id every offline plan sees. */
export const OFFLINE_ACCOUNT_ID = "123456789012";

/**
 * The value an offline plan reads for a published link: the literal the producer writes, or, when the
 * producer writes an attribute it only learns on apply, a placeholder of the same shape (an ARN for
 * `.arn`), so that the consumer's own validation sees what it will see on AWS.
 */
export function offlineLinkValue(link: PublishedLink, region: string): string {
  if (!link.value.includes("${")) return link.value;
  const { reference } = link;
  if (reference?.attribute === "arn") {
    const service = reference.type.replace(/^aws_/, "").split("_")[0] ?? "offline";
    return `arn:aws:${service}:${region}:${OFFLINE_ACCOUNT_ID}:${reference.type}/${reference.name}`;
  }
  return `offline-${link.parameter.split("/").slice(2).join("-")}`;
}

/** The service a request is signed for (`.../<region>/<service>/aws4_request`): `sts`, `ssm`, `ec2`. */
function signedService(authorization: string | undefined): string | undefined {
  return /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(authorization ?? "")?.[1];
}

/** The region of a signed request (`Credential=<key>/<date>/<region>/<service>/aws4_request`). */
function signedRegion(authorization: string | undefined): string {
  return /Credential=[^/]+\/[^/]+\/([^/]+)\//.exec(authorization ?? "")?.[1] ?? "us-east-1";
}

function getParameter(links: ReadonlyMap<string, PublishedLink>, body: string, region: string) {
  let name: unknown;
  try {
    name = (JSON.parse(body) as { Name?: unknown }).Name;
  } catch {
    name = undefined;
  }
  const link = typeof name === "string" ? links.get(name) : undefined;
  if (!link) {
    return {
      status: 400,
      body: {
        __type: "ParameterNotFound",
        message: `${String(name)} is published by none of the synthesized stacks`,
      },
    };
  }
  return {
    status: 200,
    body: {
      Parameter: {
        Name: link.parameter,
        Type: "String",
        Value: offlineLinkValue(link, region),
        Version: 1,
        DataType: "text",
        ARN: `arn:aws:ssm:${region}:${OFFLINE_ACCOUNT_ID}:parameter${link.parameter}`,
        LastModifiedDate: 1_767_225_600,
      },
    },
  };
}

/**
 * Starts the offline AWS stand-in in this process (so it dies with it), listening on 127.0.0.1 only.
 * SSM requests (`X-Amz-Target: AmazonSSM.*`) are answered from `links`, the links the synthesized stacks
 * publish; an unknown name gets SSM's own ParameterNotFound, so a consumer of a link nobody publishes
 * fails to plan. EC2 requests (signed for `ec2`) are answered from `network`, the VPCs and subnets the
 * synthesized stacks look up (review/offline-ec2.ts). Every other request gets a GetCallerIdentity answer:
 * it is the only STS call the provider makes with the skip options set.
 */
export async function startOfflineAws(
  links: ReadonlyMap<string, PublishedLink> = new Map(),
  network: DeclaredNetwork = { vpcs: [], subnets: new Map() },
): Promise<OfflineAws> {
  const identity = [
    `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`,
    `<GetCallerIdentityResult><Arn>arn:aws:iam::${OFFLINE_ACCOUNT_ID}:user/offline-plan</Arn>`,
    `<UserId>AIDAOFFLINEPLAN</UserId><Account>${OFFLINE_ACCOUNT_ID}</Account></GetCallerIdentityResult>`,
    `<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>`,
    `</GetCallerIdentityResponse>`,
  ].join("");
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const target = String(request.headers["x-amz-target"] ?? "");
      if (signedService(request.headers.authorization) === "ec2") {
        const region = signedRegion(request.headers.authorization);
        const answer = answerEc2(network, Buffer.concat(chunks).toString("utf8"), region);
        response.writeHead(answer.status, { "content-type": "text/xml;charset=UTF-8" });
        response.end(answer.body);
        return;
      }
      if (target.startsWith("AWSStepFunctions.")) {
        // The provider validates a state machine's definition (ValidateStateMachineDefinition) whenever
        // the definition is known at plan time, which a plan against a prior state makes it. The offline
        // plan cannot judge it: Terraform's own checks and the stack tests own the definition.
        const answer =
          target === "AWSStepFunctions.ValidateStateMachineDefinition"
            ? { status: 200, body: { result: "OK", diagnostics: [], truncated: false } }
            : {
                status: 400,
                body: { __type: "InvalidAction", message: `${target} is not answered offline` },
              };
        response.writeHead(answer.status, { "content-type": "application/x-amz-json-1.0" });
        response.end(JSON.stringify(answer.body));
        return;
      }
      if (target.startsWith("AmazonSSM.")) {
        const region = signedRegion(request.headers.authorization);
        const answer =
          target === "AmazonSSM.GetParameter"
            ? getParameter(links, Buffer.concat(chunks).toString("utf8"), region)
            : {
                status: 400,
                body: { __type: "InvalidAction", message: `${target} is not answered offline` },
              };
        response.writeHead(answer.status, { "content-type": "application/x-amz-json-1.1" });
        response.end(JSON.stringify(answer.body));
        return;
      }
      response.writeHead(200, { "content-type": "text/xml" });
      response.end(identity);
    });
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolvePromise());
  });
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** A synthesized stack's Terraform JSON, as the scratch copy reads and rewrites it. */
export type StackConfig = TerraformJson;

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The version of hashicorp/aws a stack pins (`required_providers.aws.version`). */
export function providerPin(stack: StackConfig): string | undefined {
  const aws = record(record(record(stack.terraform)?.required_providers)?.aws);
  return typeof aws?.version === "string" ? aws.version : undefined;
}

/**
 * The scratch copy of a stack that plans offline: no backend (state stays in the workspace), the
 * provider pinned to `providerVersion`, and every `aws` provider configured with fake keys, the skip
 * options and STS, SSM, EC2 and Step Functions at `awsEndpoint` (see {@link startOfflineAws}). The input is not modified.
 */
export function offlineConfig(
  stack: StackConfig,
  options: { providerVersion?: string; awsEndpoint: string },
): StackConfig {
  const copy = structuredClone(stack);
  const terraform = record(copy.terraform) ?? {};
  delete terraform.backend;
  const aws = record(record(terraform.required_providers)?.aws);
  if (aws && options.providerVersion) aws.version = options.providerVersion;
  const providers = record(copy.provider);
  const awsProviders = providers?.aws;
  for (const provider of Array.isArray(awsProviders) ? awsProviders : [awsProviders]) {
    const config = record(provider);
    if (!config) continue;
    Object.assign(config, {
      access_key: "AKIAOFFLINEPLAN00000",
      secret_key: "offline-plan-not-a-secret",
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
      skip_region_validation: true,
      endpoints: [
        {
          sts: options.awsEndpoint,
          ssm: options.awsEndpoint,
          ec2: options.awsEndpoint,
          sfn: options.awsEndpoint,
        },
      ],
    });
    delete config.assume_role;
    delete config.profile;
    delete config.shared_config_files;
    delete config.shared_credentials_files;
  }
  return copy;
}

/** What one terraform command printed, and how it ended. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Terraform's message (its stderr, else stdout) without trailing spaces or runs of blank lines. */
function terraformMessage(result: CommandResult): string {
  const text = result.stderr.trim() || result.stdout.trim();
  return text
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n");
}

/** Fails with Terraform's own message (its stderr, else stdout) when a command did not succeed. */
export class TerraformCommandError extends Error {
  override readonly name = "TerraformCommandError";
  constructor(
    readonly command: string,
    readonly result: CommandResult,
  ) {
    super(`terraform ${command} failed:\n${terraformMessage(result)}`);
  }
}

/**
 * The Go garbage collector's target for Terraform and the provider it starts (which inherits the environment),
 * unless the caller sets GOGC. Most of an offline plan's CPU is the AWS provider building its schema, once
 * per provider process and three processes per plan; with Go's default (100) that work collects garbage
 * over and over. At 400, `terraform plan` of movies-dev took 14.0 instead of 19.9 s of CPU and
 * `terraform show -json` 3.5 instead of 5.1 s (three alternated runs each); the peak RSS of `terraform
 * validate` grew from ~610 to ~750 MB.
 */
export const TERRAFORM_GOGC = "400";

/**
 * The environment every terraform command runs with: the shared CLI config, no real credentials, and a
 * garbage collector that works less ({@link TERRAFORM_GOGC}).
 */
function terraformEnv(setup: TerraformSetup, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (!/^(AWS_|TF_)/.test(key)) clean[key] = value;
  }
  return {
    ...clean,
    TF_CLI_CONFIG_FILE: setup.cliConfigFile,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    AWS_EC2_METADATA_DISABLED: "true",
    GOGC: env.GOGC ?? TERRAFORM_GOGC,
  };
}

/**
 * A scratch folder holding one stack's offline configuration, where init/validate/plan/show run.
 * `terraform init` runs once; {@link Workspace.setConfig} swaps the configuration (same providers).
 */
export class Workspace {
  private initialized = false;

  constructor(
    readonly setup: TerraformSetup,
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** Writes `cdk.tf.json` (already made offline with {@link offlineConfig}). */
  setConfig(config: StackConfig): void {
    writeFileSync(join(this.dir, "cdk.tf.json"), `${JSON.stringify(config, null, 2)}\n`);
  }

  /** Writes the local state the next plan is made against (`terraform.tfstate`), or removes it. */
  setState(state: unknown | undefined): void {
    const path = join(this.dir, "terraform.tfstate");
    if (state === undefined) rmSync(path, { force: true });
    else writeFileSync(path, `${JSON.stringify(state)}\n`);
  }

  /** Runs `terraform <args>` here; resolves with its output whatever its exit code. */
  run(args: readonly string[]): Promise<CommandResult> {
    return new Promise((resolvePromise, reject) => {
      const child = spawn(this.setup.terraform.binary, [...args], {
        cwd: this.dir,
        env: terraformEnv(this.setup, this.env),
        stdio: ["ignore", "pipe", "pipe"],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
      child.on("error", reject);
      child.on("close", (code) =>
        resolvePromise({
          code: code ?? 1,
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: Buffer.concat(err).toString("utf8"),
        }),
      );
    });
  }

  private async runOrThrow(args: readonly string[]): Promise<CommandResult> {
    const result = await this.run(args);
    if (result.code !== 0) throw new TerraformCommandError(args[0] ?? "", result);
    return result;
  }

  /** `terraform init` (once): the provider from the mirror or registry, through the shared plugin cache. */
  async init(): Promise<void> {
    if (this.initialized) return;
    const result = await this.run(["init", "-input=false", "-no-color", "-backend=false"]);
    if (result.code !== 0) {
      // With no backend and no modules, init only fails when it cannot install the provider.
      throw new TerraformUnavailableError(
        `terraform init could not install the provider:\n${terraformMessage(result)}`,
      );
    }
    this.initialized = true;
  }

  /** `terraform validate`: resolves when valid, else throws with Terraform's diagnostics. */
  async validate(): Promise<void> {
    await this.init();
    await this.runOrThrow(["validate", "-no-color"]);
  }

  /**
   * `terraform plan -refresh=false` against the workspace's state (none: everything is created).
   * Resolves with Terraform's one-line summary and its whole text.
   */
  async plan(): Promise<PlanRun> {
    await this.init();
    const args = ["plan", "-refresh=false", "-input=false", "-no-color", "-lock=false", "-out=plan.bin"];
    const result = await this.runOrThrow(args);
    return { summary: planSummary(result.stdout), text: result.stdout };
  }

  /** The plan the last {@link Workspace.plan} saved, read with `terraform show -json`. */
  async showPlan(): Promise<PlanJson> {
    const shown = await this.runOrThrow(["show", "-json", "-no-color", "plan.bin"]);
    return JSON.parse(shown.stdout) as PlanJson;
  }

  /** `terraform providers schema -json`, cached per Terraform and provider version. */
  async providerSchema(): Promise<ProviderSchemas> {
    const version = this.setup.provider.kind === "mirror" ? this.setup.provider.version : "registry";
    const path = join(this.setup.cacheDir, `schema-${this.setup.terraform.version}-aws-${version}.json`);
    if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as ProviderSchemas;
    await this.init();
    const result = await this.runOrThrow(["providers", "schema", "-json"]);
    const schemas = JSON.parse(result.stdout) as ProviderSchemas;
    if (this.setup.provider.kind === "mirror") writeFileSync(path, result.stdout);
    return schemas;
  }
}

/** What `terraform plan` said. */
export interface PlanRun {
  /** `64 to add, 0 to change, 0 to destroy`, or `no changes`. */
  readonly summary: string;
  /** Its whole output (no colour). */
  readonly text: string;
}

/** Terraform's own summary of a plan: `64 to add, 0 to change, 0 to destroy`, or `no changes`. */
export function planSummary(stdout: string): string {
  const plan = /^Plan: (.+)\.$/m.exec(stdout);
  if (plan?.[1]) return plan[1];
  if (/^No changes\./m.test(stdout)) return "no changes";
  const outputs = /^Changes to Outputs:/m.test(stdout);
  return outputs ? "changes to outputs only" : "no changes";
}

/** Runs `tasks` with at most `limit` at a time (the machine's cores), in order of start. */
export async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** How many terraform processes to run at once: one per core. */
export function parallelism(): number {
  return Math.max(1, availableParallelism());
}

// ---- Plan JSON (`terraform show -json`), the parts this project reads -------------------------------

/** One resource's planned change. */
export interface ResourceChange {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  /** The instance key of a resource with `count` (a number) or `for_each` (a string). */
  readonly index?: string | number;
  readonly change: {
    readonly actions: readonly ("no-op" | "create" | "read" | "update" | "delete")[];
    readonly before: unknown;
    readonly after: unknown;
    readonly after_unknown?: unknown;
    readonly before_sensitive?: unknown;
    readonly after_sensitive?: unknown;
    readonly replace_paths?: readonly (readonly (string | number)[])[];
  };
  readonly action_reason?: string;
}

/** An output's planned change. */
export interface OutputChange {
  readonly actions: readonly string[];
  readonly before: unknown;
  readonly after: unknown;
  readonly after_unknown?: unknown;
  readonly after_sensitive?: unknown;
}

/** `terraform show -json <plan>`. */
export interface PlanJson {
  readonly format_version: string;
  readonly terraform_version: string;
  readonly resource_changes?: readonly ResourceChange[];
  readonly output_changes?: Readonly<Record<string, OutputChange>>;
}

/** A schema block: attributes and nested blocks. */
export interface SchemaBlock {
  readonly attributes?: Readonly<
    Record<
      string,
      {
        readonly type?: unknown;
        readonly optional?: boolean;
        readonly computed?: boolean;
        readonly required?: boolean;
        readonly sensitive?: boolean;
      }
    >
  >;
  readonly block_types?: Readonly<
    Record<
      string,
      { readonly nesting_mode: "single" | "list" | "set" | "map" | "group"; readonly block: SchemaBlock }
    >
  >;
}

/** `terraform providers schema -json`. */
export interface ProviderSchemas {
  readonly provider_schemas: Readonly<
    Record<
      string,
      {
        readonly resource_schemas: Readonly<
          Record<string, { readonly version: number; readonly block: SchemaBlock }>
        >;
      }
    >
  >;
}
