import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { projectRoot } from "../tooling/project-root";
import { median, MiB, round } from "./stats";

export interface SynthResult {
  readonly stacks: string[];
  readonly medianMs: number;
  readonly peakRssMiB: number | null;
}

/** `npm run synth` (every stack of the app): wall time and peak RSS, median of 5. */
export function measureSynth(): SynthResult {
  const time = "/usr/bin/time";
  const withTime = existsSync(time);
  const walls: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const args = withTime ? ["-f", "%M", "npm", "run", "--silent", "synth"] : ["run", "--silent", "synth"];
    const run = spawnSync(withTime ? time : "npm", args, { cwd: projectRoot, encoding: "utf8" });
    walls.push(performance.now() - started);
    if (run.status !== 0) throw new Error(`npm run synth failed:\n${run.stderr}`);
    // GNU time's %M: the peak RSS, in KiB, of the largest process of the run (tsc or the app).
    if (withTime) rss.push(Number(run.stderr.trim().split("\n").pop()) * 1024);
  }
  const manifest = JSON.parse(readFileSync(join(projectRoot, "cdktf.out", "manifest.json"), "utf8")) as {
    stacks: Record<string, unknown>;
  };
  return {
    stacks: Object.keys(manifest.stacks),
    medianMs: Math.round(median(walls)),
    peakRssMiB: withTime ? round(median(rss) / MiB) : null,
  };
}
