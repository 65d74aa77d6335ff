import { AnnotationMetadataEntryType, Testing } from "cdktf";
import { loadConfig, type EnvironmentConfig } from "../../../stacks/config";
import { MoviesStack } from "../../../stacks/movies-stack";
import { synthesize } from "../../helpers/synth";

const KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function movies(config: EnvironmentConfig): MoviesStack {
  return new MoviesStack(Testing.app(), `movies-${config.environment}`, { config });
}

/** The messages of `stack`'s own annotations at `level`. */
function annotations(stack: MoviesStack, level: AnnotationMetadataEntryType): unknown[] {
  return stack.node.metadata.filter((m) => m.type === level).map((m) => m.data);
}

describe("the S3 backend of a configured environment", () => {
  const configured = (name: string) => {
    const config = loadConfig(name, {
      MOVIES_STATE_BUCKET: "movies-cdktf-tfstate-123456789012-eu-central-1",
    });
    return { ...config, state: { ...config.state, kmsKeyArn: KEY_ARN } };
  };

  it("writes state, lock and digest with the bucket's own KMS key, not SSE-S3", () => {
    const backend = synthesize(movies(configured("dev"))).terraform.backend;
    expect(backend).toEqual({
      s3: {
        bucket: "movies-cdktf-tfstate-123456789012-eu-central-1",
        key: "movies/movies-dev.tfstate",
        region: "eu-central-1",
        encrypt: true,
        kms_key_id: KEY_ARN,
        use_lockfile: true,
      },
    });
  });

  it("reports no error, so cdktf deploys it", () => {
    expect(annotations(movies(configured("dev")), AnnotationMetadataEntryType.ERROR)).toEqual([]);
  });

  it("writes SSE-S3 (no kms_key_id) to a bucket configured without a key of its own", () => {
    const config = configured("dev");
    const stack = movies({
      ...config,
      state: { bucket: config.state.bucket, region: "eu-central-1", encryption: "AES256" },
    });
    expect(synthesize(stack).terraform.backend).toMatchObject({ s3: { encrypt: true } });
    expect(synthesize(stack).terraform.backend).not.toHaveProperty("s3.kms_key_id");
    expect(annotations(stack, AnnotationMetadataEntryType.ERROR)).toEqual([]);
  });
});

describe("the S3 backend while the state bucket is not configured (the committed config)", () => {
  it("is a partial configuration, without bucket or key, that Terraform would not init", () => {
    expect(synthesize(movies(loadConfig("dev", {}))).terraform.backend).toEqual({
      s3: { key: "movies/movies-dev.tfstate", region: "eu-central-1", encrypt: true, use_lockfile: true },
    });
  });

  it("puts an error on the stack for each missing setting, which stops every cdktf command", () => {
    const messages = annotations(movies(loadConfig("dev", {})), AnnotationMetadataEntryType.ERROR);
    expect(messages).toEqual([
      expect.stringMatching(/^No state bucket: set stateBucket\.accountId in stacks\/config\.ts/),
      expect.stringMatching(/^No state key: deploy the bootstrap first \(npm run deploy:bootstrap\)/),
    ]);
  });
});

describe("synth warnings", () => {
  it("are reported once per stack, naming the config key (configWarnings)", () => {
    const stack = movies(loadConfig("prod", {}));
    expect(annotations(stack, AnnotationMetadataEntryType.WARN)).toEqual([
      expect.stringMatching(
        /^prod\.accountId is not set: .* Set overrides\.prod\.accountId in stacks\/config\.ts\.$/,
      ),
      expect.stringMatching(
        /^prod\.alarmEmail is not set: .* Set overrides\.prod\.alarmEmail in stacks\/config\.ts\.$/,
      ),
    ]);
    Testing.synth(stack);
    expect(annotations(stack, AnnotationMetadataEntryType.WARN)).toHaveLength(2);
  });

  it("are not there for dev", () => {
    expect(annotations(movies(loadConfig("dev", {})), AnnotationMetadataEntryType.WARN)).toEqual([]);
  });
});
