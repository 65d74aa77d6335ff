import {
  accountId,
  apiStageName,
  boolean,
  bucketName,
  ConfigError,
  email,
  integer,
  kmsKeyArn,
  logRetentionDays,
  matches,
  oneOf,
  positive,
  Problems,
  region,
} from "./validate";
import { derivedName } from "../constructs/core/naming";

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
  /** How uploads are ingested: one invocation up to the fan-out threshold, a Distributed Map above it. */
  readonly ingestion: IngestionConfig;
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
  readonly state: StateBackendConfig;
  /**
   * Who may call the write routes (`PATCH /movies/{movieId}`, `POST /orders`, `GET /orders/{orderId}`):
   * `cognito`, a caller with an ID or access token of the environment's user pool (the `auth-<env>` stack),
   * checked by a Cognito authorizer on the REST API; `none`, anyone (the workshop's open API).
   * `GET /movies/{movieId}` is public either way. dev (and developer stages) is `none`, so the workshop's
   * Test section works with plain curl; staging and prod are `cognito` (docs/auth.md).
   */
  readonly auth: AuthMode;
  /** How the notifications service consumes OrderCreated from its queue. */
  readonly notifications: NotificationsConfig;
}

/** The notifications queue and its consumer (stacks/notifications-stack.ts). */
export interface NotificationsConfig {
  /**
   * Receives of one message before SQS moves it to the queue's DLQ (the redrive policy): a message the
   * notify function fails on this many times is a poison message, and stops being retried.
   */
  readonly maxReceiveCount: number;
  /** Messages per invocation of the notify function (the event source mapping's `batch_size`, 1 to 10). */
  readonly batchSize: number;
  /** Age of the queue's oldest message above which its alarm fires, in seconds: the consumer is behind. */
  readonly maxMessageAgeSeconds: number;
}

/** How the write routes are protected: see {@link EnvironmentConfig.auth}. */
export type AuthMode = "cognito" | "none";
export const AUTH_MODES: readonly AuthMode[] = ["cognito", "none"];
/**
 * Ingestion of uploaded CSV files (docs/ingestion.md). upload-infos ingests an object of up to
 * `fanOutThresholdBytes` in one invocation; a larger one starts the ingestion state machine, whose
 * Distributed Map hands batches of `batchSize` rows to upload-infos-batch, `maxConcurrency` at a time.
 * Memory is chosen from the CPU a row costs ({@link INGESTION_CPU_SECONDS_PER_ROW}): see
 * {@link singlePathRowsPerSecond} and {@link largestSinglePathBytes}, which validation checks against.
 */
export interface IngestionConfig {
  /** Memory of upload-infos and upload-infos-batch, in MB: Lambda's CPU share is proportional to it. */
  readonly memorySize: number;
  /** Timeout of upload-infos and upload-infos-batch, in seconds. */
  readonly timeout: number;
  /**
   * Objects larger than this go to the state machine. At most {@link largestSinglePathBytes}: what one
   * invocation ingests in half its timeout.
   */
  readonly fanOutThresholdBytes: number;
  /** Rows per batch of the Distributed Map (ItemBatcher `MaxItemsPerBatch`). */
  readonly batchSize: number;
  /**
   * Batches in flight at once (the map's `MaxConcurrency`). Bounded so that, each batch writing as fast as
   * its CPU allows, together they stay within `tableWriteUnitsPerSecond`.
   */
  readonly maxConcurrency: number;
  /** Percentage of batches that may fail (after retries) before the execution fails. */
  readonly toleratedFailurePercentage: number;
  /**
   * Write request units per second movie_infos takes on demand without throttling: 4,000 for a new
   * on-demand table; more once the table has served a higher peak, or has been pre-warmed to it (warm
   * throughput). Items of the movie_infos kind are under 1 KB: one unit per row.
   */
  readonly tableWriteUnitsPerSecond: number;
}

/**
 * CPU time upload-infos spends per row at one full core, measured by `npm run bench` (bench/results.json,
 * `fanOut.cpuUsPerRow`): about 66 µs; the sizing below uses this figure.
 */
