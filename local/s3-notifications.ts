import type { S3EventRecord } from "aws-lambda";
import { functionNameOfArn } from "./functions";
import type { TerraformResolver } from "./terraform";

/** One record of the `event` s3rver emits for each object written (see local/s3rver.d.ts). */
export interface S3rverRecord {
  readonly eventName: string;
  readonly eventTime: string;
  readonly s3: {
    readonly bucket: { readonly name: string };
    readonly object: {
      readonly key: string;
      readonly size?: number;
      readonly eTag?: string;
      readonly sequencer?: string;
    };
  };
}

/** One `lambda_function` block of an `aws_s3_bucket_notification`, resolved for a local run. */
export interface DeclaredNotification {
  /** `aws_s3_bucket_notification.movies_bucket_notification` */
  readonly address: string;
  readonly bucket: string;
  /** The block's `id`, S3's `configurationId`. */
  readonly id: string;
  /** The function the block's `lambda_function_arn` (an alias or function ARN) names. */
  readonly functionName: string;
  /** `s3:ObjectCreated:*`, `s3:ObjectCreated:Put`, ... */
  readonly events: readonly string[];
  readonly filterPrefix?: string;
  readonly filterSuffix?: string;
}

interface LambdaFunctionBlock {
  id?: string;
  lambda_function_arn: string;
  events: string[];
  filter_prefix?: string;
  filter_suffix?: string;
}

/**
 * Every Lambda target of every `aws_s3_bucket_notification` of the stack. Queue and topic targets are
 * returned in `unsupported`, so the local run can say it ignores them.
 */
export function declaredNotifications(resolver: TerraformResolver): {
  notifications: DeclaredNotification[];
  unsupported: string[];
} {
  const notifications: DeclaredNotification[] = [];
  const unsupported: string[] = [];
  for (const [name, config] of resolver.resources("aws_s3_bucket_notification")) {
    const address = `aws_s3_bucket_notification.${name}`;
    const bucket = resolver.resolveString(String(config.bucket));
    for (const kind of ["queue", "topic"]) {
      if (config[kind]) unsupported.push(`${address}: ${kind} targets are not delivered locally`);
    }
    const blocks = (config.lambda_function ?? []) as LambdaFunctionBlock[];
    blocks.forEach((block, index) => {
      const arn = resolver.resolveString(block.lambda_function_arn);
      const functionName = functionNameOfArn(arn);
      if (!functionName) {
        unsupported.push(`${address}: ${arn} is not a Lambda function ARN`);
        return;
      }
      notifications.push({
        address,
        bucket,
        id: block.id ? resolver.resolveString(block.id) : `${name}-${index}`,
        functionName,
        events: block.events.map((e) => resolver.resolveString(e)),
        ...(block.filter_prefix ? { filterPrefix: resolver.resolveString(block.filter_prefix) } : {}),
        ...(block.filter_suffix ? { filterSuffix: resolver.resolveString(block.filter_suffix) } : {}),
      });
    });
  }
  return { notifications, unsupported };
}

/** Does S3 deliver `eventName` (`ObjectCreated:Put`) on `key` (not encoded) of `bucket` to `notification`? */
export function notificationMatches(
  notification: DeclaredNotification,
  bucket: string,
  eventName: string,
  key: string,
): boolean {
  if (notification.bucket !== bucket) return false;
  const event = `s3:${eventName}`;
  const eventMatches = notification.events.some((pattern) =>
    pattern.endsWith("*") ? event.startsWith(pattern.slice(0, -1)) : event === pattern,
  );
  return (
    eventMatches &&
    key.startsWith(notification.filterPrefix ?? "") &&
    key.endsWith(notification.filterSuffix ?? "")
  );
}

/**
 * A key as S3 puts it in event notifications: form-URL-encoded, "+" for a space, "/" kept
 * (`my file(1).csv` → `my+file%281%29.csv`).
 */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key)
    .replace(/%2F/g, "/")
    .replace(/%20/g, "+")
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface S3EventContext {
  readonly region: string;
  readonly notification: DeclaredNotification;
}

/**
 * The record S3 would send for one record s3rver emitted: s3rver gives the key decoded, a fixed region
 * and configuration id, and an ARN with spaces in it; S3 sends the key URL-encoded, the bucket's region,
 * the notification's id and `arn:aws:s3:::<bucket>`.
 */
export function toS3EventRecord(record: S3rverRecord, context: S3EventContext): S3EventRecord {
  const raw = record as S3rverRecord & Partial<S3EventRecord>;
  const bucket = record.s3.bucket.name;
  const object = record.s3.object;
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: context.region,
    eventTime: record.eventTime,
    eventName: record.eventName,
    userIdentity: raw.userIdentity ?? { principalId: "AWS:LOCAL" },
    requestParameters: raw.requestParameters ?? { sourceIPAddress: "127.0.0.1" },
    responseElements: raw.responseElements ?? { "x-amz-request-id": "LOCAL", "x-amz-id-2": "LOCAL" },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: context.notification.id,
      bucket: {
        name: bucket,
        ownerIdentity: { principalId: raw.s3?.bucket?.ownerIdentity?.principalId ?? "LOCAL" },
        arn: `arn:aws:s3:::${bucket}`,
      },
      object: {
        key: encodeS3Key(object.key),
        size: object.size ?? 0,
        eTag: object.eTag ?? "",
        sequencer: object.sequencer ?? Date.now().toString(16).toUpperCase(),
      },
    },
  };
}
