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
  /** Where the remote state lives (an S3 bucket with versioning; locking uses S3 lock files). */
  readonly state: {
    readonly bucket: string;
    readonly region: string;
  };
}

/**
 * The remote-state bucket. Bucket names are global, so each team sets its own through
 * `MOVIES_STATE_BUCKET`; the default is the name the README's bootstrap instructions create.
 */
export const DEFAULT_STATE_BUCKET = "movies-cdktf-tfstate";

const dev: EnvironmentConfig = {
  environment: "dev",
  region: "eu-central-1",
  stageName: "dev",
  logRetentionDays: 14,
  apiThrottling: { rateLimit: 50, burstLimit: 100 },
  lambda: { memorySize: 256, timeout: 10 },
  state: { bucket: DEFAULT_STATE_BUCKET, region: "eu-central-1" },
};

export const environments: Readonly<Record<string, EnvironmentConfig>> = { dev };

/** The configuration of `name`, with the state bucket taken from `MOVIES_STATE_BUCKET` when set. */
export function loadConfig(name: string, env: NodeJS.ProcessEnv = process.env): EnvironmentConfig {
  const config = environments[name];
  if (!config) {
    throw new Error(`Unknown environment "${name}": expected one of ${Object.keys(environments).join(", ")}`);
  }
  const bucket = env.MOVIES_STATE_BUCKET;
  return bucket ? { ...config, state: { ...config.state, bucket } } : config;
}
