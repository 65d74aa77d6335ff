import { Testing } from "cdktf";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { loadStateConfig, stateBucket, type StateBucketConfig } from "../../../stacks/config";
import { StateBootstrapStack } from "../../../stacks/state-bootstrap-stack";
import { addresses, synthesize, synthesized, type SynthesizedStack } from "../../helpers/synth";

/** The bootstrap of `config`, its bucket named as the app names it. */
function synthBootstrap(config: StateBucketConfig): SynthesizedStack {
  return synthesize(
    new StateBootstrapStack(Testing.app(), "state-bootstrap", { config: loadStateConfig({}, config) }),
  );
}

const KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

const bucket = "${aws_s3_bucket.state_bucket.id}";

describe("state-bootstrap (KMS, the committed default)", () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesized("state-bootstrap");
  });

  it("has exactly the bucket, its key and its settings, at readable addresses", () => {
    expect(addresses(synth)).toEqual([
      "aws_kms_alias.state_bucket_key_alias",
      "aws_kms_key.state_bucket_key",
      "aws_s3_bucket.state_bucket",
      "aws_s3_bucket_lifecycle_configuration.state_bucket_lifecycle",
      "aws_s3_bucket_ownership_controls.state_bucket_ownership_controls",
      "aws_s3_bucket_policy.state_bucket_policy",
      "aws_s3_bucket_public_access_block.state_bucket_public_access_block",
      "aws_s3_bucket_server_side_encryption_configuration.state_bucket_encryption",
      "aws_s3_bucket_versioning.state_bucket_versioning",
      // No account configured: the bucket is named after the account it is deployed into.
      "data.aws_caller_identity.current",
      "data.aws_iam_policy_document.state_bucket_tls_only_policy_document",
    ]);
  });

  it("names the bucket after the account it is deployed into, and refuses to destroy it or its key", () => {
    expect(synth.json).toHaveResourceWithProperties(S3Bucket, {
      bucket: "movies-cdktf-tfstate-${data.aws_caller_identity.current.account_id}-eu-central-1",
      lifecycle: { prevent_destroy: true },
    });
    expect(synth.json).toHaveResourceWithProperties(KmsKey, {
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      lifecycle: { prevent_destroy: true },
    });
    expect(synth.json).toHaveResourceWithProperties(KmsAlias, {
      name: "alias/movies-cdktf-tfstate-${data.aws_caller_identity.current.account_id}-eu-central-1",
      target_key_id: "${aws_kms_key.state_bucket_key.key_id}",
    });
  });

  it("encrypts with its KMS key and an S3 Bucket Key", () => {
    expect(synth.json).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      bucket,
      rule: [
        {
          apply_server_side_encryption_by_default: {
            sse_algorithm: "aws:kms",
            kms_master_key_id: "${aws_kms_key.state_bucket_key.arn}",
          },
          bucket_key_enabled: true,
        },
      ],
    });
  });

  it("is versioned, private, owner-enforced and TLS only", () => {
    expect(synth.json).toHaveResourceWithProperties(S3BucketVersioningA, {
      bucket,
      versioning_configuration: { status: "Enabled" },
    });
    expect(synth.json).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      bucket,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(synth.json).toHaveResourceWithProperties(S3BucketOwnershipControls, {
      bucket,
      rule: { object_ownership: "BucketOwnerEnforced" },
    });
    expect(synth.json).toHaveResourceWithProperties(S3BucketPolicy, {
      bucket,
      policy: "${data.aws_iam_policy_document.state_bucket_tls_only_policy_document.json}",
      depends_on: ["aws_s3_bucket_public_access_block.state_bucket_public_access_block"],
    });
    const bucketObjects = ["${aws_s3_bucket.state_bucket.arn}/*"];
    const denyWrites = (sid: string, test: string, variable: string, values: string[]) => ({
      sid,
      effect: "Deny",
      principals: [{ type: "*", identifiers: ["*"] }],
      actions: ["s3:PutObject"],
      resources: bucketObjects,
      condition: [{ test, variable, values }],
    });
    expect(synth.data.aws_iam_policy_document?.state_bucket_tls_only_policy_document?.statement).toEqual([
      {
        sid: "DenyInsecureTransport",
        effect: "Deny",
        principals: [{ type: "*", identifiers: ["*"] }],
        actions: ["s3:*"],
        resources: ["${aws_s3_bucket.state_bucket.arn}", ...bucketObjects],
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      },
      // Terraform's `encrypt = true` alone writes SSE-S3, overriding the bucket's default: only writes
      // that name this very key get in (state, lock and digest objects all do, with kms_key_id).
      denyWrites("DenyWritesNotSseKms", "StringNotEquals", "s3:x-amz-server-side-encryption", ["aws:kms"]),
      denyWrites("DenyWritesWithoutSseHeader", "Null", "s3:x-amz-server-side-encryption", ["true"]),
      denyWrites(
        "DenyWritesWithAnotherKey",
        "StringNotEquals",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        ["${aws_kms_key.state_bucket_key.arn}"],
      ),
      denyWrites("DenyWritesWithoutKeyHeader", "Null", "s3:x-amz-server-side-encryption-aws-kms-key-id", [
        "true",
      ]),
    ]);
  });

  it("expires noncurrent state versions after 90 days, keeping the newest 10", () => {
    expect(synth.json).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      bucket,
      depends_on: ["aws_s3_bucket_versioning.state_bucket_versioning"],
      rule: [
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: [{}],
          noncurrent_version_expiration: [{ noncurrent_days: 90, newer_noncurrent_versions: 10 }],
          abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
        },
      ],
    });
  });

  it("keeps its own state in a local file at the project root, the same path on every machine", () => {
    expect(synth.terraform.backend).toEqual({
      local: { path: "../../../terraform.state-bootstrap.tfstate" },
    });
  });

  it("outputs the bucket name the service stacks' backends read", () => {
    expect(synth.output).toEqual({
      state_bucket_name: {
        description: "The bucket every other stack's S3 backend uses (stacks/config.ts: stateBucket)",
        value: "${aws_s3_bucket.state_bucket.bucket}",
      },
      state_bucket_region: { value: "eu-central-1" },
      state_bucket_kms_key_arn: {
        description: "Set it as stateBucket.kmsKeyArn (stacks/config.ts): every S3 backend writes with it",
        value: "${aws_kms_key.state_bucket_key.arn}",
      },
    });
  });
});

