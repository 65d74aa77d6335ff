import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";

/** `<stateDir>/logs/<function>.log`: where a local run writes a function's log, and `npm run logs` reads it. */
export function functionLogPath(stateDir: string, functionName: string): string {
  return join(stateDir, "logs", `${functionName}.log`);
}

/**
 * One log file per function, appended across runs like a CloudWatch log group: every line the function
 * writes and Lambda's START/END/REPORT lines, each prefixed with the time it was written (ISO 8601, UTC).
 */
export class FunctionLogFiles {
  private readonly streams = new Map<string, WriteStream>();

  constructor(private readonly stateDir: string) {
    mkdirSync(join(stateDir, "logs"), { recursive: true });
  }

  write(functionName: string, line: string): void {
    let stream = this.streams.get(functionName);
    if (!stream) {
      stream = createWriteStream(functionLogPath(this.stateDir, functionName), { flags: "a" });
      this.streams.set(functionName, stream);
    }
    stream.write(`${new Date().toISOString()} ${line}\n`);
  }

  async close(): Promise<void> {
    const streams = [...this.streams.values()];
    this.streams.clear();
    await Promise.all(streams.map((s) => new Promise<void>((resolve) => s.end(resolve))));
  }
}
