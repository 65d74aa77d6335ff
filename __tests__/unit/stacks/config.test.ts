import {
  applyOverrides,
  configWarnings,
  environments,
  loadConfig,
  loadDeveloperConfig,
  loadStateConfig,
  selectedEnvironments,
  stateBucket,
  stateBucketName,
  stateProblems,
  validateConfig,
  type EnvironmentConfig,
  type EnvironmentOverrides,
} from "../../../stacks/config";
import { ConfigError } from "../../../stacks/validate";

/** The state backend the committed config gives every environment: no bucket or key named yet. */
const COMMITTED_STATE = { region: "eu-central-1", encryption: "aws:kms" };

const NOTIFICATIONS = { maxReceiveCount: 5, batchSize: 10, maxMessageAgeSeconds: 900 };

describe("loadConfig", () => {
  it("returns the dev environment with the default state bucket", () => {
    expect(loadConfig("dev", {})).toEqual({
      environment: "dev",
      region: "eu-central-1",
      stageName: "dev",
      logRetentionDays: 14,
      apiThrottling: { rateLimit: 50, burstLimit: 100 },
      lambda: { memorySize: 256, timeout: 10 },
      ingestion: {
        memorySize: 256,
        timeout: 300,
        fanOutThresholdBytes: 16 * 1024 * 1024,
        batchSize: 1000,
        maxConcurrency: 1,
        toleratedFailurePercentage: 0,
        tableWriteUnitsPerSecond: 4000,
      },
      data: { retain: false, noncurrentVersionExpirationDays: 7 },
      state: COMMITTED_STATE,
      auth: "none",
      notifications: NOTIFICATIONS,
    });
  });

  it("starts staging and prod from dev and applies their overrides, nested groups field by field", () => {
    expect(loadConfig("staging", {})).toEqual({
      environment: "staging",
      region: "eu-central-1",
      stageName: "staging",
      logRetentionDays: 30,
      apiThrottling: { rateLimit: 100, burstLimit: 200 },
      lambda: { memorySize: 512, timeout: 10 },
      ingestion: {
        memorySize: 512,
        timeout: 300,
        fanOutThresholdBytes: 32 * 1024 * 1024,
        batchSize: 1000,
        maxConcurrency: 2,
        toleratedFailurePercentage: 0,
        tableWriteUnitsPerSecond: 12000,
      },
      data: { retain: true, noncurrentVersionExpirationDays: 30 },
      state: COMMITTED_STATE,
      auth: "cognito",
      notifications: NOTIFICATIONS,
    });
    expect(loadConfig("prod", {})).toEqual({
      environment: "prod",
      region: "eu-central-1",
      stageName: "prod",
      logRetentionDays: 90,
      apiThrottling: { rateLimit: 500, burstLimit: 1000 },
      lambda: { memorySize: 1024, timeout: 10, reservedConcurrency: 50 },
      ingestion: {
        memorySize: 512,
        timeout: 300,
        fanOutThresholdBytes: 32 * 1024 * 1024,
        batchSize: 1000,
        maxConcurrency: 14,
        toleratedFailurePercentage: 0,
        tableWriteUnitsPerSecond: 24000,
      },
      data: { retain: true, noncurrentVersionExpirationDays: 90 },
      state: COMMITTED_STATE,
      auth: "cognito",
      notifications: NOTIFICATIONS,
    });
  });

  it("takes the state bucket from MOVIES_STATE_BUCKET", () => {
    expect(loadConfig("dev", { MOVIES_STATE_BUCKET: "acme-tfstate" }).state).toEqual({
      ...COMMITTED_STATE,
      bucket: "acme-tfstate",
    });
  });

  it("names the known environments when asked for an unknown one", () => {
    expect(() => loadConfig("qa", {})).toThrow(
      new ConfigError(['Unknown environment "qa": expected one of dev, staging, prod']),
    );
  });

  it("refuses an invalid MOVIES_STATE_BUCKET, naming the key", () => {
    expect(() => loadConfig("prod", { MOVIES_STATE_BUCKET: "Acme_State" })).toThrow(
      'prod.state.bucket: must be 3 to 63 lowercase letters, digits or hyphens, starting and ending with a letter or digit, got "Acme_State"',
    );
  });

  it("validates every shared environment as it is committed", () => {
    for (const config of Object.values(environments)) expect(validateConfig(config)).toEqual([]);
  });
});

