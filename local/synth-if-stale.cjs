// `npm start`'s first step: runs `npm run synth` (compile, bundle the Lambdas, write cdktf.out/) unless
// its outputs are newer than every source. Plain CommonJS, so it runs before anything is compiled.
// Skipping saves the ~2 s a no-op synth costs.
"use strict";

const { existsSync, readdirSync, statSync } = require("node:fs");
const { join, resolve } = require("node:path");
const { spawnSync } = require("node:child_process");

const root = resolve(__dirname, "..");
const SOURCES = ["main.ts", "cdktf.json", "package.json", "package-lock.json"];
const SOURCE_DIRS = ["stacks", "constructs", "operations", "tooling", "lambdas", "local"];
// cdktf rewrites the manifest on every synth, after the stacks, so its time is the synth's.
const STAMP = join(root, "cdktf.out", "manifest.json");
const OUTPUTS = [STAMP, join(root, "dist", "infra", "local", "start.js"), join(root, "dist", "lambdas")];

function newestIn(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestIn(join(path, entry)));
  return newest;
}

function staleReason() {
  const missing = OUTPUTS.find((output) => !existsSync(output));
  if (missing) return `${missing} is missing`;
  const synthesized = statSync(STAMP).mtimeMs;
  const changed = [...SOURCES, ...SOURCE_DIRS].find((source) => newestIn(join(root, source)) > synthesized);
  return changed ? `${changed} changed since the last synth` : undefined;
}

const reason = process.env.FORCE_SYNTH ? "FORCE_SYNTH is set" : staleReason();
if (reason === undefined) {
  console.log("cdktf.out/ and dist/ are up to date (skipping synth)");
} else {
  console.log(`Synthesizing: ${reason}`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["run", "--silent", "synth"], { cwd: root, stdio: "inherit" });
  process.exit(result.status ?? 1);
}
