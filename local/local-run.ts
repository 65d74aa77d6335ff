import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { declaredApis, type DeclaredApi } from "./api-routes";
import { startApiServer, type ApiServer, type Invoke } from "./api-server";
import { createBuckets, declaredBuckets } from "./buckets";
import {
  createUserPools,
  declaredUserPools,
  localAuthorizers,
  type DeclaredUserPool,
  type LocalAuthorizers,
} from "./cognito";
import {
  assertPortFree,
  LOCAL_CREDENTIALS,
  startCognitoLocal,
  startDynamoDbLocal,
  startS3Server,
  type CognitoLocal,
  type DynamoDbLocal,
  type S3Server,
} from "./emulators";
import type { LocalEndpoints } from "./endpoints";
import { functionProcessEnvironment, type LocalServices } from "./function-environment";
import { FunctionLogFiles } from "./function-logs";
import { FunctionPool, type PoolChanges } from "./function-pool";
import { startEventPath, type EventPath } from "./event-path";
import { declaredFunctions, type DeclaredFunction } from "./functions";
import { startIamGateway, type IamGateway } from "./iam-gateway";
import { functionIdentities } from "./iam-roles";
import { startLambdaEndpoint, type LambdaEndpoint } from "./lambda-endpoint";
import { declaredStateMachines, startLocalStepFunctions, type LocalStepFunctions } from "./state-machines";
import { apiRequestValidation } from "./request-validation";
import { RunLock, type RunPorts } from "./run-lock";
import { subscribeNotifications, type NotificationTarget } from "./s3-subscription";
import { declaredNotifications, type DeclaredNotification } from "./s3-notifications";
import { createTables, declaredTables } from "./tables";
import {
  declaredContainerServices,
  startContainerService,
  type DeclaredContainerService,
  type RunningContainerService,
} from "./containers";
import { projectRoot } from "../tooling/project-root";
import { declaredTopicArns, startSnsEndpoint, type SnsEndpoint } from "./sns-endpoint";
import { declaredQueueConsumers, LocalQueues } from "./sqs-queues";
import { resolvedLinks, TerraformResolver, type TerraformJson } from "./terraform";
import type { WatchedBundle } from "./watch";

/** The defaults `npm start` serves on. */
export const DEFAULT_PORTS = { api: 3000, s3: 4569, dynamodb: 8000, lambda: 9001, cognito: 9229 } as const;

/** A synthesized stack: its name and its cdk.tf.json. */
export interface StackSource {
  readonly name: string;
  readonly json: TerraformJson;
}

export interface LocalRunOptions {
  /** The stacks to run, in order; the first API gets `apiPort`, the next `apiPort + 1`, ... */
  readonly stacks: readonly StackSource[];
  /** Where DynamoDB Local (`dynamodb/`), the S3 server (`s3/`), `logs/` and endpoints.json live. */
  readonly stateDir: string;
  /** Delete what `stateDir` holds first (once the run holds its lock and its ports are free). @default false */
  readonly fresh?: boolean;
  /** The first API's port; 0 gives every API a free port. @default 3000 */
  readonly apiPort?: number;
  /** 0 for a free port. @default 4569 */
  readonly s3Port?: number;
  /** 0 for a free port. @default 8000 */
  readonly dynamodbPort?: number;
  /** The Lambda Invoke API's port; 0 for a free port. @default 9001 */
  readonly lambdaPort?: number;
  /** The Cognito emulator's port (started only when a stack declares a user pool); 0 for a free port. @default 9229 */
  readonly cognitoPort?: number;
  /** The account id that references such as `data.aws_caller_identity` resolve to. @default 000000000000 */
  readonly accountId?: string;
  /** Receives every log line (requests, functions' own output, notifications). @default console.log */
  readonly log?: (line: string) => void;
  /** Where `dist/lambdas/<name>/index.js` are found. @default the project root */
  readonly root?: string;
  /** The state directory's lock, when the caller took it already. @default taken here */
  readonly lock?: RunLock;
  /**
   * The environment of each function's process, given the one the run would use
   * (`functionProcessEnvironment`). @default that environment unchanged
   */
  readonly functionEnvironment?: (
    fn: DeclaredFunction,
    environment: Readonly<Record<string, string>>,
  ) => Readonly<Record<string, string>>;
}

