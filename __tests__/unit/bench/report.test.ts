import { checks, formatReport, table, type BenchResults } from "../../../bench/report";
import { median, percentile, round } from "../../../bench/stats";

const results: BenchResults = {
  machine: { cpus: 2 },
  ingest: {
    concurrency: 8,
    memorySize: 256,
    runs: [
      {
        rows: 10,
        ceilingRows: 10,
        fileMiB: 0,
        seconds: 1,
        ingestRowsPerS: 90,
        ceilingRowsPerS: 100,
        ratio: 0.9,
        peakRssMiB: 100,
      },
      {
        rows: 1000,
        ceilingRows: 1000,
        fileMiB: 1,
        seconds: 2,
        ingestRowsPerS: 50,
        ceilingRowsPerS: 100,
        ratio: 0.5,
        peakRssMiB: 170,
      },
    ],
  },
  getMovie: { calls: 1000, medianMs: 1.5, p99Ms: 6, roundTripsPerCall: 1 },
  bundles: [{ name: "get-movie", zipKiB: 116, initMs: 61 }],
  synth: { stacks: ["movies-dev"], medianMs: 2100, peakRssMiB: null },
  totalSeconds: 12,
};

describe("checks", () => {
  it("holds each figure against its target", () => {
    expect(checks(results)).toEqual([
      { figure: "ingest 10 rows vs ceiling", value: "90%", target: "≥ 80%", met: true },
      { figure: "ingest 1000 rows vs ceiling", value: "50%", target: "≥ 80%", met: false },
      { figure: "peak RSS 1000 − 10 rows", value: "70 MiB", target: "≤ 64 MiB", met: false },
      { figure: "get-movie round trips per call", value: "1", target: "1", met: true },
      { figure: "get-movie zip", value: "116 KiB", target: "< 250 KiB", met: true },
      { figure: "get-movie cold init", value: "61 ms", target: "< 60 ms", met: false },
      { figure: "synth wall time", value: "2100 ms", target: "< 3000 ms", met: true },
    ]);
  });

  it("checks nothing for sections that did not run", () => {
    expect(checks({ machine: { cpus: 2 } })).toEqual([]);
  });
});

describe("formatReport", () => {
  it("prints a table per section that ran, then the targets", () => {
    const report = formatReport({ ...results, checks: checks(results) });
    expect(report).toContain("| rows | file MiB | seconds | ingest rows/s | ceiling rows/s (over N rows) |");
    expect(report).toContain("| 1000 | 1        | 2       | 50            | 100 (1000)                   |");
    expect(report).toContain("| get-movie | 116     | 61      |");
    expect(report).toContain("| 2100    | n/a          |");
    expect(report).toContain("| get-movie cold init            | 61 ms   | < 60 ms   | NO  |");
    expect(report.endsWith("bench/results.json written; 12 s in all\n")).toBe(true);
    expect(report).not.toContain("Concurrency sweep");
  });
});

describe("table", () => {
  it("pads every column to its widest cell", () => {
    expect(
      table(
        ["a", "long header"],
        [
          [1, "x"],
          [22, "y"],
        ],
      ),
    ).toBe(
      ["| a  | long header |", "|----|-------------|", "| 1  | x           |", "| 22 | y           |"].join(
        "\n",
      ),
    );
  });
});

describe("stats", () => {
  it("takes nearest-rank percentiles, and rounds", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99)).toBe(10);
    expect(percentile([], 0.5)).toBeNaN();
    expect(round(1.26)).toBe(1.3);
    expect(round(1.256, 2)).toBe(1.26);
  });
});
