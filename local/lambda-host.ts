import { fork, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { projectRoot } from "../tooling/project-root";
import { stopChild } from "./emulators";
import type { DeclaredFunction } from "./functions";

/** What Lambda's REPORT line says about one invocation. */
export interface InvokeStats {
  /** Time spent in the handler, measured inside the function's process. */
  readonly durationMs: number;
  /** Peak resident set size of the function's process so far (Lambda's "Max Memory Used"), in bytes. */
  readonly maxRssBytes: number;
}

/**
 * How an invocation ended: the handler's result, or the error it threw (as Lambda reports it). `stats` is
 * set when the handler ran to an end, and missing after a timeout or a crash.
 */
export type InvokeOutcome =
  | { readonly ok: true; readonly result: unknown; readonly requestId: string; readonly stats?: InvokeStats }
  | {
      readonly ok: false;
      readonly error: { name: string; message: string; stack?: string };
      readonly requestId: string;
      readonly stats?: InvokeStats;
    };

export interface LocalLambdaOptions {
  /** Variables added to the function's own (the AWS_ENDPOINT_URL_* and credentials of the local run). */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default 10 seconds */
  readonly timeoutSeconds?: number;
  /** @default 256 */
  readonly memorySize?: number;
  /** Receives each line the function writes to stdout or stderr. @default the lines are dropped */
  readonly onLog?: (line: string) => void;
}

interface Pending {
  resolve: (outcome: InvokeOutcome) => void;
  requestId: string;
  timer: NodeJS.Timeout;
}

/**
 * A function running locally the way Lambda runs it: its bundle in a process of its own (a warm
 * container), initialised once with exactly the environment variables the stack declares plus the
 * local endpoints, invoked one event at a time, restarted after a timeout or a crash.
 */
export class LocalLambda {
  private child?: ChildProcess;
  private ready?: Promise<void>;
  private readonly pending = new Map<string, Pending>();
  private queue: Promise<unknown> = Promise.resolve();

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

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (child) await stopChild(child);
  }

  private async invokeNow(event: unknown): Promise<InvokeOutcome> {
    await this.start();
    const child = this.child as ChildProcess;
    const id = randomUUID();
    const requestId = randomUUID();
    const timeoutMs = (this.options.timeoutSeconds ?? 10) * 1000;
    return new Promise<InvokeOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        void this.stop();
        resolve({
          ok: false,
          requestId,
          error: { name: "TimeoutError", message: `Task timed out after ${timeoutMs / 1000} seconds` },
        });
      }, timeoutMs);
      this.pending.set(id, { resolve, requestId, timer });
      child.send({ type: "invoke", id, requestId, event, invokedFunctionArn: this.fn.functionName });
    });
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const child = this.spawn();
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) forEachLine(stream, this.options.onLog);
    child.on("message", (message: ResultMessage) => this.settle(message));
    child.on("exit", (code, signal) => this.exited(child, code, signal));
    this.ready = new Promise<void>((resolve, reject) => {
      child.once("message", (message: { type: string; ok: boolean; error?: { message: string } }) => {
        if (message.type === "init" && message.ok) resolve();
        else reject(new Error(`${this.fn.functionName} failed to initialise: ${message.error?.message}`));
      });
      child.once("exit", (code) =>
        reject(new Error(`${this.fn.functionName} exited during init (code ${code})`)),
      );
    });
    this.ready.catch(() => {
      this.ready = undefined;
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
        String(this.options.memorySize ?? 256),
        String(this.options.timeoutSeconds ?? 10),
      ],
      {
        // The function sees its declared variables and the local endpoints, nothing of ours.
        env: {
          PATH: process.env.PATH ?? "",
          AWS_LAMBDA_FUNCTION_NAME: this.fn.functionName,
          // Lambda sets this for containers started on demand; Powertools reports their first invocation
          // as a cold start only when it is set.
          AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
          ...this.fn.environment,
          ...this.options.environment,
        },
        stdio: ["ignore", "pipe", "pipe", "ipc"],
        execArgv: [],
      },
    );
  }

  /** Resolves the pending invocation a result message answers. */
  private settle(message: ResultMessage): void {
    if (message.type !== "result" || !message.id) return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    const { requestId } = pending;
    const stats = message.stats;
    pending.resolve(
      message.ok
        ? { ok: true, result: message.result, requestId, stats }
        : { ok: false, error: message.error as never, requestId, stats },
    );
  }

  /** The container is gone: the next invocation starts a new one; the pending ones fail as Lambda's do. */
  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child === child) {
      this.child = undefined;
      this.ready = undefined;
    }
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.resolve({
        ok: false,
        requestId: pending.requestId,
        error: { name: "Runtime.ExitError", message: `Runtime exited (code ${code}, signal ${signal})` },
      });
    }
  }
}

/** What the runtime sends back for one invocation (local/lambda-runtime.cjs). */
interface ResultMessage {
  type: string;
  id?: string;
  ok: boolean;
  result?: unknown;
  error?: never;
  stats?: InvokeStats;
}

/** Calls `onLog` with each whole line written to `stream` (none when there is no `onLog`). */
function forEachLine(stream: Readable | null, onLog: ((line: string) => void) | undefined): void {
  let buffered = "";
  stream?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    if (onLog) for (const line of lines) onLog(line);
  });
}
