import { Construct } from "constructs";
import { dependable } from "cdktf";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import type { BundledFunction } from "./bundled-function";
import { physicalName, tfName } from "./naming";

export interface IngestionBucketProps {
  /** Logical bucket name (`movie-infos`). */
  readonly name: string;
  readonly environment: string;
  /** The account id (from `data.aws_caller_identity`), which prefixes the bucket name as in the workshop. */
  readonly accountId: string;
  /**
   * The Terraform name of the bucket's notification configuration (S3 keeps one per bucket).
   * @default `<id>_notification`
   */
  readonly notificationId?: string;
}

export interface ObjectCreatedFilter {
  /** Only keys that start with this. @default every key */
  readonly prefix?: string;
  /** Only keys that end with this (`.csv`). @default every key */
  readonly suffix?: string;
}

/**
 * The bucket that files are dropped into, with the split-out resources of AWS provider v6: encryption
 * (SSE-S3), a public access block with all four switches on, BucketOwnerEnforced ownership (no ACLs),
 * versioning, and a policy that refuses requests not made over TLS. `notifyOnObjectCreated` wires a
 * function to uploads, with the permission S3 needs to invoke it.
 */
export class IngestionBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly bucketName: string;
  readonly bucketArn: string;
  /** `s3://<bucket>` */
  readonly bucketUri: string;

  private readonly baseName: string;
  private readonly notificationId: string;
  private readonly accountId: string;
  private notification?: S3BucketNotification;
  private readonly notificationTargets: {
    id: string;
    lambdaFunctionArn: string;
    events: string[];
    filterPrefix?: string;
    filterSuffix?: string;
  }[] = [];

  constructor(scope: Construct, id: string, props: IngestionBucketProps) {
    super(scope, id);
    this.baseName = tfName(id);
    this.notificationId = props.notificationId ?? `${this.baseName}_notification`;
    this.accountId = props.accountId;

    this.bucket = new S3Bucket(this, "bucket", {
      bucket: `${props.accountId}-${physicalName(props.name, props.environment)}`,
    });
    this.bucket.overrideLogicalId(this.baseName);

    const encryption = new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
    });
    encryption.overrideLogicalId(`${this.baseName}_encryption`);

    const publicAccessBlock = new S3BucketPublicAccessBlock(this, "public_access_block", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    publicAccessBlock.overrideLogicalId(`${this.baseName}_public_access_block`);

    const ownership = new S3BucketOwnershipControls(this, "ownership_controls", {
      bucket: this.bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    ownership.overrideLogicalId(`${this.baseName}_ownership_controls`);

    const versioning = new S3BucketVersioningA(this, "versioning", {
      bucket: this.bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    versioning.overrideLogicalId(`${this.baseName}_versioning`);

    const tlsOnly = new DataAwsIamPolicyDocument(this, "tls_only_policy_document", {
      statement: [
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          principals: [{ type: "*", identifiers: ["*"] }],
          actions: ["s3:*"],
          resources: [this.bucket.arn, `${this.bucket.arn}/*`],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
      ],
    });
    tlsOnly.overrideLogicalId(`${this.baseName}_tls_only_policy_document`);
    const policy = new S3BucketPolicy(this, "policy", {
      bucket: this.bucket.id,
      policy: tlsOnly.json,
      // S3 rejects bucket policies while the public access block is being applied.
      dependsOn: [publicAccessBlock],
    });
    policy.overrideLogicalId(`${this.baseName}_policy`);

    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;
    this.bucketUri = `s3://${this.bucket.bucket}`;
  }

  /**
   * Invokes `fn`'s alias for every object created that matches `filter`. Adds the Lambda permission
   * (`allow_<bucket>_to_invoke_<function>`, from this bucket and account only) and makes the
   * notification depend on it, since S3 test-invokes the target when the notification is saved.
   */
  notifyOnObjectCreated(fn: BundledFunction, filter: ObjectCreatedFilter = {}): void {
    const permission = fn.grantInvoke(`allow_${this.baseName}_to_invoke_${fn.terraformName}`, {
      principal: "s3.amazonaws.com",
      sourceArn: this.bucketArn,
      sourceAccount: this.accountId,
    });
    this.notificationTargets.push({
      id: `${fn.terraformName}_on_object_created`,
      lambdaFunctionArn: fn.aliasArn,
      events: ["s3:ObjectCreated:*"],
      ...(filter.prefix ? { filterPrefix: filter.prefix } : {}),
      ...(filter.suffix ? { filterSuffix: filter.suffix } : {}),
    });
    if (!this.notification) {
      this.notification = new S3BucketNotification(this, "notification", { bucket: this.bucket.id });
      this.notification.overrideLogicalId(this.notificationId);
    }
    this.notification.putLambdaFunction(this.notificationTargets.map((t) => ({ ...t })));
    this.notification.dependsOn = [...(this.notification.dependsOn ?? []), dependable(permission)];
  }
}
