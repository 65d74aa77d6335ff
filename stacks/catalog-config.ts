import { ConfigError, integer, matches, oneOf, Problems } from "./validate";
import type { EnvironmentConfig } from "./config";

/**
 * The settings of the catalog container service (stacks/catalog-stack.ts), per environment. They live
 * beside `EnvironmentConfig` rather than in it: only the catalog stack reads them, and the network of a
 * shared environment belongs to the team that owns the account (docs/catalog.md, "Network").
 */

/** Where the service runs: a VPC the platform team owns, looked up by id, or one the stack creates. */
export type NetworkConfig =
  | {
      /**
       * The stack creates a minimal VPC of its own: two private subnets in two zones, no NAT gateway,
       * VPC endpoints for ECR, CloudWatch Logs, S3 (ECR's image layers) and DynamoDB. Only dev and
       * developer stages may: a shared environment runs in its account's platform VPC.
       */
      readonly mode: "create";
      /** The VPC's CIDR block; its first two /24s become the private subnets. */
      readonly cidrBlock: string;
    }
  | {
      /** An existing VPC and private subnets, read with `data.aws_vpc` and `data.aws_subnet`. */
      readonly mode: "existing";
      /** @default unset: the stack cannot be deployed (an error annotation says what to set) */
      readonly vpcId?: string;
      /**
       * Private subnets of `vpcId`, in at least two availability zones, with a route to ECR, CloudWatch
       * Logs and DynamoDB (NAT or VPC endpoints).
       * @default unset: the stack cannot be deployed
       */
      readonly privateSubnetIds?: readonly string[];
    };

export interface CatalogConfig {
  readonly network: NetworkConfig;
  /** Fargate task size: CPU units and memory in MiB (a combination Fargate offers). */
  readonly cpu: number;
  readonly memory: number;
  /** Tasks the service keeps running once an image is deployed. */
  readonly desiredCount: number;
  /**
   * The digest (`sha256:<64 hex>`) of the image in the stack's ECR repository that the tasks run, from
   * `MOVIES_CATALOG_IMAGE_DIGEST` (the deploy workflow pushes the image, then synthesizes with it).
   * @default unset: the task definition names a placeholder and the service runs no task
   */
  readonly imageDigest?: string;
}

/** The variable the deploy workflow passes the pushed image's digest in. */
export const IMAGE_DIGEST_VARIABLE = "MOVIES_CATALOG_IMAGE_DIGEST";

/**
 * The ids an existing network that is not configured yet is synthesized with, so that `npm run synth` and
 * the offline plan still cover the stack; the stack's error annotation keeps it from being deployed.
 */
export const PLACEHOLDER_NETWORK = {
  vpcId: "vpc-00000000000000000",
  privateSubnetIds: ["subnet-00000000000000001", "subnet-00000000000000002"],
} as const;

/** Environments that must run in an existing VPC (a created one is for development only). */
const PLATFORM_VPC_ENVIRONMENTS: readonly string[] = ["staging", "prod"];

/** dev's settings; developer stages take them as they are. */
const devCatalog: CatalogConfig = {
  network: { mode: "create", cidrBlock: "10.40.0.0/16" },
  cpu: 256,
  memory: 512,
  desiredCount: 1,
};

/**
 * Staging and prod run in the platform team's VPC. Its ids are the team's to fill in; until they are,
 * `npm run synth` and the offline plan go on with placeholder ids and the stack refuses to deploy.
 */
const sharedCatalog: Readonly<Record<string, Partial<CatalogConfig>>> = {
  staging: { network: { mode: "existing" }, cpu: 256, memory: 512, desiredCount: 2 },
  prod: { network: { mode: "existing" }, cpu: 512, memory: 1024, desiredCount: 2 },
};

/** The Fargate CPU/memory combinations we allow (the smaller ones Fargate offers; MiB). */
const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
};

