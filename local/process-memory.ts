import { readFileSync } from "node:fs";

/**
 * One memory figure of process `pid` from Linux's `/proc/<pid>/status`, in bytes: `VmRSS` (resident now)
 * or `VmHWM` (the peak since the process started). Undefined where there is no /proc (macOS, Windows) or
 * the process is gone.
 */
export function procStatusBytes(pid: number, field: "VmRSS" | "VmHWM"): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
  return match ? Number(match[1]) * 1024 : undefined;
}

/**
 * The V8 flags Lambda's Node.js runtime starts a function with for its `memory_size` (MB): a tenth of it
 * for the young generation (half of that per semi-space), the rest for the old generation. The heap then
 * fails where it would on Lambda, before the local machine's memory does.
 */
export function lambdaHeapFlags(memorySizeMb: number): string[] {
  const newSpace = Math.floor(memorySizeMb / 10);
  return [
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memorySizeMb - newSpace}`,
  ];
}
