/**
 * The child side of `bareLoopInFreshProcess` (bare-loop.ts): one bare loop in a process of its own, like the
 * handler's. Argument: the loop's parameters as JSON; the SDK reads the endpoints from the environment. A
 * warm-up batch (rows 1..25, written again by the loop) opens the connections and warms the JIT, as the
 * handler's one-row warm-up invocation does; then the timed loop, whose result goes back over IPC.
 */
import { createDynamoDbClient } from "../lambdas/shared/dynamodb";
import { bareLoop, type BareLoopParams, type BareLoopProcessRun } from "./bare-loop";

async function main(): Promise<void> {
  const params = JSON.parse(process.argv[2] ?? "") as BareLoopParams;
  // The functions' client (its timeouts, no SDK logging): the loop differs from the handler only in what it skips.
  const ddb = createDynamoDbClient();
  await bareLoop(ddb, { ...params, rows: Math.min(25, params.rows), concurrency: 1 });
  const cpu = process.cpuUsage();
  const run = await bareLoop(ddb, params);
  const used = process.cpuUsage(cpu);
  ddb.destroy();
  const result: BareLoopProcessRun = { ...run, cpuSeconds: (used.user + used.system) / 1e6 };
  process.send?.(result, () => process.disconnect());
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
