import { parseArgs } from "node:util";
import { requireRunningEndpoints, stateDirOf } from "./cli";
import { runMoviesScenario, runOrdersScenario, signUpAndSignIn } from "./scenario";

const USAGE = `Usage: npm run smoke -- [--state-dir <dir>]

Replays the workshop's Test section (and the Orders flow, when orders-dev is running) against a running
\`npm start\`, whose endpoints it reads from <state-dir>/endpoints.json (default: .local, or $LOCAL_STATE_DIR).
When the run has a user pool (auth-<env>), it first signs a new user up, confirms and signs them in, and
calls the routes that need a token without one (401) and with it.`;

/** `npm run smoke`: exits 0 when every step passed, 1 with the failing step otherwise. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { "state-dir": { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  // The SDK's notice about future Node versions is not about this run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const stateDir = stateDirOf(values["state-dir"]);
  const started = Date.now();
  const log = (line: string) => console.log(`  ✓ ${line}`);
  try {
    const endpoints = requireRunningEndpoints(stateDir);
    console.log("auth:");
    const tokens = await signUpAndSignIn(endpoints, { log });
    if (!tokens) console.log("  - skipped: no running stack has a user pool (npm start -- --stack auth-dev)");
    const options = { log, ...(tokens ? { tokens } : {}) };
    console.log("movies: the workshop's Test section");
    await runMoviesScenario(endpoints, options);
    console.log("orders:");
    if (!(await runOrdersScenario(endpoints, options))) {
      console.log(
        "  - skipped: no running stack has POST /orders and GET /orders/{orderId} (npm start -- --stack orders-dev)",
      );
    }
    console.log(`smoke passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    console.error(`  ✗ ${(error as Error).message}\nsmoke FAILED`);
    process.exit(1);
  }
}

void main();
