import type { DirtyFileResult } from "./dirty-file";
import type { BundleResult } from "./bundles";
import type { GetMovieResult } from "./get-movie";
import type { IngestResult, SweepResult } from "./ingest";
import { MiB, round } from "./stats";
import type { SynthResult } from "./synth";

/** What we expect of each figure. */
export const TARGETS = {
  ingestVsCeiling: 0.8,
  rssGrowthBytes: 64 * 1024 * 1024,
  bundleZipBytes: 250 * 1024,
  bundleInitMs: 60,
  synthMs: 3_000,
  synthRssBytes: 400 * 1024 * 1024,
  getMovieRoundTrips: 1,
};

/** bench/results.json: the sections that ran, in the order they ran, then the checks. */
export interface BenchResults {
  machine: { cpus: number };
  concurrencySweep?: SweepResult;
  ingest?: IngestResult;
  dirtyFile?: DirtyFileResult;
  getMovie?: GetMovieResult;
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

/** Each figure against its target. */
export function checks(results: BenchResults): Check[] {
  const list: Check[] = [];
  const runs = results.ingest?.runs ?? [];
  for (const run of runs) {
    list.push({
      figure: `ingest ${run.rows} rows vs ceiling`,
      value: `${Math.round(run.ratio * 100)}%`,
      target: "≥ 80%",
      met: run.ratio >= TARGETS.ingestVsCeiling,
    });
  }
  const [smallest, ...rest] = runs;
  const largest = rest.pop();
  if (smallest && largest) {
    const growth = largest.peakRssMiB - smallest.peakRssMiB;
    list.push({
      figure: `peak RSS ${largest.rows} − ${smallest.rows} rows`,
      value: `${round(growth)} MiB`,
      target: "≤ 64 MiB",
      met: growth * MiB <= TARGETS.rssGrowthBytes,
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
      figure: `${bundle.name} zip`,
      value: `${bundle.zipKiB} KiB`,
      target: "< 250 KiB",
      met: bundle.zipKiB * 1024 < TARGETS.bundleZipBytes,
    },
    {
      figure: `${bundle.name} cold init`,
      value: `${bundle.initMs} ms`,
      target: "< 60 ms",
      met: bundle.initMs < TARGETS.bundleInitMs,
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

/** The human-readable report: one table per section that ran, then the targets. */
export function formatReport(results: BenchResults): string {
  const out: string[] = [];
  const sweep = results.concurrencySweep;
  if (sweep) {
    out.push(
      `Concurrency sweep (ingestMovieInfos in-process, ${sweep.rows} rows, vs. bare BatchWriteItem loop)`,
    );
    out.push(
      table(
        ["concurrency", "ingest rows/s", "ceiling rows/s", "ratio"],
        sweep.runs.map((r) => [r.concurrency, r.ingestRowsPerS, r.ceilingRowsPerS, r.ratio]),
      ),
    );
  }
  const ingest = results.ingest;
  if (ingest) {
    out.push(
      `\nupload-infos bundle (own process, 256 MB, concurrency ${ingest.concurrency}) vs. bare loop at the same concurrency`,
    );
    out.push(
      table(
        [
          "rows",
          "file MiB",
          "seconds",
          "ingest rows/s",
          "ceiling rows/s (over N rows)",
          "ratio",
          "peak RSS MiB",
        ],
        ingest.runs.map((r) => [
          r.rows,
          r.fileMiB,
          r.seconds,
          r.ingestRowsPerS,
          `${r.ceilingRowsPerS} (${r.ceilingRows})`,
          r.ratio,
          r.peakRssMiB,
        ]),
      ),
    );
  }
  const gm = results.getMovie;
  if (gm) {
    out.push("\nget-movie (getMovie in-process, real client, 1000 calls)");
    out.push(
      table(["median ms", "p99 ms", "round trips/call"], [[gm.medianMs, gm.p99Ms, gm.roundTripsPerCall]]),
    );
  }
  if (results.bundles) {
    out.push("\nBundles (zip size; cold init = require + clients in a fresh node, median of 10)");
    out.push(
      table(
        ["bundle", "zip KiB", "init ms"],
        results.bundles.map((b) => [b.name, b.zipKiB, b.initMs]),
      ),
    );
  }
  const synth = results.synth;
  if (synth) {
    out.push(`\nnpm run synth (${synth.stacks.join(", ")}), median of 5`);
    out.push(table(["wall ms", "peak RSS MiB"], [[synth.medianMs, synth.peakRssMiB ?? "n/a"]]));
  }
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
