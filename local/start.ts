import { join } from "node:path";
import { parseArgs } from "node:util";
import { projectRoot } from "../tooling/project-root";
import { formatEndpoints, tryItCommands } from "./endpoints";
import { DEFAULT_PORTS, startLocalRun, type LocalRun } from "./local-run";
import { readStack } from "./terraform";

/**
 * What `npm start` runs without --stack: the dev stack of every service in stacks/services.ts (a unit test
 * keeps the two lists in step; the list is not imported here, to keep the stacks' code out of start-up).
 */
export const DEFAULT_STACKS: readonly string[] = ["movies-dev", "orders-dev"];

export const USAGE = `Usage: npm start -- [options]

Runs the synthesized stacks locally: DynamoDB Local, an S3 server, every REST API and bucket notification,
each Lambda from its bundle. Everything is read from cdktf.out/stacks/<stack>/cdk.tf.json.

Options:
  --stack <name>          Stack to run; repeat for several (default: ${DEFAULT_STACKS.join(", ")})
  --port <n>              Port of the first API; the next API gets n+1, ... (default: ${DEFAULT_PORTS.api})
  --s3-port <n>           Port of the S3 server (default: ${DEFAULT_PORTS.s3})
  --dynamodb-port <n>     Port of DynamoDB Local (default: ${DEFAULT_PORTS.dynamodb})
  --fresh                 Delete the local data (.local/) first
  --state-dir <dir>       Where local data and endpoints.json live (default: .local)
  --outdir <dir>          Where the synthesized stacks are (default: cdktf.out)
  -h, --help              Show this help`;

export interface StartOptions {
  readonly stacks: string[];
  readonly apiPort: number;
  readonly s3Port: number;
  readonly dynamodbPort: number;
  readonly fresh: boolean;
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
      fresh: { type: "boolean", default: false },
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
    fresh: values.fresh ?? false,
    stateDir: values["state-dir"] ?? join(root, ".local"),
    outdir: values.outdir ?? join(root, "cdktf.out"),
    help: values.help ?? false,
  };
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
  let run: LocalRun;
  try {
    const stacks = options.stacks.map((name) => ({ name, json: readStack(options.outdir, name) }));
    run = await startLocalRun({
      stacks,
      stateDir: options.stateDir,
      fresh: options.fresh,
      apiPort: options.apiPort,
      s3Port: options.s3Port,
      dynamodbPort: options.dynamodbPort,
    });
  } catch (error) {
    console.error(`npm start: ${(error as Error).message}`);
    process.exit(1);
  }

  console.log(
    [
      "",
      `Running ${options.stacks.join(", ")} locally, from ${join(options.outdir, "stacks", "<stack>", "cdk.tf.json")}` +
        `${options.fresh ? " (fresh data)" : ""}; ready in ${process.uptime().toFixed(1)} s`,
      "",
      formatEndpoints(run.urls),
      "",
      "Try it (the workshop's Test section):",
      tryItCommands(run.urls),
      "",
      "Or run `npm run smoke` in another terminal. Ctrl-C stops everything.",
      "",
    ].join("\n"),
  );

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
    run.stop().then(
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

if (require.main === module) void main();