/** A running local run. */
export interface LocalRun {
  /** What it serves now (also in `<stateDir>/endpoints.json`). */
  readonly urls: LocalEndpoints;
  /** Invokes one of its functions by name, as Lambda would. */
  readonly invoke: Invoke;
  /** The Step Functions stand-in the functions call (`AWS_ENDPOINT_URL_SFN`); set once started. */
  readonly stepFunctions?: LocalStepFunctions;
  /** Settles, with the reason, if the run had to stop by itself (DynamoDB Local died). */
  readonly failed: Promise<string>;
  /** Serves these stacks from now on, keeping the data: routes, tables, buckets, notifications, functions. */
  reload(stacks: readonly StackSource[]): Promise<string>;
  /** The bundles its functions run, and how synth builds them. */
  bundles(): WatchedBundle[];
  /** Restarts the functions that run `bundle` (rebuilt); returns their names. */
  restartBundle(bundle: string): Promise<string[]>;
  /** Stops the API servers, the function processes, the S3 server and DynamoDB Local. */
  stop(): Promise<void>;
}

/** What one stack contributes. */
interface StackParts {
  readonly stack: string;
  readonly resolver: TerraformResolver;
  readonly apis: DeclaredApi[];
  readonly containers: DeclaredContainerService[];
  readonly functions: DeclaredFunction[];
  readonly notifications: DeclaredNotification[];
  readonly userPools: DeclaredUserPool[];
}

/** What to undo when the run stops, in the order it was set up (it is undone in reverse). */
type Cleanup = (() => Promise<void>)[];

/** The region of the stack's AWS provider. */
function providerRegion(json: TerraformJson): string | undefined {
  const provider = (json as { provider?: { aws?: { region?: string }[] } }).provider?.aws?.[0];
  return provider?.region;
}

/** Each stack's resolver, APIs, functions and notifications; what cannot run locally is logged. */
function readStacks(
  stacks: readonly StackSource[],
  options: Pick<LocalRunOptions, "root">,
  accountId: string,
  log: (line: string) => void,
): StackParts[] {
  // A stack that reads another's link (the auth pool's ARN) reads what the producer, served beside it, publishes.
  const links = resolvedLinks(stacks, { accountId });
  return stacks.map(({ name, json }) => {
    const resolver = new TerraformResolver(json, { accountId, region: providerRegion(json), links });
    const { notifications, unsupported } = declaredNotifications(resolver);
    for (const note of unsupported) log(`[${name}] ${note}`);
    return {
      stack: name,
      resolver,
      apis: declaredApis(resolver),
      containers: declaredContainerServices(resolver),
      functions: declaredFunctions(resolver, options.root),
      notifications,
      userPools: declaredUserPools(resolver),
    };
  });
}

/** The ports asked for (0: any free one): what the lock records until the real ones are known. */
function requestedPorts(options: LocalRunOptions, apiCount: number): RunPorts {
  const apiPort = options.apiPort ?? DEFAULT_PORTS.api;
  return {
    apis: Array.from({ length: Math.max(apiCount, 1) }, (_, i) => (apiPort === 0 ? 0 : apiPort + i)),
    s3: options.s3Port ?? DEFAULT_PORTS.s3,
    dynamodb: options.dynamodbPort ?? DEFAULT_PORTS.dynamodb,
    lambda: options.lambdaPort ?? DEFAULT_PORTS.lambda,
  };
}

/** Fails, naming the port and its flag, when a fixed port is taken (0 asks for a free one). */
export async function assertPortsFree(ports: RunPorts): Promise<void> {
  for (const port of ports.apis) if (port !== 0) await assertPortFree(port, "the API (--port)");
  if (ports.s3 !== 0) await assertPortFree(ports.s3, "the S3 server (--s3-port)");
  if (ports.dynamodb !== 0) await assertPortFree(ports.dynamodb, "DynamoDB Local (--dynamodb-port)");
  if (ports.lambda !== 0) await assertPortFree(ports.lambda, "the Lambda endpoint (--lambda-port)");
}

