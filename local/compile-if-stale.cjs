// The first step of `npm start` and the other local commands: compiles the infra code into dist/infra
// (`npm run build:infra`) unless it is newer than every TypeScript source. Plain CommonJS, so it runs
// before anything is compiled. Synthesizing is not its job: `npm start` does that once it holds its
// state directory and its ports (local/start.ts). It writes to stderr only, so a command's stdout stays
// its own (`npm run -s event -- s3-put > event.json`).
"use strict";

const { existsSync, readdirSync, statSync } = require("node:fs");
const { join, resolve } = require("node:path");
const { spawnSync } = require("node:child_process");

const root = resolve(__dirname, "..");
const SOURCES = ["main.ts", "package.json", "package-lock.json"];
const SOURCE_DIRS = [
  "stacks",
  "constructs",
  "operations",
  "tooling",
  "lambdas",
  "containers",
  "local",
  "review",
  "bench",
];
const STAMP = join(root, "dist", "infra", "local", "start.js");

function newestTs(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return path.endsWith(".ts") || path.endsWith(".json") ? stat.mtimeMs : 0;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestTs(join(path, entry)));
  return newest;
}

function staleReason() {
  if (!existsSync(STAMP)) return "dist/infra is missing";
  const compiled = statSync(STAMP).mtimeMs;
  const changed = [...SOURCES, ...SOURCE_DIRS].find((source) => newestTs(join(root, source)) > compiled);
  return changed ? `${changed} changed` : undefined;
}

const reason = staleReason();
if (reason !== undefined) {
  console.error(`Compiling the infra code (${reason})`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["run", "--silent", "build:infra"], { cwd: root, stdio: ["ignore", 2, 2] });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
