import { AnnotationMetadataEntryType, S3Backend, type TerraformStack } from "cdktf";
import { stateProblems, type StateBackendConfig } from "./config";

export interface RemoteStateProps extends StateBackendConfig {
  /** The state object's key (`movies/movies-dev.tfstate`). */
  readonly key: string;
}

/**
 * Keeps `stack`'s state in S3, encrypted with the bucket's own KMS key (`kms_key_id`: with `encrypt`
 * alone Terraform writes state, lock and digest objects with SSE-S3, whatever the bucket's default),
 * with S3-native locking: Terraform >= 1.10 writes a lock file beside the state (`use_lockfile`), so no
 * DynamoDB lock table is needed.
 *
 * While the bucket or the key is not configured, the backend is written without them (a partial
 * configuration) and the stack carries an error annotation saying what to set: every cdktf command
 * stops on it, before Terraform starts (see {@link stateProblems}).
 */
export function useS3Backend(stack: TerraformStack, props: RemoteStateProps): S3Backend {
  const backend = new S3Backend(stack, {
    // cdktf's S3Backend requires a bucket; an unconfigured one is removed below.
    bucket: props.bucket ?? "",
    key: props.key,
    region: props.region,
    encrypt: true,
    ...(props.encryption === "aws:kms" && props.kmsKeyArn ? { kmsKeyId: props.kmsKeyArn } : {}),
  });
  if (props.bucket === undefined) stack.addOverride("terraform.backend.s3.bucket", undefined);
  // cdktf 0.21's S3Backend lacks the option.
  stack.addOverride("terraform.backend.s3.use_lockfile", true);
  reportErrors(stack, stateProblems(props));
  return backend;
}

/**
 * Records `messages` on `stack` as error annotations: cdktf prints them and refuses to synth, diff or
 * deploy. Written as plain metadata, without the stack trace `Annotations.addError` would record (machine
 * paths in the manifest, which must be the same on every machine).
 */
export function reportErrors(stack: TerraformStack, messages: readonly string[]): void {
  for (const message of messages) stack.node.addMetadata(AnnotationMetadataEntryType.ERROR, message);
}

/** Records `messages` on `stack` as warning annotations, printed by cdktf and by `npm run synth`. */
export function reportWarnings(stack: TerraformStack, messages: readonly string[]): void {
  for (const message of messages) stack.node.addMetadata(AnnotationMetadataEntryType.WARN, message);
}
