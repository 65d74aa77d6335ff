import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { projectRoot } from "../tooling/project-root";
import { formatEndpoints, tryItCommands } from "./endpoints";
import { assertPortsFree, DEFAULT_PORTS, startLocalRun, type LocalRun, type StackSource } from "./local-run";
import { RunLock, type RunPorts } from "./run-lock";
import { synthesize, synthStaleReason } from "./synth";
import { readStack } from "./terraform";
import { watchSources, type SourceWatcher } from "./watch";

/**
 * What `npm start` runs without --stack: the dev stack of every service in stacks/services.ts (a unit test
 * keeps the two lists in step; the list is not imported here, to keep the stacks' code out of start-up).
 */
export const DEFAULT_STACKS: readonly string[] = [
  "auth-dev",
  "movies-dev",
  "orders-dev",
  "catalog-dev",
  "notifications-dev",
];

export const USAGE = `Usage: npm start -- [options]

Runs the synthesized stacks locally: DynamoDB Local, an S3 server, every REST API and bucket notification,
each Lambda from its bundle, and the Lambda Invoke API. Everything is read from
cdktf.out/stacks/<stack>/cdk.tf.json, synthesized first when a source is newer. Saving a file under lambdas/
restarts the functions that use it; saving the stacks' code or config re-synthesizes and reloads.

Options:
  --stack <name>          Stack to run; repeat for several (default: ${DEFAULT_STACKS.join(", ")})
  --port <n>              Port of the first API; the next API gets n+1, ... (default: ${DEFAULT_PORTS.api})
  --s3-port <n>           Port of the S3 server (default: ${DEFAULT_PORTS.s3})
  --dynamodb-port <n>     Port of DynamoDB Local (default: ${DEFAULT_PORTS.dynamodb})
  --lambda-port <n>       Port of the Lambda Invoke API (default: ${DEFAULT_PORTS.lambda})
  --cognito-port <n>      Port of the Cognito emulator, run when a stack has a user pool (default: ${DEFAULT_PORTS.cognito})
                          (0 for any of them: a free port)
  --fresh                 Delete the local data (.local/) first
  --no-watch              Do not reload on changes
  --state-dir <dir>       Where local data, logs and endpoints.json live (default: .local)
  --outdir <dir>          Where the synthesized stacks are (default: cdktf.out; another is read as is)
  -h, --help              Show this help`;

export interface StartOptions {
  readonly stacks: string[];
  readonly apiPort: number;
  readonly s3Port: number;
  readonly dynamodbPort: number;
  readonly lambdaPort: number;
  readonly cognitoPort: number;
  readonly fresh: boolean;
  readonly watch: boolean;
  readonly stateDir: string;
  readonly outdir: string;
  readonly help: boolean;
}

function port(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`${flag} must be a port number, not "${value}"`);
  return n;
}

/** The options of `npm start -- ...`; throws a message naming the flag for bad input. */
export function parseStartArgs(argv: readonly string[], root = projectRoot): StartOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      stack: { type: "string", multiple: true },
      port: { type: "string" },
      "s3-port": { type: "string" },
      "dynamodb-port": { type: "string" },
      "lambda-port": { type: "string" },
      "cognito-port": { type: "string" },
      fresh: { type: "boolean", default: false },
      "no-watch": { type: "boolean", default: false },
      "state-dir": { type: "string" },
      outdir: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    stacks: values.stack && values.stack.length > 0 ? [...new Set(values.stack)] : [...DEFAULT_STACKS],
    apiPort: port(values.port, "--port", DEFAULT_PORTS.api),
    s3Port: port(values["s3-port"], "--s3-port", DEFAULT_PORTS.s3),
    dynamodbPort: port(values["dynamodb-port"], "--dynamodb-port", DEFAULT_PORTS.dynamodb),
    lambdaPort: port(values["lambda-port"], "--lambda-port", DEFAULT_PORTS.lambda),
    cognitoPort: port(values["cognito-port"], "--cognito-port", DEFAULT_PORTS.cognito),
    fresh: values.fresh ?? false,
    watch: !(values["no-watch"] ?? false),
    stateDir: resolve(values["state-dir"] ?? join(root, ".local")),
    outdir: resolve(values.outdir ?? join(root, "cdktf.out")),
    help: values.help ?? false,
  };
}

/** The ports this start will take, as far as they are known before synthesizing (APIs of the last synth). */
export function plannedPorts(options: StartOptions): RunPorts {
  let apiCount = 0;
  for (const stack of options.stacks) {
    try {
      apiCount += Object.keys(
        readStack(options.outdir, stack).resource?.aws_api_gateway_rest_api ?? {},
      ).length;
    } catch {
      // Not synthesized yet: the first API's port is checked, the others once they are known.
    }
  }
  const apis = Array.from({ length: Math.max(apiCount, 1) }, (_, i) =>
    options.apiPort === 0 ? 0 : options.apiPort + i,
  );
  return { apis, s3: options.s3Port, dynamodb: options.dynamodbPort, lambda: options.lambdaPort };
}

