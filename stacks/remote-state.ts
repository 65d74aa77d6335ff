import { S3Backend, type TerraformStack } from "cdktf";

export interface RemoteStateProps {
  readonly bucket: string;
  readonly region: string;
  /** The state object's key (`movies/movies-dev.tfstate`). */
  readonly key: string;
}

/**
 * Keeps `stack`'s state in S3, encrypted, with S3-native locking: Terraform >= 1.10 writes a lock file
 * beside the state (`use_lockfile`), so no DynamoDB lock table is needed.
 */
export function useS3Backend(stack: TerraformStack, props: RemoteStateProps): S3Backend {
  const backend = new S3Backend(stack, {
    bucket: props.bucket,
    key: props.key,
    region: props.region,
    encrypt: true,
  });
  // cdktf 0.21's S3Backend lacks the option.
  stack.addOverride("terraform.backend.s3.use_lockfile", true);
  return backend;
}
