import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../tooling/project-root";
import { functionNameOf, parseCommand, runCommand, runningEndpoints, stateDirOf, UsageError } from "./cli";
import type { LocalEndpoints } from "./endpoints";
import { functionLogPath } from "./function-logs";
import type { InvokeOutcome } from "./lambda-host";
import { startLocalRun } from "./local-run";
import { RunLock } from "./run-lock";
import { DEFAULT_STACKS } from "./start";
import { synthesize, synthStaleReason } from "./synth";
import { readStack } from "./terraform";

export const INVOKE_USAGE = `Usage: npm run invoke -- <function> [--event <file>|-] [options]

Invokes one function with an event, like \`sam local invoke -e\`, and prints its log lines (stderr) and its
result (stdout); exits 1 when the function fails. <function> is the deployed name (get-movie-dev).
The event is read from <file>, or stdin for "-" (\`npm run -s event -- s3-put | npm run invoke -- upload-infos-dev --event -\`);
without --event it is {}.

With \`npm start\` running, the function runs there (its warm process, data and log). Otherwise the command
starts DynamoDB Local, the S3 server and the function on the state directory for this one invocation.

Options:
  --state-dir <dir>   The local run's state directory (default: .local, or $LOCAL_STATE_DIR)
  --stack <name>      Without a running \`npm start\`: stack to load; repeat (default: ${DEFAULT_STACKS.join(", ")})
  -h, --help          Show this help`;

/** What an invocation gave back: Lambda's response payload, whether it is a function error, the log. */
export interface InvocationResult {
  readonly payload: string;
  readonly functionError?: string;
  readonly logs: readonly string[];
  /** The log was cut to its last 4 KB (the Lambda endpoint's `LogType: Tail`). */
  readonly truncated: boolean;
}

/** Invokes through a running run's Lambda endpoint (the Invoke API, with `LogType: Tail`). */
async function invokeThroughEndpoint(
  endpoints: LocalEndpoints,
  name: string,
  event: unknown,
): Promise<InvocationResult> {
  const url = `${endpoints.lambda.endpoint}/2015-03-31/functions/${encodeURIComponent(name)}/invocations`;
  const response = await fetch(url, {
    method: "POST",
    headers: { "X-Amz-Log-Type": "Tail", "Content-Type": "application/json" },
    body: JSON.stringify(event),
  });
  const payload = await response.text();
  if (response.status !== 200) {
    const message = (JSON.parse(payload) as { message?: string }).message ?? payload;
    const known = endpoints.lambda.functions.map((f) => f.name).join(", ");
    throw new UsageError(`${message}${response.status === 404 ? `; the running functions: ${known}` : ""}`);
  }
  const log = Buffer.from(response.headers.get("x-amz-log-result") ?? "", "base64");
  return {
    payload,
    functionError: response.headers.get("x-amz-function-error") ?? undefined,
    logs: log
      .toString("utf8")
      .split("\n")
      .filter((line) => line !== ""),
    // Tail is the last 4 KB: a full 4 KB most likely began before the invocation's first line.
    truncated: log.length >= 4 * 1024,
  };
}

/** Payload of a function error, as Lambda's Node.js runtime returns it. */
function errorPayload(outcome: InvokeOutcome & { ok: false }): string {
  const { name, message, stack } = outcome.error;
  return JSON.stringify({ errorType: name, errorMessage: message, trace: stack ? stack.split("\n") : [] });
}

/**
 * Without a running `npm start`: a run of its own on the state directory (which it locks, so a start
 * cannot begin meanwhile), on free ports, for this one invocation; synthesized first when stale.
 */
async function invokeInOwnRun(
  stateDir: string,
  stacks: readonly string[],
  name: string,
  event: unknown,
): Promise<InvocationResult> {
  const lock = RunLock.acquire(stateDir, { apis: [0], s3: 0, dynamodb: 0, lambda: 0 }, (line) =>
    console.error(line),
  );
  const stale = synthStaleReason(projectRoot);
  if (stale) {
    console.error(`Synthesizing: ${stale}`);
    const synth = await synthesize(projectRoot, {
      compile: false,
      onSpawn: (child) => lock.track("synth", child, { group: true }),
    });
    if (!synth.ok) {
      lock.release();
      throw new Error(`synth failed:\n${synth.output}`);
    }
  }
  const outdir = join(projectRoot, "cdktf.out");
  const run = await startLocalRun({
    stacks: stacks.map((stack) => ({ name: stack, json: readStack(outdir, stack) })),
    stateDir,
    apiPort: 0,
    s3Port: 0,
    dynamodbPort: 0,
    lambdaPort: 0,
    // Free ports only: a running `npm start` (another state directory) may hold the default ones.
    cognitoPort: 0,
    lock,
    log: () => undefined,
  });
  try {
    const known = run.urls.lambda.functions.map((f) => f.name);
    if (!known.includes(name))
      throw new UsageError(`No function ${name}; the functions: ${known.join(", ")}`);
    const outcome = await run.invoke(name, event);
    return outcome.ok
      ? { payload: JSON.stringify(outcome.result ?? null), logs: outcome.logs, truncated: false }
      : { payload: errorPayload(outcome), functionError: "Unhandled", logs: outcome.logs, truncated: false };
  } finally {
    await run.stop();
  }
}

function readEvent(source: string | undefined): unknown {
  if (source === undefined) return {};
  const text = readFileSync(source === "-" ? 0 : source, "utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    const from = source === "-" ? "stdin" : source;
    throw new UsageError(`The event in ${from} is not JSON: ${(error as Error).message}`);
  }
}

/** `npm run invoke -- <function> [--event <file>|-]`: 0 when the function succeeded, 1 when it failed. */
export async function invokeCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    argv,
    {
      event: { type: "string", short: "e" },
      "state-dir": { type: "string" },
      stack: { type: "string", multiple: true },
    },
    INVOKE_USAGE,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const name = functionNameOf(positionals, INVOKE_USAGE);
  const event = readEvent(values.event);
  const stateDir = stateDirOf(values["state-dir"]);
  const running = runningEndpoints(stateDir);
  const result = running
    ? await invokeThroughEndpoint(running, name, event)
    : await invokeInOwnRun(stateDir, values.stack?.length ? values.stack : DEFAULT_STACKS, name, event);
  if (result.truncated)
    console.error(`(the last 4 KB of the log; all of it: ${functionLogPath(stateDir, name)})`);
  for (const line of result.logs) console.error(line);
  console.log(prettyJson(result.payload));
  return result.functionError ? 1 : 0;
}

function prettyJson(payload: string): string {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}

if (require.main === module) runCommand("invoke", invokeCommand);
