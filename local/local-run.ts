import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { declaredApis, type DeclaredApi } from "./api-routes";
import { startApiServer, type ApiServer, type Invoke } from "./api-server";
import { createBuckets, declaredBuckets } from "./buckets";
import {
  assertPortFree,
  LOCAL_CREDENTIALS,
  startDynamoDbLocal,
  startS3Server,
  type Emulator,
  type S3Server,
} from "./emulators";
import type { LocalEndpoints } from "./endpoints";
import { declaredFunctions, type DeclaredFunction } from "./functions";
import { startEventPath } from "./event-path";
import { startIamGateway } from "./iam-gateway";
import { functionIdentities } from "./iam-roles";
import { LocalLambda } from "./lambda-host";
import { apiRequestValidation } from "./request-validation";
import {
  declaredNotifications,
  notificationMatches,
  toS3EventRecord,
  type DeclaredNotification,
  type S3rverRecord,
} from "./s3-notifications";
import { createTables, declaredTables } from "./tables";
import { TerraformResolver, type TerraformJson } from "./terraform";

/** The defaults `npm start` serves on. */
export const DEFAULT_PORTS = { api: 3000, s3: 4569, dynamodb: 8000 } as const;

/** A synthesized stack: its name and its cdk.tf.json. */
export interface StackSource {
  readonly name: string;
  readonly json: TerraformJson;
}

export interface LocalRunOptions {
  /** The stacks to run, in order; the first API gets `apiPort`, the next `apiPort + 1`, ... */
  readonly stacks: readonly StackSource[];
  /** Where DynamoDB Local (`dynamodb/`) and the S3 server (`s3/`) keep their data, and endpoints.json. */
  readonly stateDir: string;
  /** Delete `stateDir` first. @default false */
  readonly fresh?: boolean;
  /** The first API's port; 0 gives every API a free port. @default 3000 */
  readonly apiPort?: number;
  /** 0 for a free port. @default 4569 */
  readonly s3Port?: number;
  /** 0 for a free port. @default 8000 */
  readonly dynamodbPort?: number;
  /** The account id that references such as `data.aws_caller_identity` resolve to. @default 000000000000 */
  readonly accountId?: string;
  /** Receives every log line (requests, functions' own output, notifications). @default console.log */
  readonly log?: (line: string) => void;
  /** Where `dist/lambdas/<name>/index.js` are found. @default the project root */
  readonly root?: string;
}

/** A running local run. */
export interface LocalRun {
  readonly urls: LocalEndpoints;
  /** Stops the API servers, the function processes, the S3 server and DynamoDB Local. */
  stop(): Promise<void>;
}

interface StackParts {
  readonly stack: string;
  readonly resolver: TerraformResolver;
  readonly apis: DeclaredApi[];
  readonly functions: DeclaredFunction[];
  readonly notifications: DeclaredNotification[];
}

/** The region of the stack's AWS provider. */
function providerRegion(json: TerraformJson): string | undefined {
  const provider = (json as { provider?: { aws?: { region?: string }[] } }).provider?.aws?.[0];
  return provider?.region;
}

/**
 * Runs the stacks locally from their synthesized Terraform, so the local app cannot drift from what
 * `cdktf deploy` would create: DynamoDB Local and the S3 server hold every declared table and bucket;
 * every REST API is served on 127.0.0.1 (one port per API, paths `/<stage>/<resource path>` like its
 * invoke URL); every bucket notification invokes its function when a matching object is written; and
 * each function runs its bundle in a warm process of its own, with the environment it declares.
 */
