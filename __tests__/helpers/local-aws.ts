import { createHash } from "node:crypto";
import { basename } from "node:path";
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import { createBuckets, declaredBuckets, type DeclaredBucket } from "../../local/buckets";
import { LOCAL_CREDENTIALS } from "../../local/emulators";
import { declaredFunctions, type DeclaredFunction } from "../../local/functions";
import { LocalLambda, type LocalLambdaOptions } from "../../local/lambda-host";
import { createTables, declaredTables, type DeclaredTable } from "../../local/tables";
import { TerraformResolver, type TerraformJson } from "../../local/terraform";
import { EMULATOR_VARIABLES } from "./global-emulators";
import { compareGrants, grantedAccesses, UsageRecorder, type Access } from "./aws-usage";

/** A service of the run's emulators: where it answers. */
export interface LocalEndpoint {
  readonly endpoint: string;
}

/** One test file's share of the run's DynamoDB Local and S3 server, provisioned from one synthesized stack. */
export interface LocalAws {
  readonly dynamodb: LocalEndpoint;
  readonly s3: LocalEndpoint;
  /**
   * Appended to every table and bucket name of the stack (`-workshop-1`), references and the functions'
   * environment included, so test files sharing the emulators never see each other's data.
   */
  readonly nameSuffix: string;
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
  /** Stops the functions and deletes the file's tables and buckets; the emulators run on for other files. */
  stop(): Promise<void>;
}

const REGION = "eu-central-1";

/** The run's emulators, as the integration project's global setup (global-emulators.ts) started them. */
function runEmulators(): { dynamodb: LocalEndpoint; s3: LocalEndpoint } {
  const dynamodb = process.env[EMULATOR_VARIABLES.dynamodb];
  const s3 = process.env[EMULATOR_VARIABLES.s3];
  if (!dynamodb || !s3) {
    throw new Error(
      `No emulators for this run (${EMULATOR_VARIABLES.dynamodb}, ${EMULATOR_VARIABLES.s3}): run integration ` +
        "tests through jest's integration project, whose global setup starts them (jest.config.js).",
    );
  }
  return { dynamodb: { endpoint: dynamodb }, s3: { endpoint: s3 } };
}

let started = 0;

/** `-<test file>-<n>`: names stay readable in failures, and unique within the run. */
function fileSuffix(): string {
  const testPath = expect.getState().testPath ?? "test";
  const file = basename(testPath)
    .replace(/\.test\.ts$/, "")
    .toLowerCase();
  const slug = file.replace(/[^a-z0-9]+/g, "-").slice(0, 20);
  const tag = createHash("sha256").update(testPath).digest("hex").slice(0, 4);
  return `-${slug}-${tag}${++started}`;
}

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
 * The stack with `suffix` on every table name and bucket name: everything that refers to them (the
 * functions' environment, ARNs, notifications) resolves to the suffixed names.
 */
function withNameSuffix(stack: TerraformJson, suffix: string): TerraformJson {
  const renamed = (type: string, attribute: string) =>
    Object.fromEntries(
      Object.entries(stack.resource?.[type] ?? {}).map(([name, config]) => {
        const value = config[attribute];
        return [name, typeof value === "string" ? { ...config, [attribute]: `${value}${suffix}` } : config];
      }),
    );
  return {
    ...stack,
    resource: {
      ...stack.resource,
      aws_dynamodb_table: renamed("aws_dynamodb_table", "name"),
      aws_s3_bucket: renamed("aws_s3_bucket", "bucket"),
    },
  };
}

/**
 * This test file's tables and buckets, created on the run's DynamoDB Local and s3rver from the stack's
 * synthesized JSON (names suffixed, see {@link LocalAws.nameSuffix}); the SDK is pointed at them
 * through the standard variables only (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3, AWS_REGION).
 */
export async function startLocalAws(stack: TerraformJson): Promise<LocalAws> {
  const { dynamodb, s3 } = runEmulators();
  const environment = localAwsEnvironment({ dynamodb, s3 });
  // The test's own clients use the same standard variables as the functions.
  Object.assign(process.env, environment);
  const nameSuffix = fileSuffix();
  const suffixed = withNameSuffix(stack, nameSuffix);
  const resolver = new TerraformResolver(suffixed, { region: REGION });
  const ddbClient = new DynamoDBClient({});
  const s3Client = new S3Client({});
  const tables = declaredTables(resolver);
  const buckets = declaredBuckets(resolver);
  await createTables(ddbClient, tables);
  await createBuckets(s3Client, buckets);
  const functions = declaredFunctions(resolver);
  const recorder = await UsageRecorder.start(
    functions.map((f) => f.address),
    { dynamodb: dynamodb.endpoint, s3: s3.endpoint },
    { table: (name) => tableArn(resolver, name) },
  );
  const lambdas = new Map<string, LocalLambda>();
  const extraLambdas: LocalLambda[] = [];
  const logLines = new Map<string, string[]>();
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
    nameSuffix,
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
    stack: suffixed,
    async stop() {
      await Promise.all([...lambdas.values(), ...extraLambdas].map((l) => l.stop()));
      await deleteAll(ddbClient, s3Client, tables, buckets);
      await recorder.stop();
      ddbClient.destroy();
      s3Client.destroy();
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

/** Deletes a file's tables and buckets (objects first), so the run's emulators hold only live data. */
async function deleteAll(
  ddb: DynamoDBClient,
  s3: S3Client,
  tables: readonly DeclaredTable[],
  buckets: readonly DeclaredBucket[],
): Promise<void> {
  for (const table of tables) await ddb.send(new DeleteTableCommand({ TableName: table.input.TableName }));
  for (const { name } of buckets) {
    for (;;) {
      const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: name }));
      if (Contents.length === 0) break;
      const Objects = Contents.map(({ Key }) => ({ Key }));
      await s3.send(new DeleteObjectsCommand({ Bucket: name, Delete: { Objects } }));
    }
    await s3.send(new DeleteBucketCommand({ Bucket: name }));
  }
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
