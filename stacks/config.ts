import {
  accountId,
  apiStageName,
  boolean,
  bucketName,
  ConfigError,
  email,
  integer,
  logRetentionDays,
  matches,
  oneOf,
  positive,
  Problems,
  region,
} from "./validate";

/**
 * Per-environment settings. Every stack takes one `EnvironmentConfig`; nothing else decides names,
 * sizes or where state lives.
 */
export interface EnvironmentConfig {
  /** Environment name, the suffix of every physical name (`dev`). Lowercase letters, digits and dashes. */
  readonly environment: string;
  /** AWS region of the provider and of the API. */
  readonly region: string;
  /** API Gateway stage name. */
  readonly stageName: string;
  /**
   * The AWS account the environment must be deployed to; when set, the provider refuses any other.
   * @default any account the credentials belong to
   */
  readonly accountId?: string;
  /** Retention of every log group (Lambda and API access logs), in days. */
  readonly logRetentionDays: number;
  /** Method throttling of every API stage. */
  readonly apiThrottling: {
    readonly rateLimit: number;
    readonly burstLimit: number;
  };
  readonly lambda: {
    readonly memorySize: number;
    readonly timeout: number;
    /** @default unreserved */
    readonly reservedConcurrency?: number;
  };
  /**
   * Where alarms are e-mailed (an SNS e-mail subscription).
   * @default no subscription
   */
  readonly alarmEmail?: string;
  /** How the environment's data is kept. */
  readonly data: {
    /**
     * `true` (staging, prod): every table gets DynamoDB deletion protection and `prevent_destroy`, so no
     * plan can destroy or replace it, and buckets refuse to be deleted while they hold objects.
     * `false` (dev, developer stages): buckets get `force_destroy`, so `cdktf destroy` removes everything.
     */
    readonly retain: boolean;
    /** Days a replaced or deleted object version stays in the ingestion bucket before S3 deletes it. */
    readonly noncurrentVersionExpirationDays: number;
  };
  /** Where the remote state lives (an S3 bucket with versioning; locking uses S3 lock files). */
  readonly state: {
    readonly bucket: string;
    readonly region: string;
  };
}

/** The shared environments; developers' personal stages come on top (see {@link loadDeveloperConfig}). */
export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** What an environment may change relative to dev: any field, nested groups field by field. */
export interface EnvironmentOverrides {
  readonly region?: string;
  readonly stageName?: string;
  readonly accountId?: string;
  readonly logRetentionDays?: number;
  readonly apiThrottling?: Partial<EnvironmentConfig["apiThrottling"]>;
  readonly lambda?: Partial<EnvironmentConfig["lambda"]>;
  readonly alarmEmail?: string;
  readonly data?: Partial<EnvironmentConfig["data"]>;
  readonly state?: Partial<EnvironmentConfig["state"]>;
}

/** The remote-state bucket that the `state-bootstrap` stack creates and every service stack uses. */
export interface StateBucketConfig {
  /** Bucket name: global, so each team sets its own (`MOVIES_STATE_BUCKET` overrides it). */
  readonly bucket: string;
  readonly region: string;
  /**
   * Encryption at rest: a customer-managed KMS key with yearly rotation, or SSE-S3.
   * @default "aws:kms"
   */
  readonly encryption: "aws:kms" | "AES256";
  /** Noncurrent state versions are deleted this many days after they were replaced… */
  readonly noncurrentVersionExpirationDays: number;
  /** …except the newest this many, which are always kept. */
  readonly newerNoncurrentVersions: number;
  /**
   * Where the bootstrap stack keeps its own state: `local` for the first deploy, `s3` once migrated
   * into the bucket it created (docs/environments-and-deploy.md, "State bootstrap").
   * @default "local"
   */
  readonly backend: "local" | "s3";
  /**
   * The account the bucket must be created in.
   * @default any account the credentials belong to
   */
  readonly accountId?: string;
}

