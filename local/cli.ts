import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { projectRoot } from "../tooling/project-root";
import { NoLocalRunError, readEndpoints, type LocalEndpoints } from "./endpoints";
import { processAlive, readLock } from "./run-lock";

/**
 * What the local commands (`npm run invoke`, `event`, `logs`, `seed`, `smoke`) share: where the state
 * directory is, whether a local run serves from it, and how a command ends.
 */

/** `--state-dir`, else $LOCAL_STATE_DIR, else the project's `.local`. */
export function stateDirOf(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.LOCAL_STATE_DIR ?? join(projectRoot, ".local"));
}

/** The endpoints of the local run serving from `stateDir`, or undefined when none is running there. */
export function runningEndpoints(stateDir: string): LocalEndpoints | undefined {
  const lock = readLock(stateDir);
  if (!lock || !processAlive(lock.pid) || !existsSync(join(stateDir, "endpoints.json"))) return undefined;
  return readEndpoints(stateDir);
}

/** The endpoints of the local run serving from `stateDir`; says what to do when none is running there. */
export function requireRunningEndpoints(stateDir: string): LocalEndpoints {
  const running = runningEndpoints(stateDir);
  if (running) return running;
  const endpoints = readEndpoints(stateDir);
  throw new NoLocalRunError(
    `The local run that wrote ${join(stateDir, "endpoints.json")} is not running any more ` +
      `(its API was ${endpoints.apis[0]?.url ?? "none"}). Start one (\`npm start\`), or point at the state ` +
      "directory of a running one with --state-dir <dir>",
  );
}

/** A mistake on the command line: exit code 2, and the message (no stack trace). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * Runs a command's main: its exit code, or 2 for a UsageError and 1 for any other error, printed as
 * `npm run <name>: <message>`. The SDK's notice about future Node versions is not about local runs.
 */
export function runCommand(name: string, main: (argv: string[]) => Promise<number>): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`npm run ${name}: ${(error as Error).message}`);
      process.exitCode = error instanceof UsageError ? 2 : 1;
    },
  );
}

type CommandOptions = NonNullable<ParseArgsConfig["options"]>;

/**
 * A command's flags and positionals, `-h/--help` included: undefined when help was asked for (the usage is
 * then printed), a UsageError with the usage for anything parseArgs refuses.
 */
export function parseCommand<T extends CommandOptions>(argv: string[], options: T, usage: string) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${usage}`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    return undefined;
  }
  return parsed;
}

/** The function a command is about: its one positional. */
export function functionNameOf(positionals: readonly string[], usage: string): string {
  const [name] = positionals;
  if (!name || positionals.length > 1) throw new UsageError(`Name one function.\n\n${usage}`);
  return name;
}
