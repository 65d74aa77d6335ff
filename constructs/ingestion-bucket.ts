import { dependable } from "cdktf";
import type { Construct } from "constructs";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import type { BundledFunction } from "./bundled-function";
import { callerIdentity } from "./core/iam";
import { accountScopedName, physicalName } from "./core/naming";
import { SecureBucket } from "./secure-bucket";
import { withAddress } from "./core/resource-construct";

export interface IngestionBucketProps {
  /** Logical bucket name (`movie-infos`). */
  readonly name: string;
  readonly environment: string;
  /**
   * The Terraform name of the bucket's notification configuration (S3 keeps one per bucket).
   * @default `<id>_notification`
   */
  readonly notificationId?: string;
  /**
   * Days a replaced or deleted object version is kept before S3 deletes it.
   * @default 30
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Let `terraform destroy` empty and delete the bucket (environments whose data is disposable).
   * @default false: S3 refuses to delete the bucket while it holds any object version
   */
  readonly forceDestroy?: boolean;
}

export interface ObjectCreatedFilter {
  /** Only keys that start with this. @default every key */
  readonly prefix?: string;
  /** Only keys that end with this (`.csv`). @default every key */
  readonly suffix?: string;
}

/**
 * The bucket that files are dropped into: a {@link SecureBucket} (SSE-S3, public access block,
 * BucketOwnerEnforced, versioning, TLS-only policy, noncurrent versions expired) named
 * `<account_id>-<name>-<env>` as in the workshop.
 * `notifyOnObjectCreated` wires a function to uploads, with the permission S3 needs to invoke it.
 */
export class IngestionBucket extends SecureBucket {
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
    // Prefixed with the account id (the stack's data.aws_caller_identity), as in the workshop.
    const accountId = callerIdentity(scope).accountId;
    super(scope, id, {
      bucketName: accountScopedName(accountId, physicalName(props.name, props.environment)),
      noncurrentVersionExpiration: { days: props.noncurrentVersionExpirationDays ?? 30 },
      forceDestroy: props.forceDestroy,
    });
    this.notificationId = props.notificationId ?? `${this.terraformName}_notification`;
    this.accountId = accountId;
  }

  /**
   * Invokes `fn`'s alias for every object created that matches `filter`. Adds the Lambda permission
   * (`allow_<bucket>_to_invoke_<function>`, from this bucket and account only) and makes the
   * notification depend on it, since S3 test-invokes the target when the notification is saved.
   */
  notifyOnObjectCreated(fn: BundledFunction, filter: ObjectCreatedFilter = {}): void {
    const permission = fn.addPermission(`allow_${this.terraformName}_to_invoke_${fn.terraformName}`, {
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
      this.notification = new S3BucketNotification(this, "notification", { bucket: this.resource.id });
      withAddress(this.notification, this.notificationId);
    }
    this.notification.putLambdaFunction(this.notificationTargets.map((t) => ({ ...t })));
    this.notification.dependsOn = [...(this.notification.dependsOn ?? []), dependable(permission)];
  }
}