/** Empties the state directory but for its lock: `--fresh`, once the run holds the directory. */
function clearStateDir(stateDir: string): void {
  for (const entry of readdirSync(stateDir)) {
    if (entry !== "run.lock") rmSync(join(stateDir, entry), { recursive: true, force: true });
  }
}

/**
 * Runs the stacks locally from their synthesized Terraform, so the local app cannot drift from what
 * `cdktf deploy` would create: DynamoDB Local and the S3 server hold every declared table and bucket;
 * every REST API is served on 127.0.0.1 (one port per API, paths `/<stage>/<resource path>` like its
 * invoke URL); every bucket notification invokes its function when a matching object is written; each
 * function runs its bundle in a warm process of its own, with the environment and memory it declares,
 * and its log in `<stateDir>/logs/`; the Lambda Invoke API serves the functions by name.
 *
 * The state directory is locked first, then the ports are checked, and only then is anything deleted
 * (`fresh`) or started; a second run on the same directory refuses with the first one's ports.
 */
export async function startLocalRun(options: LocalRunOptions): Promise<LocalRun> {
  const log = options.log ?? ((line: string) => console.log(line));
  const stateDir = resolve(options.stateDir);
  const accountId = options.accountId ?? "000000000000";
  // Read everything first: a stack the local run cannot serve fails before anything starts.
  const parts = readStacks(options.stacks, options, accountId, log);
  const ports = requestedPorts(
    options,
    parts.reduce((n, p) => n + p.apis.length + p.containers.length, 0),
  );
  const lock = options.lock ?? RunLock.acquire(stateDir, ports, log);
  try {
    await assertPortsFree(ports);
    if (options.fresh) clearStateDir(stateDir);
    mkdirSync(stateDir, { recursive: true });
  } catch (error) {
    lock.release();
    throw error;
  }
  const run = new Run(stateDir, accountId, lock, options, log);
  try {
    await run.start(parts);
  } catch (error) {
    await run.stop();
    throw error;
  }
  return run;
}

/** The running parts of a local run, and how they follow a reload. */
class Run implements LocalRun {
  readonly failed: Promise<string>;
  private fail: (reason: string) => void = () => undefined;
  private readonly cleanup: Cleanup = [];
  private readonly apiServers = new Map<string, ApiServer>();
  private readonly containers = new Map<string, RunningContainerService>();
  private nextApiPort: number;
  private parts: StackParts[] = [];
  private pool?: FunctionPool;
  private notifications: NotificationTarget[] = [];
  private storage: Pick<LocalEndpoints["s3"], "buckets"> & Pick<LocalEndpoints["dynamodb"], "tables"> = {
    buckets: [],
    tables: [],
  };
  private emulators?: { dynamodb: DynamoDbLocal; s3: S3Server; ddb: DynamoDBClient; s3Client: S3Client };
  private cognito?: { emulator: CognitoLocal; authorizers: LocalAuthorizers };
  private lambdaEndpoint?: LambdaEndpoint;
  /** Step Functions' stand-in: runs the stacks' Distributed Maps through the function processes. */
  stepFunctions?: LocalStepFunctions;
  private gateway?: IamGateway;
  private events?: EventPath;
  private sns?: SnsEndpoint;
  private queues?: LocalQueues;
  private stopping?: Promise<void>;

  constructor(
    private readonly stateDir: string,
    private readonly accountId: string,
    private readonly lock: RunLock,
    private readonly options: LocalRunOptions,
    private readonly log: (line: string) => void,
  ) {
    this.nextApiPort = options.apiPort ?? DEFAULT_PORTS.api;
    this.failed = new Promise((resolve) => (this.fail = resolve));
    // Undone last: endpoints.json goes, then the lock.
    this.cleanup.push(
      async () => lock.release(),
      async () => rmSync(join(stateDir, "endpoints.json"), { force: true }),
    );
  }

  get region(): string {
    return this.parts[0]?.resolver.region ?? "eu-central-1";
  }

  readonly invoke: Invoke = (name, event) => (this.pool as FunctionPool).invoke(name, event);

