import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { kmsAliasName } from "./core/naming";
import { ResourceConstruct } from "./core/resource-construct";

export interface SecureBucketProps {
  /** The physical bucket name, complete (callers build it with `physicalName`, or take it from config). */
  readonly bucketName: string;
  /**
   * Encryption at rest: SSE-S3, or SSE-KMS with a key of the bucket's own (yearly rotation, S3 Bucket
   * Keys to keep KMS requests few).
   * @default "AES256"
   */
  readonly encryption?: "AES256" | "aws:kms";
  /**
   * Delete noncurrent object versions this many days after they were replaced, always keeping the
   * newest `keepNewest` of them.
   * @default noncurrent versions are kept forever
   */
  readonly noncurrentVersionExpiration?: { readonly days: number; readonly keepNewest?: number };
  /**
   * Make Terraform refuse any plan that destroys the bucket (and its KMS key).
   * @default false
   */
  readonly preventDestroy?: boolean;
  /**
   * Let `terraform destroy` delete the bucket with every object version in it. Without it S3 refuses to
   * delete a bucket that holds anything, so destroying the stack stops there.
   * @default false
   */
  readonly forceDestroy?: boolean;
  /**
   * Refuse object writes (`s3:PutObject`) that do not ask for SSE-KMS with the bucket's own key: a
   * client's encryption setting overrides the bucket's default, so without this a writer that asks for
   * SSE-S3 (Terraform's S3 backend with `encrypt = true` and no `kms_key_id`) bypasses the key. Only with
   * `encryption: "aws:kms"`. Writers must then send `x-amz-server-side-encryption: aws:kms` and the key's
   * ARN in `x-amz-server-side-encryption-aws-kms-key-id`.
   * @default false
   */
  readonly requireKeyOnWrite?: boolean;
}

/**
 * An S3 bucket as we run them everywhere, with AWS provider v6's split-out resources: encryption, a
 * public access block with all four switches on, BucketOwnerEnforced ownership (no ACLs), versioning,
 * and a policy that refuses requests not made over TLS (and, with `requireKeyOnWrite`, object writes
 * that do not name the bucket's KMS key). Addresses derive from the id: `state_bucket`
 * gives `aws_s3_bucket.state_bucket`, `aws_s3_bucket_versioning.state_bucket_versioning`, and so on.
 */
export class SecureBucket extends ResourceConstruct {
  readonly resource: S3Bucket;
  /** The bucket's KMS key; only set when `encryption` is `aws:kms`. */
  readonly kmsKey?: KmsKey;
  readonly bucketName: string;
  readonly bucketArn: string;
  /** `s3://<bucket>` */
  readonly bucketUri: string;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const lifecycle = props.preventDestroy ? { lifecycle: { preventDestroy: true } } : {};

    if (props.requireKeyOnWrite && props.encryption !== "aws:kms") {
      throw new Error(`${this.terraformName}: requireKeyOnWrite needs encryption "aws:kms"`);
    }
    if (props.forceDestroy && props.preventDestroy) {
      throw new Error(`${this.terraformName}: a bucket cannot both prevent and force its destruction`);
    }
    this.resource = new S3Bucket(this, "bucket", {
      bucket: props.bucketName,
      ...(props.forceDestroy ? { forceDestroy: true } : {}),
      ...lifecycle,
    });
    this.address(this.resource);