describe("validateConfig: each bad value gives one exact message naming its key", () => {
  const staging = (o: EnvironmentOverrides, base: EnvironmentConfig = environments.dev): string[] =>
    validateConfig(applyOverrides("staging", base, o));

  it.each<[string, EnvironmentOverrides, string]>([
    [
      "region",
      { region: "eu-central" },
      'staging.region: must be an AWS region like eu-central-1, got "eu-central"',
    ],
    [
      "region",
      { region: "EU-CENTRAL-1" },
      'staging.region: must be an AWS region like eu-central-1, got "EU-CENTRAL-1"',
    ],
    [
      "accountId",
      { accountId: "12345678901" },
      'staging.accountId: must be a 12-digit AWS account id, got "12345678901"',
    ],
    [
      "stageName",
      { stageName: "my stage" },
      'staging.stageName: must be 1 to 128 letters, digits, hyphens or underscores, got "my stage"',
    ],
    [
      "logRetentionDays",
      { logRetentionDays: 10 },
      "staging.logRetentionDays: must be one of the retention periods CloudWatch Logs allows (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653), got 10",
    ],
    [
      "apiThrottling.rateLimit",
      { apiThrottling: { rateLimit: 0 } },
      "staging.apiThrottling.rateLimit: must be a number greater than 0, got 0",
    ],
    [
      "apiThrottling.burstLimit",
      { apiThrottling: { burstLimit: 2.5 } },
      "staging.apiThrottling.burstLimit: must be an integer of at least 1, got 2.5",
    ],
    [
      "apiThrottling.burstLimit",
      { apiThrottling: { rateLimit: 100, burstLimit: 50 } },
      "staging.apiThrottling.burstLimit: must be at least apiThrottling.rateLimit (100), got 50",
    ],
    [
      "lambda.memorySize",
      { lambda: { memorySize: 64 } },
      "staging.lambda.memorySize: must be an integer from 128 to 10240, got 64",
    ],
    [
      "lambda.memorySize",
      { lambda: { memorySize: 10241 } },
      "staging.lambda.memorySize: must be an integer from 128 to 10240, got 10241",
    ],
    [
      "lambda.timeout",
      { lambda: { timeout: 0 } },
      "staging.lambda.timeout: must be an integer from 1 to 900, got 0",
    ],
    [
      "lambda.timeout",
      { lambda: { timeout: 901 } },
      "staging.lambda.timeout: must be an integer from 1 to 900, got 901",
    ],
    [
      "lambda.reservedConcurrency",
      { lambda: { reservedConcurrency: -1 } },
      "staging.lambda.reservedConcurrency: must be an integer of at least 0, got -1",
    ],
    [
      "ingestion.batchSize",
      { ingestion: { batchSize: 1001 } },
      "staging.ingestion.batchSize: must be an integer from 1 to 1000, got 1001",
    ],
    [
      "ingestion.toleratedFailurePercentage",
      { ingestion: { toleratedFailurePercentage: 101 } },
      "staging.ingestion.toleratedFailurePercentage: must be an integer from 0 to 100, got 101",
    ],
    [
      "ingestion.fanOutThresholdBytes",
      // 256 MB ingests 2,193 rows/s: 328,896 rows of 64 bytes in 150 s.
      { ingestion: { fanOutThresholdBytes: 21_049_345 } },
      "staging.ingestion.fanOutThresholdBytes: must be at most 21049344 (328896 rows of 64 bytes: what 256 MB ingests in half of 300 s), got 21049345",
    ],
    [
      "ingestion.maxConcurrency",
      { ingestion: { maxConcurrency: 5 } },
      "staging.ingestion.maxConcurrency: 5 batches at 851 rows/s each (256 MB) would write more than ingestion.tableWriteUnitsPerSecond (4000); at most 4",
    ],
    [
      "alarmEmail",
      { alarmEmail: "oncall" },
      'staging.alarmEmail: must be an e-mail address like team@example.com, got "oncall"',
    ],
    [
      "auth",
      { auth: "iam" as unknown as "none" },
      'staging.auth: must be one of the auth modes (cognito, none), got "iam"',
    ],
    [
      "data.retain",
      { data: { retain: "yes" as unknown as boolean } },
      'staging.data.retain: must be true or false, got "yes"',
    ],
    [
      "data.noncurrentVersionExpirationDays",
      { data: { noncurrentVersionExpirationDays: 0 } },
      "staging.data.noncurrentVersionExpirationDays: must be an integer of at least 1, got 0",
    ],
    [
      "state.bucket",
      { state: { bucket: "ab" } },
      'staging.state.bucket: must be 3 to 63 lowercase letters, digits or hyphens, starting and ending with a letter or digit, got "ab"',
    ],
    [
      "state.bucket",
      { state: { bucket: "my.state.bucket" } },
      'staging.state.bucket: must be 3 to 63 lowercase letters, digits or hyphens, starting and ending with a letter or digit, got "my.state.bucket"',
    ],
    [
      "state.bucket",
      { state: { bucket: "xn--tfstate" } },
      'staging.state.bucket: must not use a prefix or suffix S3 reserves, got "xn--tfstate"',
    ],
    [
      "state.kmsKeyArn",
      { state: { kmsKeyArn: "alias/movies-cdktf-tfstate" } },
      'staging.state.kmsKeyArn: must be a KMS key ARN like arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab, got "alias/movies-cdktf-tfstate"',
    ],
    [
      "state.region",
      { state: { region: "" } },
      'staging.state.region: must be an AWS region like eu-central-1, got ""',
    ],
  ])("%s: %j", (_key, override, message) => {
    expect(staging(override)).toEqual([message]);
  });

  it("accepts reserved concurrency 0, an account id, an e-mail and GovCloud regions", () => {
    expect(
      staging({
        region: "us-gov-west-1",
        accountId: "123456789012",
        alarmEmail: "movies-oncall@example.com",
        lambda: { reservedConcurrency: 0, memorySize: 10240, timeout: 900 },
      }),
    ).toEqual([]);
  });

  it("lists every problem, one per line, when loading fails", () => {
    const broken = applyOverrides("staging", environments.dev, { lambda: { memorySize: 1, timeout: 0 } });
    const error = new ConfigError(validateConfig(broken));
    expect(error.message).toBe(
      "staging.lambda.memorySize: must be an integer from 128 to 10240, got 1\n" +
        "staging.lambda.timeout: must be an integer from 1 to 900, got 0",
    );
  });
});

