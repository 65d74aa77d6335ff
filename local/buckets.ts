import { BucketAlreadyOwnedByYou, CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import type { TerraformResolver } from "./terraform";

/** A bucket as the stack declares it. */
export interface DeclaredBucket {
  /** Terraform address (`aws_s3_bucket.movie_infos_bucket`). */
  readonly address: string;
  readonly name: string;
}

/** Every `aws_s3_bucket` of the stack, with its name resolved to the local account id. */
export function declaredBuckets(resolver: TerraformResolver): DeclaredBucket[] {
  return resolver.resources("aws_s3_bucket").map(([name]) => ({
    address: `aws_s3_bucket.${name}`,
    name: resolver.attribute("aws_s3_bucket", name, "bucket"),
  }));
}

/** Creates each bucket unless it exists already. */
export async function createBuckets(s3: S3Client, buckets: readonly DeclaredBucket[]): Promise<string[]> {
  const created: string[] = [];
  for (const bucket of buckets) {
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket.name }));
      created.push(bucket.name);
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (!(error instanceof BucketAlreadyOwnedByYou) && name !== "BucketAlreadyExists") throw error;
    }
  }
  return created;
}
