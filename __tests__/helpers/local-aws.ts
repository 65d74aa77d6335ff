import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { createBuckets, declaredBuckets, type DeclaredBucket } from "../../local/buckets";
import {
  LOCAL_CREDENTIALS,
  startDynamoDbLocal,
  startS3Server,
  type Emulator,
  type S3Server,
} from "../../local/emulators";
import { declaredFunctions, type DeclaredFunction } from "../../local/functions";
import { LocalLambda, type LocalLambdaOptions } from "../../local/lambda-host";
import { createTables, declaredTables, type DeclaredTable } from "../../local/tables";
import { TerraformResolver, type TerraformJson } from "../../local/terraform";
import { compareGrants, grantedAccesses, UsageRecorder, type Access } from "./aws-usage";

/** DynamoDB Local and the S3 server, provisioned from one synthesized stack. */
export interface LocalAws {
  readonly dynamodb: Emulator;
  readonly s3: S3Server;
  readonly ddbClient: DynamoDBClient;
  readonly s3Client: S3Client;
  readonly resolver: TerraformResolver;
  readonly tables: readonly DeclaredTable[];
  readonly buckets: readonly DeclaredBucket[];
  readonly functions: readonly DeclaredFunction[];
  /**
   * The function at `address`, running in its own warm process against the local services. Without
   * `options` it is one shared warm instance per address; with them, a new instance whose `environment`
   * is laid over the local one (e.g. AWS_ENDPOINT_URL_DYNAMODB pointing at a throttling proxy).
   */
  lambda(address: string, options?: LocalLambdaOptions): LocalLambda;
  /** Every line the function at `address` has written so far, from any of its instances, in order. */
  logs(address: string): readonly string[];
  /**
   * The IAM accesses (action, ARN) of every DynamoDB and S3 request the function at `address` has sent
   * through the local endpoints (./aws-usage.ts); instances given other endpoints are not recorded.
   */
  usage(address: string): readonly Access[];
  /** The synthesized stack it was provisioned from. */
  readonly stack: TerraformJson;
  stop(): Promise<void>;
}

const REGION = "eu-central-1";

/** Every LocalAws this test file started, for {@link ungrantedUsage}. */
const startedInThisFile: LocalAws[] = [];

/**
 * The DynamoDB and S3 accesses that functions of this test file needed and their policies do not grant,
 * by function: empty when every request sent would be allowed on AWS. (Grants nobody needed are only
 * known where every path is driven: `integration/least-privilege.test.ts`.)
 */
export function ungrantedUsage(): { address: string; missing: readonly Access[] }[] {
  return startedInThisFile.flatMap((local) =>
    local.functions.flatMap(({ address }) => {
      const { missing } = compareGrants(
        grantedAccesses(local.stack, address, local.resolver),
        local.usage(address),
      );
      return missing.length > 0 ? [{ address, missing }] : [];
    }),
  );
}

/**
 * Starts DynamoDB Local (in memory) and s3rver on free ports, points the SDK at them through the
 * standard variables only (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3, AWS_REGION), and creates
 * every table and bucket the stack declares, from its synthesized JSON.
 */
export async function startLocalAws(stack: TerraformJson): Promise<LocalAws> {
  const s3Dir = mkdtempSync(join(tmpdir(), "s3rver-"));
  const started = await Promise.allSettled([startDynamoDbLocal(), startS3Server({ directory: s3Dir })]);
  const [dynamodb, s3] = started.map((r) => (r.status === "fulfilled" ? r.value : undefined)) as [
    Emulator | undefined,
    S3Server | undefined,
  ];
  if (!dynamodb || !s3) {
    await Promise.all([dynamodb?.stop(), s3?.stop()]);
    throw started.find((r): r is PromiseRejectedResult => r.status === "rejected")?.reason;
  }
  // The test's own clients use the same standard variables as the functions.
  Object.assign(process.env, localAwsEnvironment({ dynamodb, s3 }));
  const resolver = new TerraformResolver(stack, { region: REGION });
  const ddbClient = new DynamoDBClient({});
  const s3Client = new S3Client({});
  const tables = declaredTables(resolver);
  const buckets = declaredBuckets(resolver);
  try {
    await createTables(ddbClient, tables);
    await createBuckets(s3Client, buckets);
  } catch (error) {
    await Promise.all([dynamodb.stop(), s3.stop()]);
    throw error;
  }
  const functions = declaredFunctions(resolver);
  const recorder = await UsageRecorder.start(
    functions.map((f) => f.address),
    { dynamodb: dynamodb.endpoint, s3: s3.endpoint },
    { table: (name) => tableArn(resolver, name) },
  );
  const lambdas = new Map<string, LocalLambda>();
  const extraLambdas: LocalLambda[] = [];
  const logLines = new Map<string, string[]>();
  const environment = localAwsEnvironment({ dynamodb, s3 });
  const createLambda = (address: string, options: LocalLambdaOptions = {}): LocalLambda => {
    const fn = functions.find((f) => f.address === address);
    if (!fn) throw new Error(`${address} is not a function of the stack`);
    const lines = logLines.get(address) ?? [];
    logLines.set(address, lines);
    return new LocalLambda(fn, {
      timeoutSeconds: 60,
      ...options,
      environment: { ...environment, ...recorder.environmentFor(address), ...options.environment },
      onLog: (line) => {
        lines.push(line);
        options.onLog?.(line);
      },
    });
  };
  const local: LocalAws = {
    dynamodb,
    s3,
    ddbClient,
    s3Client,
    resolver,
    tables,
    buckets,
    functions,
    lambda(address, options) {
      if (options) {
        const lambda = createLambda(address, options);
        extraLambdas.push(lambda);
        return lambda;
      }
      let lambda = lambdas.get(address);
      if (!lambda) {
        lambda = createLambda(address);
        lambdas.set(address, lambda);
      }
      return lambda;
    },
    logs(address) {
      return logLines.get(address) ?? [];
    },
    usage: (address) => recorder.usage(address),
    stack,
    async stop() {
      await Promise.all([...lambdas.values(), ...extraLambdas].map((l) => l.stop()));
      await recorder.stop();
      ddbClient.destroy();
      s3Client.destroy();
      await Promise.all([dynamodb.stop(), s3.stop()]);
      rmSync(s3Dir, { recursive: true, force: true });
    },
  };
  startedInThisFile.push(local);
  return local;
}

/** The ARN of the stack's table named `name`, as the resolver gives it. */
function tableArn(resolver: TerraformResolver, name: string): string {
  const declared = resolver
    .resources("aws_dynamodb_table")
    .find(([address]) => resolver.attribute("aws_dynamodb_table", address, "name") === name);
  return declared
    ? resolver.attribute("aws_dynamodb_table", declared[0], "arn")
    : `table/${name} (not a table of the stack)`;
}

/** The environment a local function gets on top of its declared variables: endpoints, region, credentials. */
export function localAwsEnvironment(local: Pick<LocalAws, "dynamodb" | "s3">): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: local.dynamodb.endpoint,
    AWS_ENDPOINT_URL_S3: local.s3.endpoint,
  };
}
