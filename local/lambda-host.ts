import { fork, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { projectRoot } from "../tooling/project-root";
import { stopChild } from "./emulators";
import type { DeclaredFunction } from "./functions";
import { lambdaHeapFlags, procStatusBytes } from "./process-memory";

/** What Lambda's REPORT line says about one invocation. */
export interface InvokeStats {
  /** Time spent in the handler, measured inside the function's process. */
  readonly durationMs: number;
  /** Peak resident set size of the function's process so far (Lambda's "Max Memory Used"), in bytes. */
  readonly maxRssBytes: number;
}

/** What every outcome carries: the request id, and the lines of the invocation as Lambda logs them. */
interface OutcomeBase {
  readonly requestId: string;
  /**
   * The invocation's log: `START`, every line the function wrote (its initialisation included, on a cold
   * start), `END` and `REPORT`, as in its CloudWatch stream and `LogType: Tail`.
   */
  readonly logs: readonly string[];
}

/**
 * How an invocation ended: the handler's result, or the error it threw (as Lambda reports it). `stats` is
 * set when the handler ran to an end, and missing after a timeout or a crash.
 */
export type InvokeOutcome =
  | (OutcomeBase & { readonly ok: true; readonly result: unknown; readonly stats?: InvokeStats })
  | (OutcomeBase & {
      readonly ok: false;
      readonly error: { name: string; message: string; stack?: string };
      readonly stats?: InvokeStats;
    });

export interface LocalLambdaOptions {
  /** Variables added to the function's own (the AWS_ENDPOINT_URL_* and credentials of the local run). */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default 10 seconds */
  readonly timeoutSeconds?: number;
  /** The process is killed, as Lambda's sandbox is, when its memory exceeds this. @default 256 (MB) */
  readonly memorySize?: number;
  /** Receives each line the function writes to stdout or stderr. @default the lines are dropped */
  readonly onLog?: (line: string) => void;
  /** Receives Lambda's own lines: START, END, REPORT, a timeout. @default the lines are dropped */
  readonly onPlatformLog?: (line: string) => void;
  /** Told about every process started for the function (the local run records them to reap them). */
  readonly onSpawn?: (child: ChildProcess) => void;
}

interface Invocation {
  readonly id: string;
  readonly requestId: string;
  readonly logs: string[];
  resolve?: (outcome: InvokeOutcome) => void;
  timer?: NodeJS.Timeout;
  memoryWatch?: NodeJS.Timeout;
  outOfMemory?: boolean;
}

/** How often a running invocation's resident memory is compared with the function's memory size. */
const MEMORY_POLL_MS = 50;

/**
 * A function running locally the way Lambda runs it: its bundle in a process of its own (a warm
 * container), initialised once with exactly the environment variables the stack declares plus the
 * local endpoints, its heap sized from its memory size and killed beyond it, invoked one event at a
 * time, restarted after a timeout, a crash or a reload.
 */
export class LocalLambda {
  private child?: ChildProcess;
  private ready?: Promise<void>;
  private current?: Invocation;
  private queue: Promise<unknown> = Promise.resolve();
  private initDurationMs?: number;
  private readonly textBuffer = { text: "" };

  constructor(
    readonly fn: DeclaredFunction,
    private readonly options: LocalLambdaOptions = {},
  ) {}

  /** Runs one event through the handler; invocations are serialized, as in one Lambda container. */
  invoke(event: unknown): Promise<InvokeOutcome> {
    const run = this.queue.then(() => this.invokeNow(event));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Invokes and returns the result, throwing the handler's error (for callers that want exceptions). */
  async invokeOrThrow<T = unknown>(event: unknown): Promise<T> {
    const outcome = await this.invoke(event);
    if (!outcome.ok) {
      const error = new Error(`${this.fn.functionName}: ${outcome.error.name}: ${outcome.error.message}`);
      error.name = outcome.error.name;
      throw error;
    }
    return outcome.result as T;
  }

  /** The process id of the warm container, once started; `undefined` before the first invocation. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Ends the warm container once the invocations queued so far are done; the next one starts fresh. */
  restart(): Promise<void> {
    const restarted = this.queue.then(() => this.stop());
    this.queue = restarted.catch(() => undefined);
    return restarted;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (child) await stopChild(child);
  }

  private get memorySize(): number {
    return this.options.memorySize ?? 256;
  }

  private get timeoutSeconds(): number {
    return this.options.timeoutSeconds ?? 10;
  }

  private async invokeNow(event: unknown): Promise<InvokeOutcome> {
    const invocation: Invocation = { id: randomUUID(), requestId: randomUUID(), logs: [] };
    // Lines written while a cold container initialises belong to this invocation, before its START.
    this.current = invocation;
    const initError = await this.start().then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    this.platformLine(`START RequestId: ${invocation.requestId} Version: $LATEST`);
    if (initError) {
      this.current = undefined;
      return this.finish(invocation, {
        ok: false,
        error: { name: "Runtime.InitError", message: initError.message },
      });
    }
    const child = this.child as ChildProcess;
    return new Promise<InvokeOutcome>((resolve) => {
      invocation.resolve = resolve;
      invocation.timer = setTimeout(() => this.timedOut(invocation), this.timeoutSeconds * 1000);
      invocation.memoryWatch = this.watchMemory(invocation, child);
      child.send({
        type: "invoke",
        id: invocation.id,
        requestId: invocation.requestId,
        event,
        invokedFunctionArn: this.fn.arn,
      });
    });
  }

  /** Kills the container, as Lambda's sandbox does, when its resident memory exceeds the memory size. */
  private watchMemory(invocation: Invocation, child: ChildProcess): NodeJS.Timeout | undefined {
    const pid = child.pid;
    if (pid === undefined) return undefined;
    const limit = this.memorySize * 1024 * 1024;
    return setInterval(() => {
      const rss = procStatusBytes(pid, "VmRSS");
      if (rss !== undefined && rss > limit && !invocation.outOfMemory) {
        invocation.outOfMemory = true;
        child.kill("SIGKILL");
      }
    }, MEMORY_POLL_MS);
  }

  private timedOut(invocation: Invocation): void {
    if (this.current !== invocation) return;
    const message = `Task timed out after ${this.timeoutSeconds.toFixed(2)} seconds`;
    this.platformLine(`${new Date().toISOString()} ${invocation.requestId} ${message}`);
    this.current = undefined;
    void this.stop();
    this.finish(invocation, { ok: false, error: { name: "Sandbox.Timedout", message } });
  }

  /** Closes an invocation: its END and REPORT lines, then its outcome. */
  private finish(invocation: Invocation, outcome: Ending): InvokeOutcome {
    clearTimeout(invocation.timer);
    clearInterval(invocation.memoryWatch);
    this.flushText(invocation);
    this.platformLine(`END RequestId: ${invocation.requestId}`, invocation);
    this.platformLine(this.reportLine(invocation.requestId, outcome.stats), invocation);
    const done = { ...outcome, requestId: invocation.requestId, logs: invocation.logs } as InvokeOutcome;
    invocation.resolve?.(done);
    return done;
  }

  private reportLine(requestId: string, stats: InvokeStats | undefined): string {
    const pid = this.child?.pid;
    const peak = (pid !== undefined && procStatusBytes(pid, "VmHWM")) || stats?.maxRssBytes;
    const parts = [`REPORT RequestId: ${requestId}`];
    if (stats) {
      parts.push(
        `Duration: ${stats.durationMs.toFixed(2)} ms`,
        `Billed Duration: ${Math.ceil(stats.durationMs)} ms`,
      );
    }
    parts.push(`Memory Size: ${this.memorySize} MB`);
    if (peak) parts.push(`Max Memory Used: ${Math.round(peak / 1024 / 1024)} MB`);
    if (this.initDurationMs !== undefined) {
      parts.push(`Init Duration: ${this.initDurationMs.toFixed(2)} ms`);
      this.initDurationMs = undefined;
    }
    return parts.join("\t");
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const spawnedAt = performance.now();
    const child = this.spawn();
    this.child = child;
    this.options.onSpawn?.(child);
    for (const stream of [child.stdout, child.stderr]) forEachLine(stream, (line) => this.functionLine(line));
    this.ready = new Promise<void>((resolve, reject) => {
      child.on("message", (message: RuntimeMessage) => {
        if (message.type === "log") this.functionText(message.text ?? "");
        else if (message.type === "result") this.settle(message);
        else if (message.type === "init" && message.ok) {
          this.initDurationMs = performance.now() - spawnedAt;
          resolve();
        } else if (message.type === "init") {
          reject(new Error(`${this.fn.functionName} failed to initialise: ${message.error?.message}`));
        }
      });
      child.once("exit", (code) =>
        reject(new Error(`${this.fn.functionName} exited during init (code ${code})`)),
      );
    });
    child.on("exit", (code, signal) => this.exited(child, code, signal));
    this.ready.catch(() => {
      if (this.child === child) this.ready = undefined;
    });
    return this.ready;
  }

  /** Forks the runtime with the bundle, the handler's export name, and the function's settings. */
  private spawn(): ChildProcess {
    return fork(
      join(projectRoot, "local", "lambda-runtime.cjs"),
      [
        this.fn.bundle,
        this.fn.handler.split(".").pop() ?? "handler",
        this.fn.functionName,
        String(this.memorySize),
        String(this.timeoutSeconds),
      ],
      {
        // The function sees its declared variables and the local endpoints, nothing of ours.
        env: {
          PATH: process.env.PATH ?? "",
          AWS_LAMBDA_FUNCTION_NAME: this.fn.functionName,
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.memorySize),
          AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
          AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${this.fn.functionName}`,
          // Lambda sets this for containers started on demand; Powertools reports their first invocation
          // as a cold start only when it is set.
          AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
          ...this.fn.environment,
          ...this.options.environment,
        },
        stdio: ["ignore", "pipe", "pipe", "ipc"],
        execArgv: lambdaHeapFlags(this.memorySize),
      },
    );
  }

  /** Resolves the invocation a result message answers. */
  private settle(message: RuntimeMessage): void {
    const invocation = this.current;
    if (!invocation || message.id !== invocation.id) return;
    this.current = undefined;
    const stats = message.stats;
    this.finish(
      invocation,
      message.ok
        ? { ok: true, result: message.result, stats }
        : { ok: false, error: message.error as InvokeErrorShape, stats },
    );
  }

  /** The container is gone: the next invocation starts a new one; the running one fails as Lambda's does. */
  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child === child) {
      this.child = undefined;
      this.ready = undefined;
    }
    const invocation = this.current;
    if (!invocation?.resolve) return;
    this.current = undefined;
    const cause = signal ? `signal: ${signal === "SIGKILL" ? "killed" : signal}` : `exit status ${code}`;
    const message = `RequestId: ${invocation.requestId} Error: Runtime exited with error: ${cause}`;
    const name = invocation.outOfMemory ? "Runtime.OutOfMemory" : "Runtime.ExitError";
    this.finish(invocation, { ok: false, error: { name, message } });
  }

  /** Text the function wrote through process.stdout/stderr (sent over IPC): split into whole lines. */
  private functionText(text: string): void {
    this.textBuffer.text += text;
    const lines = this.textBuffer.text.split("\n");
    this.textBuffer.text = lines.pop() ?? "";
    for (const line of lines) this.functionLine(line);
  }

  private flushText(invocation: Invocation): void {
    const rest = this.textBuffer.text;
    this.textBuffer.text = "";
    if (rest) this.functionLine(rest, invocation);
  }

  private functionLine(line: string, invocation = this.current): void {
    invocation?.logs.push(line);
    this.options.onLog?.(line);
  }

  private platformLine(line: string, invocation = this.current): void {
    invocation?.logs.push(line);
    this.options.onPlatformLog?.(line);
  }
}

type InvokeErrorShape = { name: string; message: string; stack?: string };

/** How the handler (or the platform) ended an invocation, before the request id and logs are added. */
type Ending =
  | { ok: true; result: unknown; stats?: InvokeStats }
  | { ok: false; error: InvokeErrorShape; stats?: InvokeStats };

/** What the runtime sends (local/lambda-runtime.cjs): init, one result per invocation, and log text. */
interface RuntimeMessage {
  type: "init" | "result" | "log";
  id?: string;
  ok?: boolean;
  text?: string;
  result?: unknown;
  error?: InvokeErrorShape;
  stats?: InvokeStats;
}

/** Calls `onLine` with each whole line written to `stream`. */
function forEachLine(stream: Readable | null, onLine: (line: string) => void): void {
  let buffered = "";
  stream?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  });
}
