import { Construct } from "constructs";
import { LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { callerIdentity } from "../constructs/core/iam";
import { SecureBucket } from "../constructs/secure-bucket";
import { backendOf, stateBucketName, type StateBucketConfig } from "./config";
import { readableHcl } from "./hcl";
import { useS3Backend } from "./remote-state";

export interface StateBootstrapStackProps {
  /** The bucket to create: the same settings every other stack's S3 backend reads (name resolved). */
  readonly config: StateBucketConfig;
}

/**
 * Creates the remote-state bucket the other stacks keep their state in: versioned, encrypted (a
 * rotated KMS key of its own, which every object write must name, or SSE-S3), private (public access
 * block, BucketOwnerEnforced), TLS only, noncurrent state versions expired after a while, and protected
 * from `terraform destroy`.
 *
 * Its name is `movies-cdktf-tfstate-<account>-<region>` (or the configured one). With no account
 * configured yet, the account is the one the bootstrap is deployed into, read at apply time, so the
 * bootstrap can be the first thing deployed; the name it created is its output `state_bucket_name`.
 *
 * Its own state starts local (`terraform.<id>.tfstate` in the project root, since the bucket cannot hold
 * the state of its own creation); set `backend: "s3"` in the config to migrate it into the bucket.
 */
export class StateBootstrapStack extends TerraformStack {
  readonly stateBucket: SecureBucket;

  constructor(scope: Construct, id: string, props: StateBootstrapStackProps) {
    super(scope, id);
    const { config } = props;

    new AwsProvider(this, "aws", {
      region: config.region,
      ...(config.accountId ? { allowedAccountIds: [config.accountId] } : {}),
      defaultTags: [{ tags: { project: "movies-cdktf", service: "state", "managed-by": "cdktf" } }],
    });

    if (config.backend === "s3") {
      useS3Backend(this, { ...backendOf(config), key: `state/${id}.tfstate` });
    } else {
      // Relative to the stack's working directory (cdktf.out/stacks/<id>): the project root, which
      // survives a clean cdktf.out, and the same path on every machine (cdktf's default is absolute).
      new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    }

    this.stateBucket = new SecureBucket(this, "state_bucket", {
      bucketName: config.bucket ?? stateBucketName(callerIdentity(this).accountId, config.region),
      encryption: config.encryption,
      noncurrentVersionExpiration: {
        days: config.noncurrentVersionExpirationDays,
        keepNewest: config.newerNoncurrentVersions,
      },
      preventDestroy: true,
      // Terraform's `encrypt = true` alone would write SSE-S3 objects: only the key's own writes get in.
      requireKeyOnWrite: config.encryption === "aws:kms",
    });

    new TerraformOutput(this, "state_bucket_name", {
      description: "The bucket every other stack's S3 backend uses (stacks/config.ts: stateBucket)",
      value: this.stateBucket.bucketName,
    });
    new TerraformOutput(this, "state_bucket_region", { value: config.region });
    if (this.stateBucket.kmsKey) {
      new TerraformOutput(this, "state_bucket_kms_key_arn", {
        description: "Set it as stateBucket.kmsKeyArn (stacks/config.ts): every S3 backend writes with it",
        value: this.stateBucket.kmsKey.arn,
      });
    }
  }

  /** The stack as HCL that Terraform reads and `terraform fmt` leaves alone (see ./hcl). */
  override toHclTerraform(): ReturnType<TerraformStack["toHclTerraform"]> {
    return readableHcl(this, () => super.toHclTerraform());
  }
}
