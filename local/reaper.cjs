// The local run's reaper (local/run-lock.ts starts it). Plain CommonJS, so it runs without a build.
//
//   node local/reaper.cjs watch <runner pid> <lock file>
//     Polls the runner; once it is gone (even by `kill -9`), ends every child process the lock file
//     records, then exits. It also exits, doing nothing, when the runner releases or hands over the lock.
//   node local/reaper.cjs reclaim <lock file>
//     What the next start runs on a stale lock: ends the recorded children that are still alive.
//
// A child is ended only while its command line is still the recorded one, so a process id the system
// has since given to another program is never touched. Each ended child is printed on one line.
"use strict";

const { readFileSync } = require("node:fs");
const { execFileSync } = require("node:child_process");

const POLL_MS = 200;
const GRACE_MS = 3_000;

function readLock(lockFile) {
  try {
    return JSON.parse(readFileSync(lockFile, "utf8"));
  } catch {
    return undefined;
  }
}

/** Running: it exists and, where /proc tells, is not a zombie (exited, not yet reaped by its parent). */
function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === "EPERM";
  }
  if (process.platform !== "linux") return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return false;
  }
}

/** The command line of `pid` as its argument list, or undefined when there is no such process. */
function commandLine(pid) {
  if (process.platform === "linux") {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (args[args.length - 1] === "") args.pop();
      return args;
    } catch {
      return undefined;
    }
  }
  try {
    return [execFileSync("ps", ["-o", "args=", "-p", String(pid)], { encoding: "utf8" }).trim()];
  } catch {
    return undefined;
  }
}

function isRecorded(child) {
  const actual = commandLine(child.pid);
  if (!actual) return false;
  const expected = process.platform === "linux" ? child.args : [child.args.join(" ")];
  return actual.length === expected.length && actual.every((arg, i) => arg === expected[i]);
}

function signal(child, name) {
  try {
    process.kill(child.group ? -child.pid : child.pid, name);
  } catch {
    // Already gone.
  }
}

/** SIGTERM to every recorded child still running, SIGKILL to those still there after the grace period. */
async function reap(children) {
  const running = children.filter(isRecorded);
  for (const child of running) signal(child, "SIGTERM");
  const deadline = Date.now() + GRACE_MS;
  while (running.some((c) => alive(c.pid)) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  for (const child of running) {
    // A group whose leader is gone may still have members: they get the SIGKILL too.
    if (child.group || (alive(child.pid) && isRecorded(child))) signal(child, "SIGKILL");
    console.log(`${child.name} (pid ${child.pid})`);
  }
}

async function watch(runnerPid, lockFile) {
  for (;;) {
    const lock = readLock(lockFile);
    if (!lock || lock.pid !== runnerPid) return;
    if (!alive(runnerPid)) {
      await reap(lock.children ?? []);
      return;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function main() {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === "watch") await watch(Number(args[0]), args[1]);
  else if (mode === "reclaim") await reap(readLock(args[0])?.children ?? []);
  else throw new Error(`usage: reaper.cjs watch <pid> <lock file> | reclaim <lock file>`);
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
