import { createReadStream, existsSync, statSync, unwatchFile, watchFile } from "node:fs";
import { functionNameOf, parseCommand, runCommand, runningEndpoints, stateDirOf, UsageError } from "./cli";
import { functionLogPath } from "./function-logs";

export const LOGS_USAGE = `Usage: npm run logs -- <function> [--follow] [--state-dir <dir>]

Prints the log of one function of the local run (<state-dir>/logs/<function>.log): every line it wrote and
Lambda's START/END/REPORT lines, each with its time, across runs (\`npm start -- --fresh\` clears them).
--follow (-f) keeps printing new lines as they come, like \`sam logs --tail\`, until Ctrl-C.

Options:
  --state-dir <dir>   The local run's state directory (default: .local, or $LOCAL_STATE_DIR)`;

/** How often --follow looks for new lines. */
const FOLLOW_POLL_MS = 200;

/** Writes the bytes of `file` from `start` to its current end; returns the new end. */
function printFrom(file: string, start: number, write: (chunk: Buffer) => void): Promise<number> {
  const end = existsSync(file) ? statSync(file).size : 0;
  if (end <= start) return Promise.resolve(end < start ? 0 : start);
  return new Promise((resolve, reject) => {
    createReadStream(file, { start, end: end - 1 })
      .on("data", (chunk) => write(chunk as Buffer))
      .on("end", () => resolve(end))
      .on("error", reject);
  });
}

/** `npm run logs -- <function> [--follow]`. Resolves (with --follow) once `signal` aborts. */
export async function logsCommand(
  argv: string[],
  options: { write?: (chunk: Buffer) => void; signal?: AbortSignal } = {},
): Promise<number> {
  const parsed = parseCommand(
    argv,
    { follow: { type: "boolean", short: "f" }, "state-dir": { type: "string" } },
    LOGS_USAGE,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const name = functionNameOf(positionals, LOGS_USAGE);
  const stateDir = stateDirOf(values["state-dir"]);
  const running = runningEndpoints(stateDir)?.lambda.functions.map((f) => f.name);
  if (running && !running.includes(name)) {
    throw new UsageError(
      `No function ${name} in the running local run; its functions: ${running.join(", ")}`,
    );
  }
  const file = functionLogPath(stateDir, name);
  const write = options.write ?? ((chunk: Buffer) => process.stdout.write(chunk));
  if (!existsSync(file) && !values.follow) {
    throw new UsageError(
      `No log for ${name} yet (${file}): it has not run since the state directory was created`,
    );
  }
  let offset = await printFrom(file, 0, write);
  if (!values.follow) return 0;
  const signal = options.signal ?? abortOnSigint();
  let reading = Promise.resolve();
  watchFile(file, { interval: FOLLOW_POLL_MS }, () => {
    reading = reading.then(async () => {
      offset = await printFrom(file, offset, write);
    });
  });
  await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  unwatchFile(file);
  await reading;
  return 0;
}

function abortOnSigint(): AbortSignal {
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  process.once("SIGTERM", () => controller.abort());
  return controller.signal;
}

if (require.main === module) runCommand("logs", (argv) => logsCommand(argv));
