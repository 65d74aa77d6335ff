import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** What synth reads: a change to any of these makes `cdktf.out/` stale. */
export const SYNTH_SOURCES = ["main.ts", "cdktf.json", "package.json", "package-lock.json"] as const;
export const SYNTH_SOURCE_DIRS = ["stacks", "constructs", "operations", "tooling", "lambdas"] as const;

function newestIn(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestIn(join(path, entry)));
  return newest;
}

/**
 * Why `cdktf.out/` and `dist/lambdas/` must be synthesized again, or undefined when they are newer than
 * every source. cdktf rewrites its manifest on every synth, after the stacks, so its time is the synth's.
 */
export function synthStaleReason(root: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.FORCE_SYNTH) return "FORCE_SYNTH is set";
  const stamp = join(root, "cdktf.out", "manifest.json");
  const missing = [stamp, join(root, "dist", "lambdas")].find((output) => !existsSync(output));
  if (missing) return `${missing} is missing`;
  const synthesized = statSync(stamp).mtimeMs;
  const changed = [...SYNTH_SOURCES, ...SYNTH_SOURCE_DIRS].find(
    (source) => newestIn(join(root, source)) > synthesized,
  );
  return changed ? `${changed} changed since the last synth` : undefined;
}

/** How a synth ended: its combined output, for the message when it failed. */
export interface SynthResult {
  readonly ok: boolean;
  readonly output: string;
}

/**
 * Synthesizes every stack into `<root>/cdktf.out` (bundling the Lambdas on the way), as `npm run synth`:
 * `compile` first rebuilds `dist/infra` (the stacks' code changed); without it, the compiled app runs
 * as it is (`npm start` has just compiled it). `inherit` shows synth's output as it comes; `onSpawn` gets
 * the process, which leads a process group of its own (the run's lock records it, to end it with the run).
 */
export function synthesize(
  root: string,
  options: { compile: boolean; inherit?: boolean; onSpawn?: (child: ChildProcess) => void },
): Promise<SynthResult> {
  const [command, args] = options.compile
    ? [process.platform === "win32" ? "npm.cmd" : "npm", ["run", "--silent", "synth"]]
    : [process.execPath, [join(root, "dist", "infra", "main.js")]];
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      // As `npm run synth`: the stacks' errors (no state bucket yet) are reported, not fatal, since the local
      // run needs no account.
      env: { ...process.env, CHECKPOINT_DISABLE: "1", CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "1" },
      stdio: options.inherit ? "inherit" : ["ignore", "pipe", "pipe"],
      // A process group of its own, so the run can end all of it (npm, its shell, node, esbuild).
      detached: true,
    });
    options.onSpawn?.(child);
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", (error) => resolve({ ok: false, output: error.message }));
    child.once("exit", (code) => resolve({ ok: code === 0, output }));
  });
}
