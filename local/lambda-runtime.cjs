// The child side of LocalLambda (local/lambda-host.ts): one warm "container" per function.
// Loads the bundle once with the function's environment (set by the parent), then runs one
// invocation at a time on request over the IPC channel, like Lambda's Node.js runtime does.
"use strict";

const [bundle, handlerName, functionName, memorySize, timeoutSeconds] = process.argv.slice(2);

function serializeError(error) {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: "Error", message: String(error) };
}

let handler;
try {
  handler = require(bundle)[handlerName];
  if (typeof handler !== "function") throw new Error(`${bundle} does not export a function "${handlerName}"`);
} catch (error) {
  process.send({ type: "init", ok: false, error: serializeError(error) });
  process.exit(1);
}
process.send({ type: "init", ok: true });

process.on("message", async (message) => {
  if (message.type !== "invoke") return;
  const deadline = Date.now() + Number(timeoutSeconds) * 1000;
  const context = {
    awsRequestId: message.requestId,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: String(memorySize),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
  // What Lambda's REPORT line gives: duration, and the container's peak memory so far (maxRSS is in KiB).
  const started = process.hrtime.bigint();
  const stats = () => ({
    durationMs: Number(process.hrtime.bigint() - started) / 1e6,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  });
  try {
    const result = await handler(message.event, context);
    const reply = { type: "result", id: message.id, ok: true, result: result === undefined ? null : result };
    process.send({ ...reply, stats: stats() });
  } catch (error) {
    process.send({ type: "result", id: message.id, ok: false, error: serializeError(error), stats: stats() });
  }
});
