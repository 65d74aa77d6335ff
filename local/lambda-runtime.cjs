// The child side of LocalLambda (local/lambda-host.ts): one warm "container" per function.
// Loads the bundle once with the function's environment (set by the parent), then runs one
// invocation at a time on request over the IPC channel, like Lambda's Node.js runtime does.
"use strict";

const [bundle, handlerName, functionName, memorySize, timeoutSeconds] = process.argv.slice(2);

// A container never outlives the local run: when the run goes away, even by `kill -9`, the IPC channel
// closes and the container exits. The parent-pid check covers a channel that stays open for any reason.
const parentPid = process.ppid;
process.on("disconnect", () => process.exit(0));
setInterval(() => {
  if (process.ppid !== parentPid) process.exit(0);
}, 1_000).unref();

// What the function writes goes to the run over the same channel as the results, so every line of an
// invocation arrives before its result and is attributed to it (Lambda's log stream, and `LogType: Tail`).
// Only what Node writes natively (a fatal V8 error) still reaches the stdout/stderr pipes.
for (const stream of [process.stdout, process.stderr]) {
  stream.write = (chunk, encoding, callback) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    if (process.connected) process.send({ type: "log", text });
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") process.nextTick(done);
    return true;
  };
}

function serializeError(error) {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: "Error", message: String(error) };
}

let handler;
try {
  handler = require(bundle)[handlerName];
  if (typeof handler !== "function") throw new Error(`${bundle} does not export a function "${handlerName}"`);
} catch (error) {
  // Exit once the message is on its way: exiting at once could drop it.
  process.send({ type: "init", ok: false, error: serializeError(error) }, () => process.exit(1));
  return;
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
