import { procStatusBytes } from "../local/process-memory";

/**
 * The peak resident set size of process `pid` so far, in bytes: Linux's `VmHWM`, which counts from the
 * process's own start. `process.resourceUsage().maxRSS` in a forked child does not: Linux keeps the
 * largest RSS across fork and exec, so a function process spawned by a 300 MiB parent reports 300 MiB
 * even when it never used more than 40 (which is why LocalLambda reads VmHWM for its REPORT line).
 */
export function peakRssBytes(pid: number): number {
  const peak = procStatusBytes(pid, "VmHWM");
  if (peak === undefined) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return peak;
}
