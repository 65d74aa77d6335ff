import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readLock, type LockRecord } from "../../local/run-lock";
import { projectRoot } from "../../tooling/project-root";

/**
 * The project copied to a temporary folder (its node_modules linked), so a test can run the real
 * `npm start` and the other npm scripts exactly as a developer does (compile, synth, run) and edit its
 * sources, without touching the working tree other tests read.
 */
export function copyProject(): string {
  const root = mkdtempSync(join(tmpdir(), "movies-project-"));
  const skipped = new Set([
    "node_modules",
    "dist",
    "cdktf.out",
    "cdktf.out.hcl",
    ".git",
    ".local",
    "coverage",
    "__tests__",
  ]);
  for (const entry of readdirSync(projectRoot)) {
    if (!skipped.has(entry)) cpSync(join(projectRoot, entry), join(root, entry), { recursive: true });
  }
  mkdirSync(join(root, "__tests__"));
  cpSync(join(projectRoot, "__tests__", "fixtures"), join(root, "__tests__", "fixtures"), {
    recursive: true,
  });
  symlinkSync(join(projectRoot, "node_modules"), join(root, "node_modules"), "dir");
  return root;
}

/** One line a command printed, and when it arrived. */
export interface OutputLine {
  readonly text: string;
  readonly at: number;
}

/** A command's exit and everything it printed. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm <args>` in `root`, to its end; `input` is its stdin. */
export function runNpm(root: string, args: readonly string[], input?: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", [...args], { cwd: root, env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

/** `npm run -s <script> -- <args>` in `root` (-s: npm's own lines stay out of stdout). */
export function npmRun(
  root: string,
  script: string,
  args: readonly string[],
  input?: string,
): Promise<CommandResult> {
  return runNpm(root, ["run", "-s", script, "--", ...args], input);
}

/**
 * A real `npm start -- <args>` in a project copy, watched like a terminal: every line with its arrival
 * time, the runner's lock (its pid, ports and children), and its exit.
 */
export class NpmStart {
  readonly lines: OutputLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  private constructor(
    root: string,
    readonly stateDir: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn("npm", ["start", "--", "--state-dir", stateDir, ...args], {
      cwd: root,
      env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env },
      // Its own process group, so that a failed test can end everything it started at once.
      detached: true,
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let buffered = "";
      stream?.on("data", (chunk: Buffer) => {
        buffered += chunk.toString();
        const parts = buffered.split("\n");
        buffered = parts.pop() ?? "";
        for (const text of parts) this.lines.push({ text, at: Date.now() });
        if (process.env.LOCAL_RUN_DEBUG) process.stderr.write(parts.map((p) => `  | ${p}\n`).join(""));
      });
    }
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => resolve({ code, signal })),
    );
  }

  /** Starts it and waits until it serves ("ready in"), or rejects with its output when it exits first. */
  static async start(
    root: string,
    stateDir: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv = {},
  ): Promise<NpmStart> {
    const run = new NpmStart(root, stateDir, args, env);
    await run.waitForLine(/; ready in \d+\.\d s$/, 240_000);
    return run;
  }

  /** Starts it and resolves once it has exited (a start that is expected to refuse). */
  static async refused(root: string, stateDir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
    const run = new NpmStart(root, stateDir, args, env);
    const { code } = await run.exited;
    return { code, output: run.output() };
  }

  output(): string {
    return this.lines.map((l) => l.text).join("\n");
  }

  /** The first line from index `from` on that matches, once it has arrived. */
  async waitForLine(pattern: RegExp, timeoutMs = 60_000, from = 0): Promise<OutputLine> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      const line = this.lines.slice(from).find((l) => pattern.test(l.text));
      if (line) return line;
      if (exited || Date.now() > deadline) {
        throw new Error(
          `npm start printed no line matching ${pattern}${exited ? " before it exited" : ""}:\n${this.output()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  lock(): LockRecord {
    const lock = readLock(this.stateDir);
    if (!lock) throw new Error(`no run.lock in ${this.stateDir}`);
    return lock;
  }

  /** Ctrl-C, as a developer stops it; the whole process group if it does not end within 20 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const runner = readLock(this.stateDir)?.pid;
    if (runner) process.kill(runner, "SIGINT");
    const timer = setTimeout(() => this.killGroup(), 20_000);
    await this.exited;
    clearTimeout(timer);
  }

  killGroup(): void {
    try {
      process.kill(-(this.child.pid as number), "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/** Removes a project copy. */
export function removeCopy(root: string): void {
  rmSync(root, { recursive: true, force: true });
}
