import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../tooling/project-root";

/** The ports a local run serves on (0: a free port, not chosen yet). */
export interface RunPorts {
  readonly apis: readonly number[];
  readonly s3: number;
  readonly dynamodb: number;
  readonly lambda: number;
}

/** A process the run started, as the reaper recognises it: its pid and its exact command line. */
interface ChildRecord {
  readonly pid: number;
  readonly name: string;
  readonly args: readonly string[];
  /** It leads a process group of its own (`npm run synth` and what it runs): the group is ended. */
  readonly group?: boolean;
}

/** What `<stateDir>/run.lock` holds while a local run owns the state directory. */
export interface LockRecord {
  readonly pid: number;
  readonly startedAt: string;
  readonly ports: RunPorts;
  readonly children: readonly ChildRecord[];
}

/** Another local run, still alive, owns the state directory. */
export class StateDirInUseError extends Error {
  override readonly name = "StateDirInUseError";
}

const REAPER = join(projectRoot, "local", "reaper.cjs");

/** `APIs on 3000, 3001; S3 on 4569; DynamoDB Local on 8000; Lambda on 9001` (127.0.0.1). */
export function describePorts(ports: RunPorts): string {
  const port = (n: number) => (n === 0 ? "a free port" : String(n));
  const apis = ports.apis.length > 0 ? ports.apis.map(port).join(", ") : "none";
  return (
    `APIs on ${apis}; S3 on ${port(ports.s3)}; DynamoDB Local on ${port(ports.dynamodb)}; ` +
    `Lambda on ${port(ports.lambda)} (127.0.0.1)`
  );
}

/** The lock record in `<stateDir>/run.lock`, or undefined when there is none (or it is unreadable). */
export function readLock(stateDir: string): LockRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(stateDir, "run.lock"), "utf8")) as LockRecord;
  } catch {
    return undefined;
  }
}

/**
 * Is a process with this id running? (EPERM: it is, under another user.) A zombie, which has exited but
 * not yet been reaped by its parent, is not (where /proc tells).
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return process.platform !== "linux";
  }
}

/**
 * One local run's exclusive hold on its state directory (`<stateDir>/run.lock`, created with O_EXCL), taken
 * before anything in the directory is deleted or rebuilt. It records the run's ports, so a second run
 * refuses with them, and every child process, so that none outlives the run: a detached reaper ends them
 * once the run is gone, even after `kill -9`, and a lock left by a run whose reaper died too is reclaimed
 * (its recorded children ended) by the next start.
 */
export class RunLock {
  private record: LockRecord;
  private reaper?: ChildProcess;
  private released = false;

  private constructor(
    readonly stateDir: string,
    ports: RunPorts,
  ) {
    this.record = { pid: process.pid, startedAt: new Date().toISOString(), ports, children: [] };
  }

  get path(): string {
    return join(this.stateDir, "run.lock");
  }

  get ports(): RunPorts {
    return this.record.ports;
  }

  /**
   * Takes the state directory, or throws StateDirInUseError naming the other run's pid and ports. A stale
   * lock (its run is gone) is taken over after its leftover processes are ended; `log` says which.
   */
  static acquire(stateDir: string, ports: RunPorts, log: (line: string) => void = () => undefined): RunLock {
    const lock = new RunLock(stateDir, ports);
    mkdirSync(stateDir, { recursive: true });
    for (let attempt = 0; ; attempt++) {
      try {
        closeSync(openSync(lock.path, "wx"));
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
        lock.takeOverStale(log);
      }
    }
    lock.write();
    lock.reaper = spawn(process.execPath, [REAPER, "watch", String(process.pid), lock.path], {
      detached: true,
      stdio: "ignore",
    });
    lock.reaper.unref();
    return lock;
  }

  /** Records the ports once they are known (a free port chosen for 0). */
  setPorts(ports: RunPorts): void {
    this.record = { ...this.record, ports };
    this.write();
  }

  /**
   * Records a child process until it exits, so the reaper can end it should the run die. `group`: the child
   * was spawned `detached`, and its whole process group is to be ended.
   */
  track(name: string, child: ChildProcess, options: { group?: boolean } = {}): void {
    const pid = child.pid;
    if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const record: ChildRecord = {
      pid,
      name,
      args: child.spawnargs,
      ...(options.group ? { group: true } : {}),
    };
    this.record = { ...this.record, children: [...this.record.children, record] };
    this.write();
    child.once("exit", () => {
      this.record = { ...this.record, children: this.record.children.filter((c) => c.pid !== pid) };
      this.write();
    });
  }

  /**
   * Gives the directory up: a child still recorded (a synth the run no longer waits for) is ended, the
   * reaper is told to stand down, the lock file is removed.
   */
  release(): void {
    for (const child of this.record.children) {
      try {
        process.kill(child.group ? -child.pid : child.pid, "SIGTERM");
      } catch {
        // Gone already.
      }
    }
    this.released = true;
    this.reaper?.kill("SIGTERM");
    this.reaper = undefined;
    if (readLock(this.stateDir)?.pid === process.pid) rmSync(this.path, { force: true });
  }

  private takeOverStale(log: (line: string) => void): void {
    const other = readLock(this.stateDir);
    if (other && processAlive(other.pid)) {
      throw new StateDirInUseError(
        `${this.stateDir} is in use by another local run (pid ${other.pid}, since ${other.startedAt}): ` +
          `${describePorts(other.ports)}. Stop it (Ctrl-C in its terminal, or \`kill ${other.pid}\`), ` +
          "or give this run its own --state-dir.",
      );
    }
    const reclaimed = spawnSync(process.execPath, [REAPER, "reclaim", this.path], { encoding: "utf8" });
    for (const line of reclaimed.stdout.split("\n").filter(Boolean)) {
      log(`Ended ${line}, left running by a local run that was killed (pid ${other?.pid ?? "unknown"})`);
    }
    rmSync(this.path, { force: true });
  }

  private write(): void {
    if (this.released) return;
    // Written whole and renamed into place, so the reaper never reads half a record.
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.record, null, 2)}\n`);
    renameSync(temporary, this.path);
  }
}