export async function startLocalRun(options: LocalRunOptions): Promise<LocalRun> {
  const log = options.log ?? ((line: string) => console.log(line));
  const stateDir = resolve(options.stateDir);
  const accountId = options.accountId ?? "000000000000";
  if (options.fresh) rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });

  // Read everything first: a stack the local run cannot serve fails before anything starts.
  const parts = readStacks(options, accountId, log);
  const region = parts[0]?.resolver.region ?? "eu-central-1";
  const apiPort = options.apiPort ?? DEFAULT_PORTS.api;
  await assertPortsFree(
    options,
    apiPort,
    parts.reduce((n, p) => n + p.apis.length, 0),
  );

  const cleanup: Cleanup = [];
  const stopAll = async () => {
    for (const stop of cleanup.splice(0).reverse()) {
      await stop().catch((error: unknown) => log(`while stopping: ${(error as Error).message}`));
    }
  };
  try {
    // The emulators listen on free ports; the local IAM gateway takes the DynamoDB and S3 ports.
    const [dynamodb, s3] = await startEmulators(
      stateDir,
      { ...options, s3Port: 0, dynamodbPort: 0 },
      cleanup,
    );
    const identities = parts.flatMap((p) => functionIdentities(p.resolver));
    for (const warning of identities.flatMap((i) => i.warnings)) log(`[iam] ${warning}`);
    const gateway = await startIamGateway({
      ...{ dynamodbEndpoint: dynamodb.endpoint, s3Endpoint: s3.endpoint, identities, log },
      scope: { region, accountId },
      dynamodbPort: options.dynamodbPort ?? DEFAULT_PORTS.dynamodb,
      s3Port: options.s3Port ?? DEFAULT_PORTS.s3,
    });
    cleanup.push(() => gateway.stop());
    const storage = await createStorage(parts, region, dynamodb, s3, cleanup);
    // Table streams → pipes → buses → rules → targets (.local/events/*.jsonl).
    const events = await startEventPath({
      ...{
        resolvers: parts.map((p) => p.resolver),
        dynamodbEndpoint: dynamodb.endpoint,
        region,
        accountId,
        log,
      },
      eventsDir: join(stateDir, "events"),
    });
    cleanup.push(() => events.stop());
    const environment = functionEnvironment(region, dynamodb, s3);
    const invoke = startFunctions(parts, environment, log, cleanup, gateway.environmentFor);
    subscribeNotifications(
      s3,
      parts.flatMap((p) => p.notifications.map((n) => ({ notification: n, region: p.resolver.region }))),
      invoke,
      log,
      cleanup,
    );
    const apis = await startApis(parts, { apiPort, accountId, invoke, log }, cleanup);
    const urls: LocalEndpoints = {
      region,
      credentials: { ...LOCAL_CREDENTIALS },
      apis,
      s3: { endpoint: gateway.s3Endpoint, buckets: storage.buckets },
      dynamodb: { endpoint: gateway.dynamodbEndpoint, tables: storage.tables },
    };
    const endpointsFile = join(stateDir, "endpoints.json");
    writeFileSync(endpointsFile, `${JSON.stringify(urls, null, 2)}\n`);
    cleanup.unshift(async () => rmSync(endpointsFile, { force: true }));
    return { urls, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** What to undo when the run stops, in the order it was set up (it is undone in reverse). */
type Cleanup = (() => Promise<void>)[];

/** Each stack's resolver, APIs, functions and notifications; what cannot run locally is logged. */
function readStacks(options: LocalRunOptions, accountId: string, log: (line: string) => void): StackParts[] {
  return options.stacks.map(({ name, json }) => {
    const resolver = new TerraformResolver(json, { accountId, region: providerRegion(json) });
    const { notifications, unsupported } = declaredNotifications(resolver);
    for (const note of unsupported) log(`[${name}] ${note}`);
    return {
      stack: name,
      resolver,
      apis: declaredApis(resolver),
      functions: declaredFunctions(resolver, options.root),
      notifications,
    };
  });
}

/** Fails, naming the port and its flag, when a fixed port is taken (0 asks for a free one). */
async function assertPortsFree(options: LocalRunOptions, apiPort: number, apiCount: number): Promise<void> {
  if (apiPort !== 0) {
    for (let i = 0; i < apiCount; i++) await assertPortFree(apiPort + i, "the API (--port)");
  }
  const s3Port = options.s3Port ?? DEFAULT_PORTS.s3;
  if (s3Port !== 0) await assertPortFree(s3Port, "the S3 server (--s3-port)");
  const dynamodbPort = options.dynamodbPort ?? DEFAULT_PORTS.dynamodb;
  if (dynamodbPort !== 0) await assertPortFree(dynamodbPort, "DynamoDB Local (--dynamodb-port)");
}

/** The variables every function gets on top of its own: local region, credentials and endpoints. */
function functionEnvironment(region: string, dynamodb: Emulator, s3: S3Server): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    // Any other service fails fast on a closed local port instead of reaching AWS.
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
  };
}

