import { readFileSync } from "node:fs";

/** Linux's clock ticks per second (`getconf CLK_TCK`), the unit of /proc/<pid>/stat's times. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * The CPU time (user + system) process `pid` has used so far, in seconds, from /proc/<pid>/stat: lets the
 * bench say what a function process cost in CPU, which load from the rest of the machine does not change
 * the way it changes wall time. Resolution 10 ms.
 */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces, inside parentheses): utime and stime are 14, 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const [utime, stime] = [Number(fields[11]), Number(fields[12])];
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unreadable /proc/${pid}/stat`);
  return (utime + stime) / CLOCK_TICKS_PER_SECOND;
}