const vpcId = matches(/^vpc-[0-9a-f]{8,17}$/, "a VPC id like vpc-0123456789abcdef0");
const subnetId = matches(/^subnet-[0-9a-f]{8,17}$/, "a subnet id like subnet-0123456789abcdef0");
const cidrBlock = matches(/^10\.\d{1,3}\.0\.0\/16$/, "a /16 of 10.0.0.0/8 like 10.40.0.0/16");
const imageDigest = matches(/^sha256:[0-9a-f]{64}$/, "an image digest like sha256:<64 hex digits>");

/** The problems of one environment's catalog settings, as `<environment>.catalog.<key>: ...`. */
export function validateCatalogConfig(environment: string, config: CatalogConfig): string[] {
  const p = new Problems(`${environment}.catalog`);
  p.check("cpu", config.cpu, oneOf(Object.keys(FARGATE_SIZES).map(Number), "Fargate CPU sizes"));
  const memories = FARGATE_SIZES[config.cpu];
  if (memories) p.check("memory", config.memory, oneOf(memories, `memory sizes of ${config.cpu} CPU units`));
  p.check("desiredCount", config.desiredCount, integer(0, 100));
  p.optional("imageDigest", config.imageDigest, imageDigest);
  const { network } = config;
  if (network.mode === "create") {
    p.check("network.cidrBlock", network.cidrBlock, cidrBlock);
    if (PLATFORM_VPC_ENVIRONMENTS.includes(environment)) {
      p.add("network.mode", `"create" is for development only; ${environment} runs in an existing VPC`);
    }
  } else {
    p.optional("network.vpcId", network.vpcId, vpcId);
    network.privateSubnetIds?.forEach((id, i) => p.check(`network.privateSubnetIds[${i}]`, id, subnetId));
  }
  return p.list;
}

/**
 * The catalog settings of `config`'s environment (dev's for developer stages), with the image digest from
 * {@link IMAGE_DIGEST_VARIABLE}. Throws a {@link ConfigError} naming every invalid key.
 */
export function loadCatalogConfig(
  config: EnvironmentConfig,
  env: NodeJS.ProcessEnv = process.env,
): CatalogConfig {
  const digest = env[IMAGE_DIGEST_VARIABLE];
  const catalog: CatalogConfig = {
    ...devCatalog,
    ...sharedCatalog[config.environment],
    ...(digest ? { imageDigest: digest } : {}),
  };
  const problems = validateCatalogConfig(config.environment, catalog);
  if (problems.length > 0) throw new ConfigError(problems);
  return catalog;
}

/**
 * Why the stack cannot be deployed yet, one sentence each saying what to set; empty when it can. An
 * existing network with no ids is deployable nowhere: the stack reports these as error annotations.
 */
export function catalogProblems(environment: string, catalog: CatalogConfig): string[] {
  const { network } = catalog;
  if (network.mode === "create") return [];
  const problems: string[] = [];
  if (network.vpcId === undefined) {
    problems.push(
      `${environment}.catalog.network.vpcId is not set: the catalog service runs in the platform VPC of ` +
        `${environment}'s account. Set sharedCatalog.${environment}.network.vpcId in stacks/catalog-config.ts.`,
    );
  }
  if ((network.privateSubnetIds ?? []).length < 2) {
    problems.push(
      `${environment}.catalog.network.privateSubnetIds needs at least two private subnets of that VPC, in two ` +
        `availability zones. Set sharedCatalog.${environment}.network.privateSubnetIds in stacks/catalog-config.ts.`,
    );
  }
  return problems;
}

/** What is deployable but worth knowing: no image yet (the service runs no task). */
export function catalogWarnings(environment: string, catalog: CatalogConfig): string[] {
  if (catalog.imageDigest !== undefined) return [];
  return [
    `${environment}: no catalog image (${IMAGE_DIGEST_VARIABLE} is unset): the task definition names a ` +
      "placeholder and the service runs 0 tasks. The deploy workflow builds and pushes the image and sets it.",
  ];
}