export const INGESTION_CPU_SECONDS_PER_ROW = 66e-6;
/**
 * CPU time upload-infos-batch spends per row of a 1,000-row batch at one full core, measured by `npm run bench`
 * (`fanOut.cpuUsPerRow`: 170 µs, the invocation's own costs included): what bounds `maxConcurrency`.
 */
export const FAN_OUT_CPU_SECONDS_PER_ROW = 170e-6;
/** Lambda gives a function one full vCPU at 1,769 MB, and a share proportional to memory below that. */
export const FULL_VCPU_MEMORY_MB = 1769;
/** Bytes of a typical row (the bench's rows are 66 to 70 bytes): converts a row count to a file size. */
export const TYPICAL_ROW_BYTES = 64;

/** Rows per second one invocation with `memorySize` MB ingests when its CPU is the limit (one thread). */
export function singlePathRowsPerSecond(memorySize: number): number {
  return Math.min(memorySize, FULL_VCPU_MEMORY_MB) / FULL_VCPU_MEMORY_MB / INGESTION_CPU_SECONDS_PER_ROW;
}

/** Rows per second one fan-out batch writes with `memorySize` MB when its CPU is the limit. */
export function batchRowsPerSecond(memorySize: number): number {
  return Math.min(memorySize, FULL_VCPU_MEMORY_MB) / FULL_VCPU_MEMORY_MB / FAN_OUT_CPU_SECONDS_PER_ROW;
}

/** The most rows upload-infos ingests in half its timeout, by CPU. */
export function largestSinglePathRows(ingestion: Pick<IngestionConfig, "memorySize" | "timeout">): number {
  return Math.floor(singlePathRowsPerSecond(ingestion.memorySize) * (ingestion.timeout / 2));
}

/** {@link largestSinglePathRows} of typical rows, in bytes: the highest valid fan-out threshold. */
export function largestSinglePathBytes(ingestion: Pick<IngestionConfig, "memorySize" | "timeout">): number {
  return largestSinglePathRows(ingestion) * TYPICAL_ROW_BYTES;
}

/** The S3 backend every stack of an environment keeps its state with. */
export interface StateBackendConfig {
  /**
   * The bucket.
   * @default `stateBucket`'s name (`MOVIES_STATE_BUCKET`, `stateBucket.bucket`, or derived from
   * `stateBucket.accountId`); unset while none of them is, and then no stack can be deployed
   * ({@link stateProblems} says what to set)
   */
  readonly bucket?: string;
  readonly region: string;
  /** How the bucket encrypts: with `aws:kms` the backend must write with {@link kmsKeyArn}. */
  readonly encryption: "aws:kms" | "AES256";
  /**
   * The bucket's own KMS key, which the backend writes state, lock and digest objects with (the
   * bucket refuses any other).
   * @default `stateBucket.kmsKeyArn`
   */
  readonly kmsKeyArn?: string;
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
  readonly ingestion?: Partial<IngestionConfig>;
  readonly alarmEmail?: string;
  readonly data?: Partial<EnvironmentConfig["data"]>;
  readonly state?: Partial<EnvironmentConfig["state"]>;
  readonly auth?: AuthMode;
  readonly notifications?: Partial<EnvironmentConfig["notifications"]>;
}

/** The remote-state bucket that the `state-bootstrap` stack creates and every other stack uses. */
export interface StateBucketConfig {
  /**
   * The account the bucket lives in: the bucket is named after it
   * (`movies-cdktf-tfstate-<account>-<region>`, see {@link stateBucketName}) and the bootstrap's
   * provider refuses any other account.
   * @default unset: the stacks cannot be deployed until it (or `bucket`) is set
   */
  readonly accountId?: string;
  /**
   * The bucket's name, when the derived one will not do (`MOVIES_STATE_BUCKET` overrides it in turn).
   * Bucket names are global: pick one nobody else has.
   * @default `movies-cdktf-tfstate-<accountId>-<region>`
   */
  readonly bucket?: string;
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
   * The ARN of the bucket's KMS key: the bootstrap's output `state_bucket_kms_key_arn`, known after its
   * first deploy. Every S3 backend writes with it (`kms_key_id`); the bucket refuses puts with any
   * other key, or none.
   * @default unset: only the bootstrap (state still local) can be deployed
   */
  readonly kmsKeyArn?: string;
}