  async start(parts: StackParts[]): Promise<void> {
    this.parts = parts;
    const { dynamodb, s3 } = await this.startEmulators();
    const gateway = await this.startGateway(dynamodb, s3);
    const logFiles = new FunctionLogFiles(this.stateDir);
    this.cleanup.push(() => logFiles.close());
    const sns = await startSnsEndpoint({ topicArns: [], eventsDir: this.eventsDir, log: this.log });
    this.sns = sns;
    this.cleanup.push(() => sns.stop());
    const stepFunctions = await startLocalStepFunctions({
      s3: (this.emulators as NonNullable<Run["emulators"]>).s3Client,
      invoke: this.invoke,
      machines: () => this.parts.flatMap((p) => declaredStateMachines(p.resolver)),
      log: this.log,
    });
    this.stepFunctions = stepFunctions;
    this.cleanup.push(() => stepFunctions.stop());
    const services: LocalServices = {
      region: this.region,
      dynamodbEndpoint: gateway.dynamodbEndpoint,
      s3Endpoint: gateway.s3Endpoint,
      snsEndpoint: sns.endpoint,
      sfnEndpoint: stepFunctions.endpoint,
    };
    const pool = new FunctionPool({
      environment: (fn) => {
        // Each function signs with keys of its own, so the local IAM gateway knows who calls.
        const environment = {
          ...functionProcessEnvironment(fn, services),
          ...gateway.environmentFor(fn.functionName),
        };
        return this.options.functionEnvironment?.(fn, environment) ?? environment;
      },
      log: this.log,
      logFiles,
      onSpawn: (fn, child) => this.lock.track(fn.functionName, child),
    });
    this.pool = pool;
    this.cleanup.push(() => pool.stop());
    const queues = new LocalQueues({
      invoke: this.invoke,
      eventsDir: this.eventsDir,
      region: this.region,
      log: this.log,
    });
    this.queues = queues;
    this.cleanup.push(() => queues.stop());
    await this.apply(parts);
    await this.restartEventPath(parts);
    this.cleanup.push(() => this.events?.stop() ?? Promise.resolve());
    const stopNotifications = subscribeNotifications(s3, () => this.notifications, this.invoke, this.log);
    this.cleanup.push(stopNotifications);
    this.lambdaEndpoint = await startLambdaEndpoint({
      port: this.options.lambdaPort ?? DEFAULT_PORTS.lambda,
      functions: pool,
      region: this.region,
      accountId: this.accountId,
      log: (line) => this.log(`[lambda] ${line}`),
    });
    const endpoint = this.lambdaEndpoint;
    this.cleanup.push(() => endpoint.stop());
    this.publish();
  }

  async reload(stacks: readonly StackSource[]): Promise<string> {
    const before = { routes: this.routeKeys(), tables: this.storage.tables.length };
    const parts = readStacks(stacks, this.options, this.accountId, this.log);
    const functions = await this.apply(parts);
    this.parts = parts;
    await this.restartEventPath(parts);
    this.publish();
    const after = this.routeKeys();
    const added = [...after].filter((r) => !before.routes.has(r)).length;
    const removed = [...before.routes].filter((r) => !after.has(r)).length;
    const changed = [...functions.added, ...functions.changed, ...functions.removed];
    return (
      `routes ${after.size} (+${added} −${removed}), tables ${this.storage.tables.length} ` +
      `(+${Math.max(0, this.storage.tables.length - before.tables)}), notifications ${this.notifications.length}, ` +
      `functions ${(this.pool as FunctionPool).names().length}` +
      (changed.length > 0 ? ` (restarted or added: ${changed.join(", ")})` : " (none changed)")
    );
  }

  bundles(): WatchedBundle[] {
    return this.pool?.bundles() ?? [];
  }

  restartBundle(bundle: string): Promise<string[]> {
    return this.pool?.restartBundle(bundle) ?? Promise.resolve([]);
  }

