import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SynthOptions {
  /** The project root (where package.json is). */
  readonly root: string;
  /** Where the synthesized stacks go (becomes `CDKTF_OUTDIR`). */
  readonly outDir: string;
  /** Progress messages. @default none */
  readonly log?: (message: string) => void;
}

function run(command: string, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): string {
  return execFileSync(command, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * Runs the project's own `npm run synth` in `root`, into `outDir`. Developer stages are left out
 * (`MOVIES_STAGE` unset), so both sides of a comparison hold the same shared environments.
 */
export function synthesize(options: SynthOptions): void {
  run("npm", ["run", "--silent", "synth"], options.root, {
    ...process.env,
    CDKTF_OUTDIR: options.outDir,
    CHECKPOINT_DISABLE: "1",
    MOVIES_STAGE: "",
  });
}

/**
 * Synthesizes the app as it is at `ref`, in a temporary `git worktree` (detached, removed afterwards).
 * Its dependencies are this checkout's `node_modules`, symlinked, when both package-lock.json files are
 * identical; otherwise the worktree gets its own `npm ci`. Returns the commit that was synthesized.
 */
export function synthesizeAtRef(ref: string, options: SynthOptions): string {
  const log = options.log ?? (() => undefined);
  const sha = run("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], options.root).trim();
  const worktree = join(mkdtempSync(join(tmpdir(), "plan-diff-")), "src");
  log(`plan-diff: checking out ${ref} (${sha.slice(0, 12)}) into ${worktree}`);
  run("git", ["worktree", "add", "--detach", "--quiet", worktree, sha], options.root);
  try {
    const lock = (dir: string) => readFileSync(join(dir, "package-lock.json"), "utf8");
    const modules = join(options.root, "node_modules");
    if (existsSync(modules) && lock(worktree) === lock(options.root)) {
      symlinkSync(modules, join(worktree, "node_modules"), "dir");
    } else {
      log(`plan-diff: package-lock.json differs at ${ref}: npm ci in the worktree`);
      run("npm", ["ci", "--no-audit", "--no-fund"], worktree);
    }
    log(`plan-diff: synthesizing ${ref}`);
    synthesize({ ...options, root: worktree });
  } finally {
    run("git", ["worktree", "remove", "--force", worktree], options.root);
    rmSync(join(worktree, ".."), { recursive: true, force: true });
  }
  return sha;
}
