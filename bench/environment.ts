import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { projectRoot } from "../tooling/project-root";
import { createBuckets, declaredBuckets } from "../local/buckets";
import { LOCAL_CREDENTIALS, startDynamoDbLocal, startS3Server } from "../local/emulators";
import { declaredFunctions, type DeclaredFunction } from "../local/functions";
import { createTables, declaredTables, type DeclaredTable } from "../local/tables";
import { readStack, TerraformResolver } from "../local/terraform";

const STACK = "movies-dev";
export const REGION = "eu-central-1";

/** DynamoDB Local and the S3 server holding the movies-dev stack's tables and bucket, as the bench uses them. */
export interface BenchEnvironment {
  /** A scratch folder, removed by `stop`. */
  readonly tmp: string;
  /** The region, local credentials and emulator endpoints, for this process and for function processes. */
  readonly variables: Readonly<Record<string, string>>;
  readonly ddb: DynamoDBClient;
  /** Uploads without a checksum (see startBenchEnvironment), so the S3 server stores the bytes sent. */
  readonly s3: S3Client;
  readonly infosName: string;
  readonly ratingsName: string;
  readonly bucket: string;
  /** upload-infos-batch (the fan-out's batch function), as the stack declares it. */
  readonly batch: DeclaredFunction;
  /** upload-infos, as the stack declares it. */
  readonly upload: DeclaredFunction;
  /** Empties movie_infos (drops and creates it, as the stack declares it). */
  resetInfos(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the emulators, points this process's SDK at them (the bench calls Lambda code in-process too),
 * and creates the stack's tables and bucket from the synthesized cdk.tf.json.
 */
export async function startBenchEnvironment(): Promise<BenchEnvironment> {
  const resolver = new TerraformResolver(readStack(join(projectRoot, "cdktf.out"), STACK), {
    region: REGION,
  });
  const tmp = mkdtempSync(join(tmpdir(), "movies-bench-"));
  const [dynamodb, s3server] = await Promise.all([
    // Throughput is what the bench measures: the JVM's own defaults, not the fast-start options.
    startDynamoDbLocal({ jvmOptions: [] }),
    startS3Server({ directory: join(tmp, "s3"), resetOnClose: true }),
  ]);
  const variables = {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    AWS_ENDPOINT_URL_S3: s3server.endpoint,
  };
  Object.assign(process.env, variables, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" });
  const ddb = new DynamoDBClient({});
  // Not the SDK's default (WHEN_SUPPORTED): it sends a streamed body `aws-chunked` with a trailing checksum,
  // and s3rver stores the chunk framing as content. Uploads are verified anyway (upload.ts).
  const s3 = new S3Client({ requestChecksumCalculation: "WHEN_REQUIRED" });
  const tables = declaredTables(resolver);
  const buckets = declaredBuckets(resolver);
  await createTables(ddb, tables);
  await createBuckets(s3, buckets);
  const infos = tables.find((t) => t.address === "aws_dynamodb_table.movie_infos_table") as DeclaredTable;
  const upload = declaredFunctions(resolver).find((f) => f.address.endsWith(".upload_movie_infos_lambda"));
  if (!upload) throw new Error("upload_movie_infos_lambda is not in the stack");
  const batch = declaredFunctions(resolver).find((f) =>
    f.address.endsWith(".upload_movie_infos_batch_lambda"),
  );
  if (!batch) throw new Error("upload_movie_infos_batch_lambda is not in the stack");
  return {
    tmp,
    variables,
    ddb,
    s3,
    infosName: infos.input.TableName as string,
    ratingsName: resolver.reference("aws_dynamodb_table.movie_ratings_table.name"),
    bucket: buckets[0]?.name as string,
    upload,
    batch,
    resetInfos: async () => {
      await ddb.send(new DeleteTableCommand({ TableName: infos.input.TableName }));
      await createTables(ddb, [infos]);
    },
    stop: async () => {
      ddb.destroy();
      s3.destroy();
      await Promise.all([dynamodb.stop(), s3server.stop()]);
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}
