import { readFileSync } from "node:fs";

/**
 * The peak resident set size of process `pid` so far, in bytes: Linux's `VmHWM`, which counts from the
 * process's own start. `process.resourceUsage().maxRSS` in a forked child does not: Linux keeps the
 * largest RSS across fork and exec, so a function process spawned by a 300 MiB parent reports 300 MiB
 * even when it never used more than 40 (LocalLambda's `stats.maxRssBytes` has this flaw).
 */
export function peakRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}
