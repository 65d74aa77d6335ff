import type { DirtyFileResult } from "./dirty-file";
import type { BundleResult } from "./bundles";
import type { FanOutResult } from "./fan-out";
import type { GetMovieResult } from "./get-movie";
import type { IngestPair, IngestResult, SweepResult } from "./ingest";
import type { SdkLoggingResult } from "./sdk-logging";
import type { ShortFirstLineResult } from "./short-first-line";
import { MiB, round } from "./stats";
import type { SynthResult } from "./synth";

/** What we expect of each figure. */
export const TARGETS = {
  /** Median over the alternated pairs of upload-infos' rate / the bare loop's. */
  ingestVsBareLoop: 0.9,
  /** Projected wall time of a 10M-row upload on AWS at prod's settings (issue 16). */
  fanOutTenMillionSeconds: 15 * 60,
  /** Peak RSS of the largest file's run minus the smallest's. */
  rssGrowthBytes: 64 * 1024 * 1024,
  /** Median over the pairs of (time after a short first line) / (time of the clean file). */
  shortFirstLineRatio: 1.2,
  bundleZipBytes: 250 * 1024,
  /** CPU time of a bundle's cold init (issue 13: upload-infos from ~58 ms to ≤ 45). */
  bundleInitMs: 45,
  synthMs: 3_000,
  /** CPU time of a warm-cache synth ÷ the synth before the bundle cache (BENCH_SYNTH_BASELINE). */
  synthWarmVsBaseline: 0.5,
  synthRssBytes: 400 * 1024 * 1024,
  getMovieRoundTrips: 1,
};

/** bench/results.json: the sections that ran, in the order they ran, then the checks. */
export interface BenchResults {
  /** Cores, and the load averages (1, 5, 15 min) when the bench started and ended: the machine is shared. */
  machine: { cpus: number; loadAverage?: { start: number[]; end: number[] } };
  concurrencySweep?: SweepResult;
  ingest?: IngestResult;
  shortFirstLine?: ShortFirstLineResult;
  dirtyFile?: DirtyFileResult;
  fanOut?: FanOutResult;
  getMovie?: GetMovieResult;
  sdkLogging?: SdkLoggingResult;
  bundles?: BundleResult[];
  synth?: SynthResult;
  totalSeconds?: number;
  checks?: Check[];
}

export interface Check {
  readonly figure: string;
  readonly value: string;
  readonly target: string;
  readonly met: boolean;
}

const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;

function ingestChecks(ingest: IngestResult): Check[] {
  const list: Check[] = [
    {
      figure: `ingest vs bare loop, median of ${ingest.pairs.runs.length} pairs`,
      value: percent(ingest.pairs.medianRatio),
      target: `≥ ${percent(TARGETS.ingestVsBareLoop)}`,
      met: ingest.pairs.medianRatio >= TARGETS.ingestVsBareLoop,
    },
  ];
  const [smallest, ...rest] = ingest.sizes;
  const largest = rest.pop();
  if (smallest && largest) {
    const growth = largest.peakRssMiB - smallest.peakRssMiB;
    list.push({
      figure: `peak RSS ${largest.rows} − ${smallest.rows} rows`,
      value: `${round(growth)} MiB`,
      target: `≤ ${TARGETS.rssGrowthBytes / MiB} MiB`,
      met: growth * MiB <= TARGETS.rssGrowthBytes,
    });
  }
  return list;
}

/** Each figure against its target. */
export function checks(results: BenchResults): Check[] {
  const list: Check[] = results.ingest ? ingestChecks(results.ingest) : [];
  const tenMillion = results.fanOut?.prod.projections.find((p) => p.rows === 10_000_000);
  if (tenMillion) {
    list.push({
      figure: "10M rows through the fan-out on AWS at prod's settings (projected)",
      value: `${tenMillion.minutes} min`,
      target: `≤ ${TARGETS.fanOutTenMillionSeconds / 60} min`,
      met: tenMillion.seconds <= TARGETS.fanOutTenMillionSeconds,
    });
  }
  const short = results.shortFirstLine;
  if (short) {
    list.push({
      figure: `short first line vs clean, ${short.rows} rows, median of ${short.pairs.length} pairs`,
      value: `${short.medianRatio}×`,
      target: `≤ ${TARGETS.shortFirstLineRatio}×`,
      met: short.medianRatio <= TARGETS.shortFirstLineRatio,
    });
  }
  if (results.getMovie) {
    list.push({
      figure: "get-movie round trips per call",
      value: String(results.getMovie.roundTripsPerCall),
      target: "1",
      met: results.getMovie.roundTripsPerCall === TARGETS.getMovieRoundTrips,
    });
  }
  for (const bundle of results.bundles ?? []) list.push(...bundleChecks(bundle));
  if (results.synth) list.push(...synthChecks(results.synth));
  return list;
}