/** The first part of the state bucket's derived name: `movies-cdktf-tfstate-<account>-<region>`. */
export const STATE_BUCKET_PREFIX = "movies-cdktf-tfstate";

/**
 * The state bucket's default name, unique per account and region: `movies-cdktf-tfstate-<account>-<region>`.
 * `accountId` may be a Terraform reference (the bootstrap names the bucket from the caller's account
 * when none is configured).
 */
export function stateBucketName(accountId: string, bucketRegion: string): string {
  return derivedName(derivedName(STATE_BUCKET_PREFIX, accountId), bucketRegion);
}

/** The state bucket's settings. Set `accountId` (or `bucket`) before the first deploy. */
export const stateBucket: StateBucketConfig = {
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
  // 256 MB: 0.14 vCPU, ~2,190 rows/s, ~329k rows (~20 MiB) in half of 300 s; one batch at a time (~850
  // rows/s) stays well within a new on-demand table's 4,000 writes/s.
  ingestion: {
    memorySize: 256,
    timeout: 300,
    fanOutThresholdBytes: 16 * 1024 * 1024,
    batchSize: 1000,
    maxConcurrency: 1,
    toleratedFailurePercentage: 0,
    tableWriteUnitsPerSecond: 4000,
  },
  state: backendOf(resolveStateBucket(stateBucket, {})),
  auth: "none",
  notifications: { maxReceiveCount: 5, batchSize: 10, maxMessageAgeSeconds: 900 },
};