function readStacks(options: StartOptions): StackSource[] {
  return options.stacks.map((name) => ({ name, json: readStack(options.outdir, name) }));
}

/** Synthesizes when a source is newer than cdktf.out/ (only the project's own outdir; another is read as is). */
async function synthIfStale(options: StartOptions, lock: RunLock): Promise<void> {
  if (options.outdir !== join(projectRoot, "cdktf.out")) return;
  const reason = synthStaleReason(projectRoot);
  if (reason === undefined) {
    console.log("cdktf.out/ and dist/ are up to date (skipping synth)");
    return;
  }
  console.log(`Synthesizing: ${reason}`);
  const synth = await synthesize(projectRoot, {
    compile: false,
    inherit: true,
    onSpawn: (child) => lock.track("synth", child, { group: true }),
  });
  if (!synth.ok) throw new Error("synth failed (its output is above)");
}

/** After a change to the stacks' code or config: synth again, then serve the new stacks. */
async function resynthesizeAndReload(run: Started, options: StartOptions): Promise<string> {
  const synth = await synthesize(projectRoot, {
    compile: true,
    onSpawn: (child) => run.lock.track("synth", child, { group: true }),
  });
  if (!synth.ok) {
    const tail = synth.output.trim().split("\n").slice(-6).join("\n");
    throw new Error(`synth failed:\n${tail}\n`);
  }
  return run.run.reload(readStacks(options));
}

/**
 * The order that keeps a second start from harming the first: the state directory is locked and the
 * ports checked before anything is synthesized or deleted; then synth, then the run.
 */
/** The run, and the lock it holds (what a reload's synth is recorded in). */
interface Started {
  readonly run: LocalRun;
  readonly lock: RunLock;
}

async function start(options: StartOptions): Promise<Started> {
  const ports = plannedPorts(options);
  const lock = RunLock.acquire(options.stateDir, ports, (line) => console.log(line));
  try {
    await assertPortsFree(ports);
    await synthIfStale(options, lock);
    const run = await startLocalRun({
      stacks: readStacks(options),
      stateDir: options.stateDir,
      fresh: options.fresh,
      apiPort: options.apiPort,
      s3Port: options.s3Port,
      dynamodbPort: options.dynamodbPort,
      lambdaPort: options.lambdaPort,
      cognitoPort: options.cognitoPort,
      lock,
    });
    return { run, lock };
  } catch (error) {
    lock.release();
    throw error;
  }
}

function banner(run: LocalRun, options: StartOptions): string {
  const watching = options.watch
    ? "Reloading on save: lambdas/ (the functions that use a file), stacks/, constructs/, operations/, tooling/ (synth)."
    : "Not reloading on changes (--no-watch).";
  return [
    "",
    `Running ${options.stacks.join(", ")} locally, from ${join(options.outdir, "stacks", "<stack>", "cdk.tf.json")}` +
      `${options.fresh ? " (fresh data)" : ""}; ready in ${process.uptime().toFixed(1)} s`,
    "",
    formatEndpoints(run.urls),
    "",
    "Try it (the workshop's Test section):",
    tryItCommands(run.urls),
    "",
    watching,
    "Or run `npm run smoke` in another terminal. Ctrl-C stops everything.",
    "",
  ].join("\n");
}

/** Ctrl-C (SIGINT) or SIGTERM: stop the watcher and the run, once. */
function stopOnSignals(run: LocalRun, watcher: SourceWatcher | undefined): void {
  let stoppingSince: number | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      // Ctrl-C reaches us from the terminal and again from npm, which forwards it: one press, two signals.
      if (Date.now() - stoppingSince < 1_000) return;
      console.error(`${signal} again: exiting without waiting`);
      process.exit(130);
    }
    stoppingSince = Date.now();
    console.log(`\n${signal}: stopping the APIs, functions, S3 server and DynamoDB Local...`);
    Promise.resolve(watcher?.stop())
      .then(() => run.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(`while stopping: ${(error as Error).message}`);
          process.exit(1);
        },
      );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

async function main(): Promise<void> {
  let options: StartOptions;
  try {
    options = parseStartArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }
  // The SDK's notice about future Node versions is not about this run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  let started: Started;
  try {
    started = await start(options);
  } catch (error) {
    console.error(`npm start: ${(error as Error).message}`);
    process.exit(1);
  }
  const { run } = started;
  console.log(banner(run, options));
  const watcher = options.watch
    ? watchSources({
        run,
        reloadInfra:
          options.outdir === join(projectRoot, "cdktf.out")
            ? () => resynthesizeAndReload(started, options)
            : undefined,
        log: (line) => console.log(line),
      })
    : undefined;
  stopOnSignals(run, watcher);
  void run.failed.then(async () => {
    await watcher?.stop();
    console.error("npm start: stopped, because DynamoDB Local is gone (see above)");
    process.exit(1);
  });
}

if (require.main === module) void main();