function bundleChecks(bundle: BundleResult): Check[] {
  return [
    {
      figure: `${bundle.functionName} zip`,
      value: `${bundle.zipKiB} KiB`,
      target: "< 250 KiB",
      met: bundle.zipKiB * 1024 < TARGETS.bundleZipBytes,
    },
    {
      // CPU time: on a shared machine the wall time mostly measures the other processes.
      figure: `${bundle.functionName} cold init (CPU)`,
      value: `${bundle.initCpuMs} ms`,
      target: `≤ ${TARGETS.bundleInitMs} ms`,
      met: bundle.initCpuMs <= TARGETS.bundleInitMs,
    },
  ];
}

function synthChecks(synth: SynthResult): Check[] {
  const list: Check[] = [
    {
      figure: "synth wall time",
      value: `${synth.medianMs} ms`,
      target: "< 3000 ms",
      met: synth.medianMs < TARGETS.synthMs,
    },
  ];
  if (synth.medianWarmVsBaselineCpu !== undefined) {
    list.push({
      figure: `warm-cache synth ÷ baseline synth (CPU), median of ${synth.triples.length}`,
      value: `${synth.medianWarmVsBaselineCpu}`,
      target: `≤ ${TARGETS.synthWarmVsBaseline}`,
      met: synth.medianWarmVsBaselineCpu <= TARGETS.synthWarmVsBaseline,
    });
  }
  if (synth.peakRssMiB !== null) {
    list.push({
      figure: "synth peak RSS",
      value: `${synth.peakRssMiB} MiB`,
      target: "< 400 MiB",
      met: synth.peakRssMiB * MiB < TARGETS.synthRssBytes,
    });
  }
  return list;
}

