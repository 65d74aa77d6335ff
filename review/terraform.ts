/**
 * The one module that owns Terraform: finding the binary and the provider (a filesystem mirror, or the
 * registry), the scratch workspaces, the local STS stub, running init/validate/plan/show, and reading
 * plan JSON. `npm run validate`, `npm run plan:diff` and the Terraform tests all go through it.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readdirSync, statSync } from "node:fs";
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