  get urls(): LocalEndpoints {
    const emulators = this.emulators as NonNullable<Run["emulators"]>;
    return {
      region: this.region,
      // Only the two strings: the SDK decorates credential objects it is given (`$source`).
      credentials: {
        accessKeyId: LOCAL_CREDENTIALS.accessKeyId,
        secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey,
      },
      apis: this.apiEndpoints(),
      // The local IAM gateway's endpoints: requests signed with a function's keys are evaluated there.
      s3: { endpoint: this.gateway?.s3Endpoint ?? emulators.s3.endpoint, buckets: this.storage.buckets },
      dynamodb: {
        endpoint: this.gateway?.dynamodbEndpoint ?? emulators.dynamodb.endpoint,
        tables: this.storage.tables,
      },
      lambda: {
        endpoint: this.lambdaEndpoint?.endpoint ?? "",
        functions: this.parts.flatMap((p) =>
          p.functions.map((fn) => ({ stack: p.stack, address: fn.address, name: fn.functionName })),
        ),
      },
      logs: join(this.stateDir, "logs"),
      ...(this.cognito && this.cognito.authorizers.pools.length > 0
        ? { cognito: { endpoint: this.cognito.emulator.endpoint, userPools: this.cognito.authorizers.pools } }
        : {}),
    };
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const stop of this.cleanup.splice(0).reverse()) {
        await stop().catch((error: unknown) => this.log(`while stopping: ${(error as Error).message}`));
      }
    })();
    return this.stopping;
  }

  /** Creates what the stacks declare (existing tables and buckets keep their data) and serves it. */
  private async apply(parts: readonly StackParts[]): Promise<PoolChanges> {
    this.storage = await this.createStorage(parts);
    await this.createUserPools(parts);
    this.gateway?.update(this.identities(parts));
    const changes = await (this.pool as FunctionPool).update(parts.flatMap((p) => p.functions));
    this.notifications = parts.flatMap((p) =>
      p.notifications.map((notification) => ({ notification, region: p.resolver.region })),
    );
    await this.serveApis(parts);
    await this.serveContainers(parts);
    this.sns?.update(parts.flatMap((p) => declaredTopicArns(p.resolver)));
    this.queues?.update(parts.flatMap((p) => declaredQueueConsumers(p.resolver)));
    return changes;
  }

  /** Where rule targets, queues' dead letters and published messages are written (`<stateDir>/events`). */
  private get eventsDir(): string {
    return join(this.stateDir, "events");
  }

  /**
   * Each container service as a Node process behind its local HTTP API (local/containers.ts), restarted on
   * every apply (its declared environment may have changed), on the port it had. It signs with the local
   * credentials, which the IAM gateway does not evaluate: its task role is not checked locally.
   */
  private async serveContainers(parts: readonly StackParts[]): Promise<void> {
    const ports = new Map([...this.containers].map(([address, c]) => [address, c.port]));
    for (const running of this.containers.values()) await running.stop();
    this.containers.clear();
    const gateway = this.gateway as IamGateway;
    const localEnvironment = {
      AWS_REGION: this.region,
      AWS_DEFAULT_REGION: this.region,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: gateway.dynamodbEndpoint,
      AWS_ENDPOINT_URL_S3: gateway.s3Endpoint,
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    };
    for (const part of parts) {
      for (const service of part.containers) {
        const key = `${part.stack}/${service.address}`;
        const port = ports.get(key) ?? (this.nextApiPort === 0 ? 0 : this.nextApiPort++);
        const running = await startContainerService(service, {
          root: this.options.root ?? projectRoot,
          apiPort: port,
          localEnvironment,
          log: this.log,
          onSpawn: (child) => this.lock.track(service.name, child),
        });
        this.containers.set(key, running);
      }
    }
    if (!this.containerCleanup) {
      this.containerCleanup = true;
      this.cleanup.push(async () => {
        for (const running of this.containers.values()) await running.stop();
      });
    }
  }

  private containerCleanup = false;

  /** The functions' identities (their synthesized policies) as the local IAM gateway evaluates them. */
  private identities(parts: readonly StackParts[]) {
    const identities = parts.flatMap((p) => functionIdentities(p.resolver));
    for (const warning of new Set(identities.flatMap((i) => i.warnings))) this.log(`[iam] ${warning}`);
    return identities;
  }

  /**
   * The local IAM gateway takes the DynamoDB and S3 ports (the emulators listen on free ones behind it)
   * and evaluates each request signed with a function's keys against that function's policies.
   */
  private async startGateway(dynamodb: DynamoDbLocal, s3: S3Server): Promise<IamGateway> {
    const gateway = await startIamGateway({
      dynamodbEndpoint: dynamodb.endpoint,
      s3Endpoint: s3.endpoint,
      // apply() registers the identities of the stacks it serves, before any function process starts.
      identities: [],
      scope: { region: this.region, accountId: this.accountId },
      dynamodbPort: this.options.dynamodbPort ?? DEFAULT_PORTS.dynamodb,
      s3Port: this.options.s3Port ?? DEFAULT_PORTS.s3,
      log: this.log,
    });
    this.gateway = gateway;
    this.cleanup.push(() => gateway.stop());
    return gateway;
  }

  /**
   * Table streams → pipes → buses → rules → targets, as the stacks now say: a queue a function consumes
   * gets the message (sqs-queues.ts), any other target a file (`.local/events/*.jsonl`).
   */
  private async restartEventPath(parts: readonly StackParts[]): Promise<void> {
    await this.events?.stop();
    const { dynamodb } = this.emulators as NonNullable<Run["emulators"]>;
    this.events = await startEventPath({
      resolvers: parts.map((p) => p.resolver),
      // The pipe reads the stream as the service does, not through the gateway.
      dynamodbEndpoint: dynamodb.endpoint,
      region: this.region,
      accountId: this.accountId,
      eventsDir: this.eventsDir,
      log: this.log,
      queues: this.queues,
    });
  }

  private validation(parts: readonly StackParts[], api: DeclaredApi) {
    const part = parts.find((p) => p.apis.includes(api));
    const validation = part ? apiRequestValidation(part.resolver, api.address) : undefined;
    for (const warning of validation?.warnings ?? []) this.log(`[${api.name}] ${warning}`);
    return validation;
  }

  private async startEmulators(): Promise<{ dynamodb: DynamoDbLocal; s3: S3Server }> {
    // Both listen on free ports: the local IAM gateway in front of them takes the requested ones.
    const started = await Promise.allSettled([
      startDynamoDbLocal({
        dbPath: join(this.stateDir, "dynamodb"),
        // Any access key and region (the aws cli's, a test's) sees the same tables.
        sharedDb: true,
      }),
      startS3Server({
        directory: join(this.stateDir, "s3"),
      }),
    ]);
    const [dynamodb, s3] = started.map((r) => (r.status === "fulfilled" ? r.value : undefined)) as [
      DynamoDbLocal | undefined,
      S3Server | undefined,
    ];
    if (dynamodb) this.cleanup.push(() => dynamodb.stop());
    if (s3) this.cleanup.push(() => s3.stop());
    const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed || !dynamodb || !s3) throw failed?.reason;
    this.lock.track("DynamoDB Local", dynamodb.process);
    void dynamodb.died.then((reason) => this.dynamoDbDied(reason));
    const clientConfig = { region: this.region, credentials: { ...LOCAL_CREDENTIALS } };
    const ddb = new DynamoDBClient({ ...clientConfig, endpoint: dynamodb.endpoint });
    const s3Client = new S3Client({ ...clientConfig, endpoint: s3.endpoint, forcePathStyle: true });
    this.cleanup.push(async () => {
      ddb.destroy();
      s3Client.destroy();
    });
    this.emulators = { dynamodb, s3, ddb, s3Client };
    return { dynamodb, s3 };
  }

  /**
   * Creates the stacks' user pools and app clients in the Cognito emulator (started with the first stack
   * that declares one; pools and users are kept in `<stateDir>/cognito`), and reads their keys for the
   * APIs' Cognito authorizers.
   */
  private async createUserPools(parts: readonly StackParts[]): Promise<void> {
    if (!this.cognito && !parts.some((p) => p.userPools.length > 0)) return;
    let emulator = this.cognito?.emulator;
    if (!emulator) {
      const started = await startCognitoLocal({
        directory: join(this.stateDir, "cognito"),
        port: this.options.cognitoPort ?? DEFAULT_PORTS.cognito,
      });
      emulator = started;
      this.lock.track("Cognito emulator", started.process);
      this.cleanup.push(() => started.stop());
    }
    const pools = [];
    for (const part of parts)
      pools.push(...(await createUserPools(emulator.endpoint, part.stack, part.userPools)));
    this.cognito = { emulator, authorizers: await localAuthorizers(emulator.endpoint, pools) };
  }

  /** Without DynamoDB Local every function would answer 500 forever: say so, and stop the whole run. */
  private dynamoDbDied(reason: string): void {
    if (this.stopping) return;
    this.log(`${reason}\nThe local run cannot serve without DynamoDB Local: stopping everything.`);
    void this.stop().then(() => this.fail(reason));
  }

  /** Creates every declared table and bucket in the emulators, and lists them as endpoints.json does. */
  private async createStorage(parts: readonly StackParts[]): Promise<Run["storage"]> {
    const { ddb, s3Client } = this.emulators as NonNullable<Run["emulators"]>;
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
   * Serves every REST API on its own port (the next one after `apiPort`, or any when it is 0). On a
   * reload an API keeps its port and gets its new routes; a new API gets the next port; a removed one stops.
   */
  private async serveApis(parts: readonly StackParts[]): Promise<void> {
    const wanted = new Set(parts.flatMap((p) => p.apis.map((a) => a.address)));
    for (const [address, server] of this.apiServers) {
      if (wanted.has(address)) continue;
      this.apiServers.delete(address);
      await server.stop();
    }
    for (const api of parts.flatMap((p) => p.apis)) {
      const existing = this.apiServers.get(api.address);
      const authorize = this.cognito?.authorizers.authorize;
      if (existing) {
        existing.update(api, this.validation(parts, api), authorize);
        continue;
      }
      const server = await startApiServer({
        validation: this.validation(parts, api),
        ...(authorize ? { authorize } : {}),
        api,
        port: this.nextApiPort === 0 ? 0 : this.nextApiPort++,
        accountId: this.accountId,
        invoke: this.invoke,
        log: (line) => this.log(`[${api.name}] ${line}`),
      });
      this.apiServers.set(api.address, server);
      this.cleanup.push(async () => {
        if (this.apiServers.get(api.address) === server) await server.stop();
      });
    }
  }

  private apiEndpoints(): LocalEndpoints["apis"][number][] {
    return [...this.restApiEndpoints(), ...this.containerEndpoints()];
  }

  /** Each container service's HTTP API: its `$default` stage, routes served by the service's process. */
  private containerEndpoints(): LocalEndpoints["apis"][number][] {
    return this.parts.flatMap((part) =>
      part.containers.flatMap((service: DeclaredContainerService) => {
        const running = this.containers.get(`${part.stack}/${service.address}`);
        if (!running) return [];
        return [
          {
            stack: part.stack,
            address: service.address,
            name: service.name,
            stage: "$default",
            url: running.origin,
            routes: service.routes.map((r) => ({ ...r, service: service.name })),
          },
        ];
      }),
    );
  }

  private restApiEndpoints(): LocalEndpoints["apis"][number][] {
    return this.parts.flatMap((part) =>
      part.apis.flatMap((api) =>
        api.stages.map((stage) => ({
          stack: part.stack,
          address: api.address,
          name: api.name,
          stage: stage.name,
          url: `${(this.apiServers.get(api.address) as ApiServer).origin}/${stage.name}`,
          routes: api.routes.map((r) => ({
            method: r.httpMethod,
            path: r.resourcePath,
            ...(r.integration.type === "AWS_PROXY" ? { functionName: r.integration.functionName } : {}),
            ...(r.authorizer ? { authorization: r.authorizer.type } : {}),
          })),
        })),
      ),
    );
  }

  private routeKeys(): Set<string> {
    return new Set(this.apiEndpoints().flatMap((a) => a.routes.map((r) => `${a.url} ${r.method} ${r.path}`)));
  }

  /** Writes endpoints.json and records the ports in the lock, as they are now. */
  private publish(): void {
    writeFileSync(join(this.stateDir, "endpoints.json"), `${JSON.stringify(this.urls, null, 2)}\n`);
    this.lock.setPorts({
      apis: [
        ...[...this.apiServers.values()].map((s) => s.port),
        ...[...this.containers.values()].map((c) => c.port),
      ],
      s3: this.emulators?.s3.port ?? 0,
      dynamodb: this.emulators?.dynamodb.port ?? 0,
      lambda: this.lambdaEndpoint?.port ?? 0,
    });
  }
}
