import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { projectRoot } from "../tooling/project-root";
import { median, MiB, round } from "./stats";

/** One synth: wall and CPU time (the whole process tree's, esbuild's included). */
export interface SynthRun {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** A cold-cache, a warm-cache and (when given) a baseline synth, run one after the other. */
export interface SynthTriple {
  readonly cold: SynthRun;
  readonly warm: SynthRun;
  readonly baseline?: SynthRun;
  /** warm ÷ cold, and warm ÷ baseline, by CPU time. */
  readonly warmVsColdCpu: number;
  readonly warmVsBaselineCpu?: number;
}

export interface SynthResult {
  readonly stacks: string[];
  /** `npm run synth` as a developer runs it (build:infra, then the app with the bundle cache as it is). */
  readonly medianMs: number;
  readonly peakRssMiB: number | null;
  /** How CPU time was read: `perf stat` (task-clock of every process of the run) or GNU time. */
  readonly cpuSource: string;
  /** The checkout `BENCH_SYNTH_BASELINE` named, whose `dist/infra/main.js` is the baseline. */
  readonly baseline?: string;
  readonly triples: SynthTriple[];
  readonly medianWarmVsColdCpu: number;
  readonly medianWarmVsBaselineCpu?: number;
}

const TIME = "/usr/bin/time";
const hasPerf = () => spawnSync("perf", ["stat", "-x,", "-e", "task-clock", "true"]).status === 0;

/**
 * Runs `node dist/infra/main.js` in `cwd` with `cache` as the bundle cache; CPU time from perf's
 * task-clock, which counts every process the synth starts (esbuild's service too), else from GNU time.
 */
function timedSynth(cwd: string, cache: string, perf: boolean): SynthRun {
  const command = ["node", "dist/infra/main.js"];
  const args = perf ? ["stat", "-x,", "-e", "task-clock", ...command] : ["-f", "%U %S", ...command];
  const env = {
    ...process.env,
    MOVIES_CDKTF_CACHE: cache,
    CHECKPOINT_DISABLE: "1",
    CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "1",
  };
  const started = performance.now();
  const run = spawnSync(perf ? "perf" : TIME, args, { cwd, env, encoding: "utf8" });
  const wallMs = performance.now() - started;
  if (run.status !== 0) throw new Error(`synth in ${cwd} failed:\n${run.stderr}`);
  const stderr = run.stderr.trim().split("\n");
  const cpuMs = perf
    ? Number(stderr.find((line) => line.includes("task-clock"))?.split(",")[0])
    : (stderr.pop() ?? "").split(" ").reduce((sum, seconds) => sum + Number(seconds) * 1000, 0);
  return { wallMs: Math.round(wallMs), cpuMs: Math.round(cpuMs) };
}

/**
 * The bundle cache's effect (issue 13: a warm-cache synth ≤ 0.5× the synth before the cache): `pairs`
 * alternated triples of an empty cache, a warm cache and, when `baseline` names an older checkout with its
 * `dist/infra/main.js` built, that checkout's synth. Ratios are by CPU time, taken within each triple.
 */
export function compareSynthCaches(
  pairs: number,
  baseline?: string,
): Omit<SynthResult, "stacks" | "medianMs" | "peakRssMiB"> {
  const perf = hasPerf();
  if (!perf && !existsSync(TIME)) throw new Error("the synth comparison needs perf or GNU time");
  const warmCache = mkdtempSync(join(tmpdir(), "movies-bench-synth-warm-"));
  try {
    timedSynth(projectRoot, warmCache, perf);
    const triples: SynthTriple[] = [];
    for (let index = 0; index < pairs; index++) {
      const coldCache = mkdtempSync(join(tmpdir(), "movies-bench-synth-cold-"));
      // The baseline gets an empty cache too, should it be a checkout that has one.
      const baselineRun = baseline ? timedSynth(baseline, coldCache, perf) : undefined;
      rmSync(coldCache, { recursive: true, force: true });
      const cold = timedSynth(projectRoot, coldCache, perf);
      rmSync(coldCache, { recursive: true, force: true });
      const warm = timedSynth(projectRoot, warmCache, perf);
      triples.push({
        cold,
        warm,
        warmVsColdCpu: round(warm.cpuMs / cold.cpuMs, 2),
        ...(baselineRun
          ? { baseline: baselineRun, warmVsBaselineCpu: round(warm.cpuMs / baselineRun.cpuMs, 2) }
          : {}),
      });
    }
    const vsBaseline = triples.flatMap((t) =>
      t.warmVsBaselineCpu === undefined ? [] : [t.warmVsBaselineCpu],
    );
    return {
      cpuSource: perf ? "perf stat task-clock" : "GNU time user+sys",
      ...(baseline ? { baseline } : {}),
      triples,
      medianWarmVsColdCpu: median(triples.map((t) => t.warmVsColdCpu)),
      ...(vsBaseline.length > 0 ? { medianWarmVsBaselineCpu: median(vsBaseline) } : {}),
    };
  } finally {
    rmSync(warmCache, { recursive: true, force: true });
  }
}

/** `npm run synth` (every stack of the app): wall time and peak RSS, median of 5; then the cache comparison. */
export function measureSynth(pairs = 5, baseline = process.env.BENCH_SYNTH_BASELINE): SynthResult {
  const withTime = existsSync(TIME);
  const walls: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const args = withTime ? ["-f", "%M", "npm", "run", "--silent", "synth"] : ["run", "--silent", "synth"];
    const run = spawnSync(withTime ? TIME : "npm", args, { cwd: projectRoot, encoding: "utf8" });
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
    ...compareSynthCaches(pairs, baseline),
  };
}
