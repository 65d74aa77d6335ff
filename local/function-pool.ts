import type { ChildProcess } from "node:child_process";
import type { Invoke } from "./api-server";
import type { FunctionLogFiles } from "./function-logs";
import type { DeclaredFunction } from "./functions";
import { LocalLambda } from "./lambda-host";
import type { WatchedBundle } from "./watch";

export interface FunctionPoolOptions {
  /**
   * The variables a function's process gets on top of the ones it declares: region, credentials and the
   * local endpoints. Called for each function, so each may get its own (credentials that name it).
   */
  readonly environment: (fn: DeclaredFunction) => Readonly<Record<string, string>>;
  /** Every line a function writes, prefixed `[<function>]`. */
  readonly log: (line: string) => void;
  /** Where each function's log file is written (function lines and START/END/REPORT). @default none */
  readonly logFiles?: FunctionLogFiles;
  /** Told about every function process started (the local run records them, to reap them). */
  readonly onSpawn?: (fn: DeclaredFunction, child: ChildProcess) => void;
}

/** What `update` did, by function name. */
export interface PoolChanges {
  readonly added: string[];
  readonly changed: string[];
  readonly removed: string[];
}

interface Entry {
  readonly fn: DeclaredFunction;
  readonly lambda: LocalLambda;
  /** Everything that shapes the process: a change of any of it means a new process. */
  readonly key: string;
}

/**
 * The declared functions of a local run, each a warm LocalLambda started on its first invocation with the
 * memory size and timeout it declares. `invoke` answers like Lambda: an unknown name is
 * ResourceNotFoundException. `update` follows a re-synthesized stack, `restartBundle` a rebuilt bundle.
 */
export class FunctionPool {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: FunctionPoolOptions) {}

  /** The declared function of that name, if the run has it. */
  get(functionName: string): DeclaredFunction | undefined {
    return this.entries.get(functionName)?.fn;
  }

  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** Serves exactly `functions` from now on: new ones are added, changed ones get a new process. */
  async update(functions: readonly DeclaredFunction[]): Promise<PoolChanges> {
    const changes: PoolChanges = { added: [], changed: [], removed: [] };
    const wanted = new Map(functions.map((fn) => [fn.functionName, fn]));
    for (const [name, entry] of this.entries) {
      if (wanted.has(name)) continue;
      this.entries.delete(name);
      changes.removed.push(name);
      await entry.lambda.stop();
    }
    for (const fn of functions) {
      const environment = this.options.environment(fn);
      const key = JSON.stringify([fn, environment]);
      const entry = this.entries.get(fn.functionName);
      if (entry?.key === key) continue;
      (entry ? changes.changed : changes.added).push(fn.functionName);
      this.entries.set(fn.functionName, { fn, lambda: this.create(fn, environment), key });
      await entry?.lambda.restart();
    }
    return changes;
  }

  /** Restarts (after their running invocation) the functions that run `bundle`; returns their names. */
  async restartBundle(bundle: string): Promise<string[]> {
    const entries = [...this.entries.values()].filter((e) => e.fn.bundle === bundle);
    await Promise.all(entries.map((e) => e.lambda.restart()));
    return entries.map((e) => e.fn.functionName).sort();
  }

  /** The bundles the run's functions use, with how synth builds each (see local/watch.ts). */
  bundles(): WatchedBundle[] {
    const byBundle = new Map<string, WatchedBundle>();
    for (const { fn } of this.entries.values()) {
      const sourceMap = (fn.environment.NODE_OPTIONS ?? "").split(/\s+/).includes("--enable-source-maps");
      byBundle.set(fn.bundle, { bundle: fn.bundle, runtime: fn.runtime, sourceMap });
    }
    return [...byBundle.values()].sort((a, b) => a.bundle.localeCompare(b.bundle));
  }

  readonly invoke: Invoke = (functionName, event) => {
    const entry = this.entries.get(functionName);
    if (!entry) {
      return Promise.resolve({
        ok: false,
        requestId: "none",
        logs: [],
        error: { name: "ResourceNotFoundException", message: `Function not found: ${functionName}` },
      });
    }
    return entry.lambda.invoke(event);
  };

  async stop(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((e) => e.lambda.stop()));
  }

  private create(fn: DeclaredFunction, environment: Readonly<Record<string, string>>): LocalLambda {
    const { log, logFiles, onSpawn } = this.options;
    return new LocalLambda(fn, {
      environment,
      timeoutSeconds: fn.timeoutSeconds,
      memorySize: fn.memorySize,
      onLog: (line) => {
        logFiles?.write(fn.functionName, line);
        if (line.trim()) log(`[${fn.functionName}] ${line}`);
      },
      onPlatformLog: (line) => logFiles?.write(fn.functionName, line),
      onSpawn: (child) => onSpawn?.(fn, child),
    });
  }
}