describe("state-bootstrap, configured otherwise", () => {
  it("uses the name derived from the configured account, and refuses other accounts' credentials", () => {
    const synth = synthBootstrap({ ...stateBucket, accountId: "123456789012" });
    expect(synth.resource.aws_s3_bucket?.state_bucket).toMatchObject({
      bucket: "movies-cdktf-tfstate-123456789012-eu-central-1",
    });
    expect(synth.data.aws_caller_identity).toBeUndefined();
    expect(JSON.parse(synth.json).provider.aws[0].allowed_account_ids).toEqual(["123456789012"]);
  });

  it("uses SSE-S3 and no key when encryption is AES256", () => {
    const synth = synthBootstrap({ ...stateBucket, encryption: "AES256" });
    expect(synth.json).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }],
    });
    expect(synth.resource.aws_kms_key).toBeUndefined();
    expect(synth.output.state_bucket_kms_key_arn).toBeUndefined();
  });

  it("moves its state into the bucket, written with the bucket's key, once the backend is s3", () => {
    const synth = synthBootstrap({
      ...stateBucket,
      backend: "s3",
      accountId: "123456789012",
      kmsKeyArn: KEY_ARN,
    });
    expect(synth.terraform.backend).toEqual({
      s3: {
        bucket: "movies-cdktf-tfstate-123456789012-eu-central-1",
        kms_key_id: KEY_ARN,
        key: "state/state-bootstrap.tfstate",
        region: "eu-central-1",
        encrypt: true,
        use_lockfile: true,
      },
    });
    expect(JSON.parse(synth.json).provider.aws[0].allowed_account_ids).toEqual(["123456789012"]);
  });
});