/**
 * The remote-state bucket. Bucket names are global, so each team sets its own through
 * `MOVIES_STATE_BUCKET`; the default is the name the `state-bootstrap` stack creates.
 */
export const DEFAULT_STATE_BUCKET = "movies-cdktf-tfstate";

export const stateBucket: StateBucketConfig = {
  bucket: DEFAULT_STATE_BUCKET,
  region: "eu-central-1",
  encryption: "aws:kms",
  noncurrentVersionExpirationDays: 90,
  newerNoncurrentVersions: 10,
  backend: "local",
};

/** dev's settings, which every other environment and every developer stage starts from. */
const devDefaults: Omit<EnvironmentConfig, "environment"> = {
  region: "eu-central-1",
  stageName: "dev",
  logRetentionDays: 14,
  apiThrottling: { rateLimit: 50, burstLimit: 100 },
  lambda: { memorySize: 256, timeout: 10 },
  data: { retain: false, noncurrentVersionExpirationDays: 7 },
  state: { bucket: stateBucket.bucket, region: stateBucket.region },
};

/** Everything that differs from dev, in one place. */
const overrides: Readonly<Record<EnvironmentName, EnvironmentOverrides>> = {
  dev: {},
  staging: {
    stageName: "staging",
    logRetentionDays: 30,
    apiThrottling: { rateLimit: 100, burstLimit: 200 },
    lambda: { memorySize: 512 },
    data: { retain: true, noncurrentVersionExpirationDays: 30 },
  },
  prod: {
    stageName: "prod",
    logRetentionDays: 90,
    apiThrottling: { rateLimit: 500, burstLimit: 1000 },
    // Reserved per function (every function of every prod stack); the account must keep 100 unreserved on top.
    lambda: { memorySize: 1024, reservedConcurrency: 50 },
    data: { retain: true, noncurrentVersionExpirationDays: 90 },
  },
};

/** `base` with `o` applied: top-level fields replace, nested groups merge field by field. */
export function applyOverrides(
  environment: string,
  base: Omit<EnvironmentConfig, "environment">,
  o: EnvironmentOverrides,
): EnvironmentConfig {
  return {
    ...base,
    ...o,
    environment,
    apiThrottling: { ...base.apiThrottling, ...o.apiThrottling },
    lambda: { ...base.lambda, ...o.lambda },
    data: { ...base.data, ...o.data },
    state: { ...base.state, ...o.state },
  };
}

/** Every shared environment, resolved from dev's defaults and its overrides (not yet validated). */
export const environments: Readonly<Record<EnvironmentName, EnvironmentConfig>> = {
  dev: applyOverrides("dev", devDefaults, overrides.dev),
  staging: applyOverrides("staging", devDefaults, overrides.staging),
  prod: applyOverrides("prod", devDefaults, overrides.prod),
};

/** The problems of one environment, each as `<environment>.<key>: <what is wrong>`; empty when valid. */
export function validateConfig(config: EnvironmentConfig): string[] {
  const p = new Problems(config.environment);
  p.check("region", config.region, region);
  p.optional("accountId", config.accountId, accountId);
  p.check("stageName", config.stageName, apiStageName);
  p.check("logRetentionDays", config.logRetentionDays, logRetentionDays);
  const { rateLimit, burstLimit } = config.apiThrottling;
  p.check("apiThrottling.rateLimit", rateLimit, positive);
  p.check("apiThrottling.burstLimit", burstLimit, integer(1));
  // A bucket smaller than one second's refill would throttle below the rate it claims to allow.
  if (positive(rateLimit) === undefined && integer(1)(burstLimit) === undefined && burstLimit < rateLimit) {
    p.add(
      "apiThrottling.burstLimit",
      `must be at least apiThrottling.rateLimit (${rateLimit}), got ${burstLimit}`,
    );
  }
  p.check("lambda.memorySize", config.lambda.memorySize, integer(128, 10240));
  p.check("lambda.timeout", config.lambda.timeout, integer(1, 900));
  p.optional("lambda.reservedConcurrency", config.lambda.reservedConcurrency, integer(0));
  p.optional("alarmEmail", config.alarmEmail, email);
  p.check("data.retain", config.data.retain, boolean);
  p.check("data.noncurrentVersionExpirationDays", config.data.noncurrentVersionExpirationDays, integer(1));
  p.check("state.bucket", config.state.bucket, bucketName);
  p.check("state.region", config.state.region, region);
  return p.list;
}