/** Creates every declared table and bucket in the emulators, and lists them as endpoints.json does. */
async function createStorage(
  parts: readonly StackParts[],
  region: string,
  dynamodb: Emulator,
  s3: S3Server,
  cleanup: Cleanup,
): Promise<Pick<LocalEndpoints["dynamodb"], "tables"> & Pick<LocalEndpoints["s3"], "buckets">> {
  const clientConfig = { region, credentials: LOCAL_CREDENTIALS };
  const ddb = new DynamoDBClient({ ...clientConfig, endpoint: dynamodb.endpoint });
  const s3Client = new S3Client({ ...clientConfig, endpoint: s3.endpoint, forcePathStyle: true });
  cleanup.push(async () => {
    ddb.destroy();
    s3Client.destroy();
  });
  const tables: LocalEndpoints["dynamodb"]["tables"][number][] = [];
  const buckets: LocalEndpoints["s3"]["buckets"][number][] = [];
  for (const part of parts) {
    const declaredTablesOfStack = declaredTables(part.resolver);
    const declaredBucketsOfStack = declaredBuckets(part.resolver);
    await createTables(ddb, declaredTablesOfStack);
    await createBuckets(s3Client, declaredBucketsOfStack);
    for (const t of declaredTablesOfStack) {
      tables.push({ stack: part.stack, address: t.address, name: t.input.TableName as string });
    }
    for (const b of declaredBucketsOfStack) {
      buckets.push({
        stack: part.stack,
        address: b.address,
        name: b.name,
        notifications: part.notifications
          .filter((n) => n.bucket === b.name)
          .map((n) => ({
            events: n.events,
            ...(n.filterPrefix ? { filterPrefix: n.filterPrefix } : {}),
            ...(n.filterSuffix ? { filterSuffix: n.filterSuffix } : {}),
            functionName: n.functionName,
          })),
      });
    }
  }
  return { tables, buckets };
}

/**
 * One warm LocalLambda per declared function (started on its first invocation), with the timeout and
 * memory it declares, and an `invoke` that answers like Lambda: an unknown name is ResourceNotFound, a
 * function that cannot initialise answers every invocation with Runtime.InitError.
 */
function startFunctions(
  parts: readonly StackParts[],
  environment: Readonly<Record<string, string>>,
  log: (line: string) => void,
  cleanup: Cleanup,
  /** Each function's own credentials and the local IAM gateway's endpoints (iam-gateway.ts). */
  environmentFor: (functionName: string) => Record<string, string>,
): Invoke {
  const lambdas = new Map<string, LocalLambda>();
  for (const part of parts) {
    for (const fn of part.functions) {
      const config = part.resolver.config("aws_lambda_function", fn.address.split(".")[1] as string);
      const lambda = new LocalLambda(fn, {
        environment: { ...environment, ...environmentFor(fn.functionName) },
        timeoutSeconds: Number(config.timeout ?? 3),
        memorySize: Number(config.memory_size ?? 128),
        onLog: (line) => {
          if (line.trim()) log(`[${fn.functionName}] ${line}`);
        },
      });
      lambdas.set(fn.functionName, lambda);
    }
  }
  cleanup.push(async () => {
    await Promise.all([...lambdas.values()].map((l) => l.stop()));
  });
  return (functionName, event) => {
    const lambda = lambdas.get(functionName);
    if (!lambda) {
      return Promise.resolve({
        ok: false,
        requestId: "none",
        error: { name: "ResourceNotFoundException", message: `Function not found: ${functionName}` },
      });
    }
    return lambda.invoke(event).catch((error: unknown) => ({
      ok: false as const,
      requestId: "none",
      error: { name: "Runtime.InitError", message: (error as Error).message },
    }));
  };
}