/** Everything that differs from dev, in one place. */
const overrides: Readonly<Record<EnvironmentName, EnvironmentOverrides>> = {
  dev: {},
  staging: {
    stageName: "staging",
    logRetentionDays: 30,
    apiThrottling: { rateLimit: 100, burstLimit: 200 },
    lambda: { memorySize: 512 },
    // 512 MB: ~4,380 rows/s, ~657k rows (~40 MiB) in 150 s; 2 batches of ~1,700 rows/s within 12,000 writes/s.
    ingestion: {
      memorySize: 512,
      fanOutThresholdBytes: 32 * 1024 * 1024,
      maxConcurrency: 2,
      tableWriteUnitsPerSecond: 12000,
    },
    data: { retain: true, noncurrentVersionExpirationDays: 30 },
    auth: "cognito",
  },
  prod: {
    stageName: "prod",
    logRetentionDays: 90,
    apiThrottling: { rateLimit: 500, burstLimit: 1000 },
    // Reserved per function (every function of every prod stack: 6 × 50 = 300); Lambda keeps 100 of the account's
    // quota unreserved on top, so prod's account needs a concurrency quota of 400 (npm run synth prints it).
    lambda: { memorySize: 1024, reservedConcurrency: 50 },
    // 512 MB: ~657k rows (~40 MiB) in one invocation; above 32 MiB, 14 batches of 1,000 rows at a time, at most
    // 14 × 1,700 rows/s by CPU within the 24,000 writes/s movie_infos is pre-warmed to; npm run bench projects
    // 10M rows in ~13 min (docs/ingestion.md).
    ingestion: {
      memorySize: 512,
      fanOutThresholdBytes: 32 * 1024 * 1024,
      maxConcurrency: 14,
      toleratedFailurePercentage: 0,
      tableWriteUnitsPerSecond: 24000,
    },
    data: { retain: true, noncurrentVersionExpirationDays: 90 },
    auth: "cognito",
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
    ingestion: { ...base.ingestion, ...o.ingestion },
    data: { ...base.data, ...o.data },
    state: { ...base.state, ...o.state },
    notifications: { ...base.notifications, ...o.notifications },
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
  validateIngestion(p, config.ingestion);
  p.optional("alarmEmail", config.alarmEmail, email);
  p.check("data.retain", config.data.retain, boolean);
  p.check("data.noncurrentVersionExpirationDays", config.data.noncurrentVersionExpirationDays, integer(1));
  p.optional("state.bucket", config.state.bucket, bucketName);
  p.check("state.region", config.state.region, region);
  p.optional("state.kmsKeyArn", config.state.kmsKeyArn, kmsKeyArn);
  p.check("auth", config.auth, oneOf(AUTH_MODES, "auth modes"));
  p.check("notifications.maxReceiveCount", config.notifications.maxReceiveCount, integer(1, 1000));
  p.check("notifications.batchSize", config.notifications.batchSize, integer(1, 10));
  p.check("notifications.maxMessageAgeSeconds", config.notifications.maxMessageAgeSeconds, integer(60));
  return p.list;
}

/** Step Functions' Distributed Map runs at most 10,000 child executions at once. */
const MAX_MAP_CONCURRENCY = 10_000;

function validateIngestion(p: Problems, ingestion: IngestionConfig): void {
  const { memorySize, timeout, fanOutThresholdBytes, batchSize, maxConcurrency } = ingestion;
  p.check("ingestion.memorySize", memorySize, integer(128, 10240));
  p.check("ingestion.timeout", timeout, integer(1, 900));
  p.check("ingestion.fanOutThresholdBytes", fanOutThresholdBytes, integer(1));
  // 1,000 rows of ~150 bytes as the map's JSON stay well under Step Functions' 256 KiB batch input.
  p.check("ingestion.batchSize", batchSize, integer(1, 1000));
  p.check("ingestion.maxConcurrency", maxConcurrency, integer(1, MAX_MAP_CONCURRENCY));
  p.check("ingestion.toleratedFailurePercentage", ingestion.toleratedFailurePercentage, integer(0, 100));
  p.check("ingestion.tableWriteUnitsPerSecond", ingestion.tableWriteUnitsPerSecond, integer(1));
  if (p.list.some((problem) => problem.includes(".ingestion."))) return;
  const largest = largestSinglePathBytes(ingestion);
  if (fanOutThresholdBytes > largest) {
    p.add(
      "ingestion.fanOutThresholdBytes",
      `must be at most ${largest} (${largestSinglePathRows(ingestion)} rows of ${TYPICAL_ROW_BYTES} bytes: what ` +
        `${memorySize} MB ingests in half of ${timeout} s), got ${fanOutThresholdBytes}`,
    );
  }
  const perBatch = batchRowsPerSecond(memorySize);
  if (maxConcurrency * perBatch > ingestion.tableWriteUnitsPerSecond) {
    p.add(
      "ingestion.maxConcurrency",
      `${maxConcurrency} batches at ${Math.round(perBatch)} rows/s each (${memorySize} MB) would write more than ` +
        `ingestion.tableWriteUnitsPerSecond (${ingestion.tableWriteUnitsPerSecond}); at most ` +
        `${Math.max(1, Math.floor(ingestion.tableWriteUnitsPerSecond / perBatch))}`,
    );
  }
}

function validated(config: EnvironmentConfig): EnvironmentConfig {
  const problems = validateConfig(config);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The environments whose stacks warn at synth when they are not pinned to an account. */
const ACCOUNT_PINNED_ENVIRONMENTS: readonly string[] = ["staging", "prod"];
/** The environments whose stacks warn at synth when no one receives their alarms. */
const ALERTED_ENVIRONMENTS: readonly string[] = ["prod"];

/**
 * What is risky but deployable in an environment, one sentence each naming the key to set: staging and
 * prod without `accountId` (the provider would take any account's credentials), prod without
 * `alarmEmail` (every alarm goes to a topic nobody reads). Stacks report them at synth.
 */
export function configWarnings(config: EnvironmentConfig): string[] {
  const { environment } = config;
  const warnings: string[] = [];
  if (ACCOUNT_PINNED_ENVIRONMENTS.includes(environment) && config.accountId === undefined) {
    warnings.push(
      `${environment}.accountId is not set: the provider accepts credentials of any account, so ${environment} ` +
        `can be deployed into the wrong one. Set overrides.${environment}.accountId in stacks/config.ts.`,
    );
  }
  if (ALERTED_ENVIRONMENTS.includes(environment) && config.alarmEmail === undefined) {
    warnings.push(
      `${environment}.alarmEmail is not set: every alarm goes to the stack's alerts topic and nobody is told. ` +
        `Set overrides.${environment}.alarmEmail in stacks/config.ts.`,
    );
  }
  return warnings;
}

/**
 * Why a stack that keeps its state with `state` cannot be deployed yet, one sentence each saying what to
 * set; empty when it can. Stacks report them as errors, which stop every cdktf command (deploy, diff,
 * synth) while `npm run synth`, the tests and the local run go on.
 */
export function stateProblems(state: StateBackendConfig): string[] {
  const problems: string[] = [];
  if (state.bucket === undefined) {
    problems.push(
      "No state bucket: set stateBucket.accountId in stacks/config.ts to the account that holds it (it is then " +
        `named ${stateBucketName("<account>", state.region)}), or name it with stateBucket.bucket or ` +
        "MOVIES_STATE_BUCKET=<a globally unique bucket name>.",
    );
  }
  if (state.encryption === "aws:kms" && state.kmsKeyArn === undefined) {
    problems.push(
      "No state key: deploy the bootstrap first (npm run deploy:bootstrap), then set stateBucket.kmsKeyArn in " +
        "stacks/config.ts to its output state_bucket_kms_key_arn. The bucket refuses state written with any other key.",
    );
  }
  return problems;
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

/** `config` with its bucket named: `MOVIES_STATE_BUCKET`, else `bucket`, else derived from `accountId`. */
function resolveStateBucket(config: StateBucketConfig, env: NodeJS.ProcessEnv): StateBucketConfig {
  const bucket =
    env.MOVIES_STATE_BUCKET ||
    config.bucket ||
    (config.accountId ? stateBucketName(config.accountId, config.region) : undefined);
  return bucket ? { ...config, bucket } : config;
}

/** The S3 backend settings of a stack whose state goes to the bucket `config` describes. */
export function backendOf(config: StateBucketConfig): StateBackendConfig {
  return {
    ...(config.bucket ? { bucket: config.bucket } : {}),
    region: config.region,
    encryption: config.encryption,
    ...(config.kmsKeyArn ? { kmsKeyArn: config.kmsKeyArn } : {}),
  };
}

/**
 * The validated state-bucket settings, its name resolved: `MOVIES_STATE_BUCKET`, else `bucket`, else
 * derived from `accountId`, else unset (the bootstrap then names the bucket after the account it is
 * deployed into, and the other stacks cannot be deployed: {@link stateProblems}).
 */
export function loadStateConfig(
  env: NodeJS.ProcessEnv = process.env,
  base: StateBucketConfig = stateBucket,
): StateBucketConfig {
  const config = resolveStateBucket(base, env);
  const p = new Problems("state");
  p.optional("bucket", config.bucket, bucketName);
  p.check("region", config.region, region);
  p.check("encryption", config.encryption, oneOf(["aws:kms", "AES256"], "encryption types"));
  p.check("noncurrentVersionExpirationDays", config.noncurrentVersionExpirationDays, integer(1));
  p.check("newerNoncurrentVersions", config.newerNoncurrentVersions, integer(1, 100));
  p.check("backend", config.backend, oneOf(["local", "s3"], "backends"));
  p.optional("accountId", config.accountId, accountId);
  p.optional("kmsKeyArn", config.kmsKeyArn, kmsKeyArn);
  if (config.kmsKeyArn !== undefined && config.encryption !== "aws:kms") {
    p.add("kmsKeyArn", `is only used with encryption "aws:kms", got encryption "${config.encryption}"`);
  }
  if (p.list.length > 0) throw new ConfigError(p.list);
  return config;
}