function validated(config: EnvironmentConfig): EnvironmentConfig {
  const problems = validateConfig(config);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function withStateBucket(config: EnvironmentConfig, env: NodeJS.ProcessEnv): EnvironmentConfig {
  const bucket = env.MOVIES_STATE_BUCKET;
  return bucket ? { ...config, state: { ...config.state, bucket } } : config;
}

/**
 * The validated configuration of a shared environment, with the state bucket taken from
 * `MOVIES_STATE_BUCKET` when set. Throws a {@link ConfigError} naming every invalid key.
 */
export function loadConfig(name: string, env: NodeJS.ProcessEnv = process.env): EnvironmentConfig {
  const config = (environments as Readonly<Record<string, EnvironmentConfig>>)[name];
  if (!config) {
    throw new ConfigError([`Unknown environment "${name}": expected one of ${ENVIRONMENTS.join(", ")}`]);
  }
  return validated(withStateBucket(config, env));
}

const DEVELOPER_STAGE = /^[a-z][a-z0-9]{0,15}$/;

/**
 * A developer's own copy of dev (like `pulumi stack init alice`): dev's settings, with `stage` as the
 * environment name, so physical names (`get-movie-alice`), tags, the API stage and state keys
 * (`movies/movies-alice.tfstate`) are the developer's alone.
 */
export function loadDeveloperConfig(stage: string, env: NodeJS.ProcessEnv = process.env): EnvironmentConfig {
  const problem = matches(
    DEVELOPER_STAGE,
    "1 to 16 lowercase letters or digits, starting with a letter",
  )(stage);
  if (problem) throw new ConfigError([`MOVIES_STAGE: ${problem}`]);
  if ((ENVIRONMENTS as readonly string[]).includes(stage)) {
    throw new ConfigError([`MOVIES_STAGE: "${stage}" is a shared environment; use a name of your own`]);
  }
  return validated(withStateBucket(applyOverrides(stage, devDefaults, { stageName: stage }), env));
}

/** The environments one synth writes: dev, staging, prod, and `MOVIES_STAGE`'s personal stage if set. */
export function selectedEnvironments(env: NodeJS.ProcessEnv = process.env): EnvironmentConfig[] {
  const configs = ENVIRONMENTS.map((name) => loadConfig(name, env));
  return env.MOVIES_STAGE ? [...configs, loadDeveloperConfig(env.MOVIES_STAGE, env)] : configs;
}

/** The validated state-bucket settings, with the bucket name taken from `MOVIES_STATE_BUCKET` when set. */
export function loadStateConfig(
  env: NodeJS.ProcessEnv = process.env,
  base: StateBucketConfig = stateBucket,
): StateBucketConfig {
  const config = env.MOVIES_STATE_BUCKET ? { ...base, bucket: env.MOVIES_STATE_BUCKET } : base;
  const p = new Problems("state");
  p.check("bucket", config.bucket, bucketName);
  p.check("region", config.region, region);
  p.check("encryption", config.encryption, oneOf(["aws:kms", "AES256"], "encryption types"));
  p.check("noncurrentVersionExpirationDays", config.noncurrentVersionExpirationDays, integer(1));
  p.check("newerNoncurrentVersions", config.newerNoncurrentVersions, integer(1, 100));
  p.check("backend", config.backend, oneOf(["local", "s3"], "backends"));
  p.optional("accountId", config.accountId, accountId);
  if (p.list.length > 0) throw new ConfigError(p.list);
  return config;
}