describe("developer stages (MOVIES_STAGE)", () => {
  it("are dev's settings under the developer's name", () => {
    expect(loadDeveloperConfig("alice", {})).toEqual({
      ...loadConfig("dev", {}),
      environment: "alice",
      stageName: "alice",
    });
  });

  it.each([
    [
      "Alice",
      'MOVIES_STAGE: must be 1 to 16 lowercase letters or digits, starting with a letter, got "Alice"',
    ],
    [
      "1alice",
      'MOVIES_STAGE: must be 1 to 16 lowercase letters or digits, starting with a letter, got "1alice"',
    ],
    [
      "al-ice",
      'MOVIES_STAGE: must be 1 to 16 lowercase letters or digits, starting with a letter, got "al-ice"',
    ],
    [
      "a234567890123456x",
      'MOVIES_STAGE: must be 1 to 16 lowercase letters or digits, starting with a letter, got "a234567890123456x"',
    ],
    ["prod", 'MOVIES_STAGE: "prod" is a shared environment; use a name of your own'],
    ["dev", 'MOVIES_STAGE: "dev" is a shared environment; use a name of your own'],
  ])("refuses %j", (stage, message) => {
    expect(() => loadDeveloperConfig(stage, {})).toThrow(new ConfigError([message]));
  });

  it("adds the developer's stage to the shared environments", () => {
    expect(selectedEnvironments({}).map((c) => c.environment)).toEqual(["dev", "staging", "prod"]);
    expect(selectedEnvironments({ MOVIES_STAGE: "bob" }).map((c) => c.environment)).toEqual([
      "dev",
      "staging",
      "prod",
      "bob",
    ]);
  });
});