    this.kmsKey =
      props.encryption === "aws:kms" ? this.customerManagedKey(props.bucketName, lifecycle) : undefined;
    const encryption = new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.resource.id,
      // S3 Bucket Keys cut KMS requests; with SSE-S3 there are none to cut, so the switch stays off.
      rule: [
        this.kmsKey
          ? {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: "aws:kms",
                kmsMasterKeyId: this.kmsKey.arn,
              },
              bucketKeyEnabled: true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    });
    this.address(encryption, "encryption");

    const publicAccessBlock = new S3BucketPublicAccessBlock(this, "public_access_block", {
      bucket: this.resource.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    this.address(publicAccessBlock, "public_access_block");

    const ownership = new S3BucketOwnershipControls(this, "ownership_controls", {
      bucket: this.resource.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    this.address(ownership, "ownership_controls");

    const versioning = new S3BucketVersioningA(this, "versioning", {
      bucket: this.resource.id,
      versioningConfiguration: { status: "Enabled" },
    });
    this.address(versioning, "versioning");

    this.attachPolicy(publicAccessBlock, props.requireKeyOnWrite ? this.kmsKey : undefined);

    if (props.noncurrentVersionExpiration)
      this.expireNoncurrentVersions(props.noncurrentVersionExpiration, versioning);

    this.bucketName = this.resource.bucket;
    this.bucketArn = this.resource.arn;
    this.bucketUri = `s3://${this.resource.bucket}`;
  }

  /** A rotated KMS key of the bucket's own, with its alias `alias/<bucket>`. */
  private customerManagedKey(bucketName: string, lifecycle: object): KmsKey {
    const key = new KmsKey(this, "key", {
      description: `Encrypts the objects of s3://${bucketName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      ...lifecycle,
    });
    this.address(key, "key");
    const alias = new KmsAlias(this, "key_alias", {
      name: kmsAliasName(bucketName),
      targetKeyId: key.keyId,
    });
    this.address(alias, "key_alias");
    return key;
  }

  /**
   * The bucket policy: deny every request that does not use TLS and, given `requiredKey`, every object
   * write that does not ask for SSE-KMS with it.
   */
  private attachPolicy(publicAccessBlock: S3BucketPublicAccessBlock, requiredKey?: KmsKey): void {
    const anyone = [{ type: "*", identifiers: ["*"] }];
    const objects = [`${this.resource.arn}/*`];
    // Statements are ORed: each denies one way of writing without the key. A missing header is caught
    // by the Null tests, whatever IAM makes of a negated condition on a key that is absent.
    const denyWrite = (sid: string, test: string, variable: string, values: string[]) => ({
      sid,
      effect: "Deny",
      principals: anyone,
      actions: ["s3:PutObject"],
      resources: objects,
      condition: [{ test, variable, values }],
    });
    const requireKey = requiredKey
      ? [
          denyWrite("DenyWritesNotSseKms", "StringNotEquals", "s3:x-amz-server-side-encryption", ["aws:kms"]),
          denyWrite("DenyWritesWithoutSseHeader", "Null", "s3:x-amz-server-side-encryption", ["true"]),
          denyWrite(
            "DenyWritesWithAnotherKey",
            "StringNotEquals",
            "s3:x-amz-server-side-encryption-aws-kms-key-id",
            [requiredKey.arn],
          ),
          denyWrite("DenyWritesWithoutKeyHeader", "Null", "s3:x-amz-server-side-encryption-aws-kms-key-id", [
            "true",
          ]),
        ]
      : [];
    const tlsOnly = new DataAwsIamPolicyDocument(this, "tls_only_policy_document", {
      statement: [
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          principals: anyone,
          actions: ["s3:*"],
          resources: [this.resource.arn, ...objects],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
        ...requireKey,
      ],
    });
    this.address(tlsOnly, "tls_only_policy_document");
    const policy = new S3BucketPolicy(this, "policy", {
      bucket: this.resource.id,
      policy: tlsOnly.json,
      // S3 rejects bucket policies while the public access block is being applied.
      dependsOn: [publicAccessBlock],
    });
    this.address(policy, "policy");
  }

  /** Expires noncurrent versions after `days`, keeping the newest `keepNewest`. */
  private expireNoncurrentVersions(
    { days, keepNewest }: NonNullable<SecureBucketProps["noncurrentVersionExpiration"]>,
    versioning: S3BucketVersioningA,
  ): void {
    const expiry = new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.resource.id,
      rule: [
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: [{}],
          noncurrentVersionExpiration: [
            { noncurrentDays: days, ...(keepNewest ? { newerNoncurrentVersions: keepNewest } : {}) },
          ],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
      // Lifecycle rules on versions need versioning to be in place first.
      dependsOn: [versioning],
    });
    this.address(expiry, "lifecycle");
  }
}