/** Serves every REST API on its own port (the next free one after `apiPort`, or any when it is 0). */
async function startApis(
  parts: readonly StackParts[],
  options: { apiPort: number; accountId: string; invoke: Invoke; log: (line: string) => void },
  cleanup: Cleanup,
): Promise<LocalApiEndpointDraft[]> {
  const apis: LocalApiEndpointDraft[] = [];
  let nextPort = options.apiPort;
  for (const part of parts) {
    for (const api of part.apis) {
      const validation = apiRequestValidation(part.resolver, api.address);
      for (const warning of validation.warnings) options.log(`[${api.name}] ${warning}`);
      const server: ApiServer = await startApiServer({
        api,
        port: nextPort === 0 ? 0 : nextPort++,
        accountId: options.accountId,
        invoke: options.invoke,
        log: (line) => options.log(`[${api.name}] ${line}`),
        validation,
      });
      cleanup.push(() => server.stop());
      for (const stage of api.stages) {
        apis.push({
          stack: part.stack,
          address: api.address,
          name: api.name,
          stage: stage.name,
          url: `${server.origin}/${stage.name}`,
          routes: api.routes.map((r) => ({
            method: r.httpMethod,
            path: r.resourcePath,
            ...(r.integration.type === "AWS_PROXY" ? { functionName: r.integration.functionName } : {}),
          })),
        });
      }
    }
  }
  return apis;
}

type LocalApiEndpointDraft = LocalEndpoints["apis"][number];

async function startEmulators(
  stateDir: string,
  options: LocalRunOptions,
  cleanup: Cleanup,
): Promise<[Emulator, S3Server]> {
  const port = (value: number | undefined, fallback: number) => {
    const chosen = value ?? fallback;
    return chosen === 0 ? undefined : chosen;
  };
  const started = await Promise.allSettled([
    startDynamoDbLocal({
      port: port(options.dynamodbPort, DEFAULT_PORTS.dynamodb),
      dbPath: join(stateDir, "dynamodb"),
      // Any access key and region (the aws cli's, a test's) sees the same tables.
      sharedDb: true,
    }),
    startS3Server({ port: port(options.s3Port, DEFAULT_PORTS.s3), directory: join(stateDir, "s3") }),
  ]);
  for (const result of started) {
    if (result.status === "fulfilled") cleanup.push(() => result.value.stop());
  }
  const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return started.map((r) => (r as PromiseFulfilledResult<Emulator>).value) as [Emulator, S3Server];
}

/**
 * Invokes the notification's function for every matching object written to the S3 server, the way S3
 * does: asynchronously (the PUT is not held up), one record per event. A failure is logged with the
 * function's error; the local run keeps serving. S3 would retry a failed invocation twice; locally it
 * is logged once, so the log reads in order.
 */
function subscribeNotifications(
  s3: S3Server,
  targets: readonly { notification: DeclaredNotification; region: string }[],
  invoke: Invoke,
  log: (line: string) => void,
  cleanup: Cleanup,
): void {
  const inFlight = new Set<Promise<unknown>>();
  const listener = (event: { Records: S3rverRecord[] }) => {
    for (const record of event.Records) {
      const key = record.s3.object.key;
      for (const { notification, region } of targets) {
        if (!notificationMatches(notification, record.s3.bucket.name, record.eventName, key)) continue;
        const s3Event = { Records: [toS3EventRecord(record, { region, notification })] };
        const started = Date.now();
        const run = invoke(notification.functionName, s3Event).then((outcome) => {
          const took = `${Date.now() - started} ms`;
          const what = `s3://${notification.bucket}/${key} ${record.eventName} → ${notification.functionName}`;
          if (outcome.ok) log(`[s3] ${what} ok ${took}`);
          else log(`[s3] ${what} FAILED ${took}: ${outcome.error.name}: ${outcome.error.message}`);
        });
        inFlight.add(run);
        void run.finally(() => inFlight.delete(run));
      }
    }
  };
  s3.server.on("event", listener as (...args: unknown[]) => void);
  cleanup.push(async () => {
    s3.server.removeListener("event", listener as (...args: unknown[]) => void);
    await Promise.allSettled([...inFlight]);
  });
}