describe("loadStateConfig: the state bucket's name", () => {
  const KEY = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

  it("is derived from the account and region, unique per account: movies-cdktf-tfstate-<account>-<region>", () => {
    expect(stateBucketName("123456789012", "eu-central-1")).toBe(
      "movies-cdktf-tfstate-123456789012-eu-central-1",
    );
    expect(loadStateConfig({}, { ...stateBucket, accountId: "123456789012" }).bucket).toBe(
      "movies-cdktf-tfstate-123456789012-eu-central-1",
    );
  });

  it("takes stateBucket.bucket over the derived name, and MOVIES_STATE_BUCKET over both", () => {
    const named = { ...stateBucket, accountId: "123456789012", bucket: "acme-tfstate" };
    expect(loadStateConfig({}, named).bucket).toBe("acme-tfstate");
    expect(loadStateConfig({ MOVIES_STATE_BUCKET: "acme-ci-tfstate" }, named).bucket).toBe("acme-ci-tfstate");
  });

  it("is unset in the committed config (no account yet): KMS-encrypted, its own state local until migrated", () => {
    expect(loadStateConfig({})).toEqual({
      region: "eu-central-1",
      encryption: "aws:kms",
      noncurrentVersionExpirationDays: 90,
      newerNoncurrentVersions: 10,
      backend: "local",
    });
  });

  it("names the state key of each bad value", () => {
    expect(() =>
      loadStateConfig(
        {},
        {
          ...stateBucket,
          encryption: "des" as "AES256",
          noncurrentVersionExpirationDays: 0,
          accountId: "x",
          kmsKeyArn: "key",
        },
      ),
    ).toThrow(
      new ConfigError([
        'state.encryption: must be one of the encryption types (aws:kms, AES256), got "des"',
        "state.noncurrentVersionExpirationDays: must be an integer of at least 1, got 0",
        'state.accountId: must be a 12-digit AWS account id, got "x"',
        'state.kmsKeyArn: must be a KMS key ARN like arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab, got "key"',
        'state.kmsKeyArn: is only used with encryption "aws:kms", got encryption "des"',
      ]),
    );
    expect(loadStateConfig({}, { ...stateBucket, kmsKeyArn: KEY }).kmsKeyArn).toBe(KEY);
  });
});

describe("stateProblems: what stops a deploy, and what to set", () => {
  const KEY = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  const BUCKET_MESSAGE =
    "No state bucket: set stateBucket.accountId in stacks/config.ts to the account that holds it (it is then " +
    "named movies-cdktf-tfstate-<account>-eu-central-1), or name it with stateBucket.bucket or " +
    "MOVIES_STATE_BUCKET=<a globally unique bucket name>.";
  const KEY_MESSAGE =
    "No state key: deploy the bootstrap first (npm run deploy:bootstrap), then set stateBucket.kmsKeyArn in " +
    "stacks/config.ts to its output state_bucket_kms_key_arn. The bucket refuses state written with any other key.";

  it("names the bucket's account first, then the key, while neither is configured", () => {
    expect(stateProblems({ region: "eu-central-1", encryption: "aws:kms" })).toEqual([
      BUCKET_MESSAGE,
      KEY_MESSAGE,
    ]);
  });

  it("asks only for the key once the bucket is named, and nothing once both are", () => {
    const named = { bucket: "acme-tfstate", region: "eu-central-1", encryption: "aws:kms" } as const;
    expect(stateProblems(named)).toEqual([KEY_MESSAGE]);
    expect(stateProblems({ ...named, kmsKeyArn: KEY })).toEqual([]);
  });

  it("needs no key for an SSE-S3 bucket", () => {
    expect(stateProblems({ bucket: "acme-tfstate", region: "eu-central-1", encryption: "AES256" })).toEqual(
      [],
    );
  });
});

describe("configWarnings: risky but deployable, once per stack, naming the key", () => {
  it("warns staging and prod without accountId, and prod without alarmEmail", () => {
    expect(configWarnings(loadConfig("staging", {}))).toEqual([
      "staging.accountId is not set: the provider accepts credentials of any account, so staging can be deployed " +
        "into the wrong one. Set overrides.staging.accountId in stacks/config.ts.",
    ]);
    expect(configWarnings(loadConfig("prod", {}))).toEqual([
      "prod.accountId is not set: the provider accepts credentials of any account, so prod can be deployed " +
        "into the wrong one. Set overrides.prod.accountId in stacks/config.ts.",
      "prod.alarmEmail is not set: every alarm goes to the stack's alerts topic and nobody is told. " +
        "Set overrides.prod.alarmEmail in stacks/config.ts.",
    ]);
  });

  it("says nothing for dev and developer stages, or once the keys are set", () => {
    expect(configWarnings(loadConfig("dev", {}))).toEqual([]);
    expect(configWarnings(loadDeveloperConfig("alice", {}))).toEqual([]);
    const prod = loadConfig("prod", {});
    expect(configWarnings({ ...prod, accountId: "123456789012", alarmEmail: "oncall@example.com" })).toEqual(
      [],
    );
  });
});