/** A markdown table, columns padded to their widest cell. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]) =>
    `| ${cells.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(headers), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

function formatSweep(sweep: SweepResult): string[] {
  return [
    `Concurrency sweep (ingestMovieInfos in-process, ${sweep.rows} rows, vs. bare BatchWriteItem loop)`,
    table(
      ["concurrency", "ingest rows/s", "ceiling rows/s", "ratio"],
      sweep.runs.map((r) => [r.concurrency, r.ingestRowsPerS, r.ceilingRowsPerS, r.ratio]),
    ),
  ];
}

function formatFanOut(fanOut: FanOutResult): string[] {
  const { prod } = fanOut;
  return [
    `\nFan-out batches (upload-infos-batch, ${fanOut.batchesMeasured} batches of ${fanOut.batchSize} rows): ` +
      `${fanOut.cpuUsPerRow} µs CPU per row, ${fanOut.rowsPerSecondPerBatch} rows/s per batch here, ` +
      `${fanOut.waitSecondsPerBatch} s per batch waiting on DynamoDB`,
    `Projected on AWS at prod's settings (${prod.memorySize} MB = ${prod.cpuShare} vCPU, MaxConcurrency ` +
      `${prod.maxConcurrency}, table ${prod.tableWriteUnitsPerSecond} writes/s): ${prod.batchSeconds} s per batch, ` +
      `${prod.rowsPerSecond} rows/s`,
    ...prod.projections.map(
      (p) =>
        `  ${p.rows.toLocaleString("en-US")} rows: ${p.batches} batches, ${p.minutes} min (bound by ${p.boundBy})`,
    ),
    `Method: ${fanOut.method}`,
  ];
}

function formatIngest(ingest: IngestResult): string[] {
  const { pairs } = ingest;
  const row = (label: string | number, r: IngestPair) => [
    label,
    r.handlerRowsPerS,
    r.bareRowsPerS,
    r.ratio,
    r.handlerCpuUsPerRow,
    r.bareCpuUsPerRow,
  ];
  return [
    `upload-infos vs. a bare BatchWriteItem loop: ${pairs.runs.length} alternated pairs (handler, bare, ...) ` +
      `over the same ${pairs.rows} rows (${pairs.fileMiB} MiB, stored byte-exact: size and sha256 checked), ` +
      `each in a fresh process after a warm-up, into an emptied table, concurrency ${ingest.concurrency}, ` +
      "both with the functions' DynamoDB client; " +
      (pairs.warmUp ? "a first pair warms up s3rver and DynamoDB Local and is not counted; " : "") +
      "rows/s = rows written (checked against the table) / time inside the process; CPU = the process's " +
      "user + system time",
    table(
      ["pair", "handler rows/s", "bare loop rows/s", "ratio", "handler CPU µs/row", "bare loop CPU µs/row"],
      [
        ...(pairs.warmUp ? [row("warm-up", pairs.warmUp)] : []),
        ...pairs.runs.map((r, i) => row(i + 1, r)),
        [
          "median",
          pairs.medianHandlerRowsPerS,
          pairs.medianBareRowsPerS,
          pairs.medianRatio,
          pairs.medianHandlerCpuUsPerRow,
          pairs.medianBareCpuUsPerRow,
        ],
      ],
    ),
    `\nupload-infos per file size (bundle in a fresh process, ${ingest.memorySize} MB; ` +
      "peak RSS = the process's own VmHWM)",
    table(
      ["rows", "file MiB", "seconds", "rows/s", "peak RSS MiB"],
      ingest.sizes.map((r) => [r.rows, r.fileMiB, r.seconds, r.rowsPerS, r.peakRssMiB]),
    ),
  ];
}

function formatShortFirstLine(short: ShortFirstLineResult): string[] {
  return [
    `\nShort first line: ${short.rows} rows after a one-column first line ("${short.firstLine}") vs. the ` +
      `same rows clean, ${short.pairs.length} alternated pairs, handler time in fresh processes`,
    table(
      ["pair", "clean s", "short first line s", "ratio", "CPU ratio"],
      [
        ...short.pairs.map((p, i) => [i + 1, p.cleanSeconds, p.shortSeconds, p.ratio, p.cpuRatio]),
        ["median", "", "", short.medianRatio, short.medianCpuRatio],
      ],
    ),
  ];
}

function formatDirtyFile(dirty: DirtyFileResult): string[] {
  return [
    `\nDirty file: ${dirty.rows} rows, ${dirty.badRowsPerKind} bad rows of each kind ` +
      `(${dirty.kinds.join(", ")}), beside the same rows clean`,
    table(
      ["file", "MiB", "seconds", "written", "rejected", "rows/s", "lines/s", "peak RSS MiB"],
      (["clean", "dirty"] as const).map((name) => {
        const r = dirty[name];
        return [name, r.fileMiB, r.seconds, r.written, r.rejected, r.rowsPerS, r.linesPerS, r.peakRssMiB];
      }),
    ),
  ];
}

function formatOthers(results: BenchResults): string[] {
  const out: string[] = [];
  const gm = results.getMovie;
  if (gm) {
    out.push("\nget-movie (getMovie in-process, real client, 1000 calls)");
    out.push(
      table(["median ms", "p99 ms", "round trips/call"], [[gm.medianMs, gm.p99Ms, gm.roundTripsPerCall]]),
    );
  }
  const sdk = results.sdkLogging;
  if (sdk) {
    out.push(`\nThe SDK's logger middleware (removed from every function's clients): ${sdk.method}`);
    out.push(
      table(
        ["with it µs/row", "without µs/row", "without ÷ with"],
        [[sdk.withLoggerUsPerRow, sdk.withoutLoggerUsPerRow, sdk.ratio]],
      ),
    );
  }
  if (results.bundles) {
    out.push(
      "\nFunctions of the dev stacks (zip size; cold init = require + clients in a fresh node with " +
        "Lambda's variables, functions in turn, median of 15)",
    );
    out.push(
      table(
        ["function", "bundle", "zip KiB", "init ms", "init CPU ms", "CPU ÷ get-movie"],
        results.bundles.map((b) => [
          b.functionName,
          b.name,
          b.zipKiB,
          b.initMs,
          b.initCpuMs,
          b.initCpuVsGetMovie,
        ]),
      ),
    );
  }
  const synth = results.synth;
  if (synth) {
    out.push(`\nnpm run synth (${synth.stacks.join(", ")}), median of 5`);
    out.push(table(["wall ms", "peak RSS MiB"], [[synth.medianMs, synth.peakRssMiB ?? "n/a"]]));
    out.push(
      `\nThe bundle cache: node dist/infra/main.js with an empty cache, then a warm one` +
        (synth.baseline ? `, after ${synth.baseline}'s synth` : "") +
        `, alternated; CPU time from ${synth.cpuSource}; ratios within each run`,
    );
    const run = (r?: { wallMs: number; cpuMs: number }) => (r ? `${r.cpuMs} / ${r.wallMs}` : "n/a");
    out.push(
      table(
        [
          "#",
          "baseline CPU / wall ms",
          "cold CPU / wall ms",
          "warm CPU / wall ms",
          "warm÷cold",
          "warm÷baseline",
        ],
        synth.triples.map((t, i) => [
          i + 1,
          run(t.baseline),
          run(t.cold),
          run(t.warm),
          t.warmVsColdCpu,
          t.warmVsBaselineCpu ?? "n/a",
        ]),
      ),
    );
  }
  return out;
}

/** The human-readable report: one table per section that ran, each with its method, then the targets. */
export function formatReport(results: BenchResults): string {
  const { machine } = results;
  const load = machine.loadAverage;
  const out: string[] = [
    `Machine: ${machine.cpus} cores, shared with other work` +
      (load ? `; load average ${load.start.join(" ")} at the start, ${load.end.join(" ")} at the end` : "") +
      ". Ratios are taken within one run, so the load falls on both sides.\n",
  ];
  if (results.concurrencySweep) out.push(...formatSweep(results.concurrencySweep), "");
  if (results.ingest) out.push(...formatIngest(results.ingest));
  if (results.fanOut) out.push(...formatFanOut(results.fanOut));
  if (results.shortFirstLine) out.push(...formatShortFirstLine(results.shortFirstLine));
  if (results.dirtyFile) out.push(...formatDirtyFile(results.dirtyFile));
  out.push(...formatOthers(results));
  out.push("\nTargets");
  out.push(
    table(
      ["figure", "value", "target", "met"],
      (results.checks ?? []).map((c) => [c.figure, c.value, c.target, c.met ? "yes" : "NO"]),
    ),
  );
  out.push(`\nbench/results.json written; ${results.totalSeconds} s in all`);
  return `${out.join("\n")}\n`;
}
