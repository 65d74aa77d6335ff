import { checks, formatReport, table, type BenchResults } from "../../../bench/report";
import { alternatedPairs, median, percentile, round } from "../../../bench/stats";

const results: BenchResults = {
  machine: { cpus: 2, loadAverage: { start: [3.5, 2, 1], end: [4, 2.5, 1.5] } },
  ingest: {
    concurrency: 8,
    memorySize: 256,
    pairs: {
      rows: 1000,
      fileMiB: 0.1,
      warmUp: {
        handlerRowsPerS: 60,
        bareRowsPerS: 100,
        ratio: 0.6,
        handlerCpuUsPerRow: 50,
        bareCpuUsPerRow: 30,
      },
      runs: [
        { handlerRowsPerS: 95, bareRowsPerS: 100, ratio: 0.95, handlerCpuUsPerRow: 40, bareCpuUsPerRow: 30 },
        { handlerRowsPerS: 80, bareRowsPerS: 100, ratio: 0.8, handlerCpuUsPerRow: 42, bareCpuUsPerRow: 31 },
        { handlerRowsPerS: 99, bareRowsPerS: 110, ratio: 0.9, handlerCpuUsPerRow: 41, bareCpuUsPerRow: 29 },
      ],
      medianHandlerRowsPerS: 95,
      medianBareRowsPerS: 100,
      medianRatio: 0.9,
      medianHandlerCpuUsPerRow: 41,
      medianBareCpuUsPerRow: 30,
    },
    sizes: [
      { rows: 10, fileMiB: 0, seconds: 1, rowsPerS: 10, peakRssMiB: 100 },
      { rows: 100, fileMiB: 0, seconds: 1, rowsPerS: 100, peakRssMiB: 120 },
      { rows: 1000, fileMiB: 1, seconds: 2, rowsPerS: 500, peakRssMiB: 170 },
    ],
  },
  shortFirstLine: {
    rows: 1000,
    firstLine: "1f40",
    pairs: [
      { cleanSeconds: 1, shortSeconds: 1.3, ratio: 1.3, cpuRatio: 1.01 },
      { cleanSeconds: 1, shortSeconds: 1.1, ratio: 1.1, cpuRatio: 1 },
      { cleanSeconds: 1, shortSeconds: 1.25, ratio: 1.25, cpuRatio: 1.02 },
    ],
    medianRatio: 1.25,
    medianCpuRatio: 1.01,
  },
  getMovie: { calls: 1000, medianMs: 1.5, p99Ms: 6, roundTripsPerCall: 1 },
  sdkLogging: {
    batchesPerRound: 100,
    rounds: 4,
    withLoggerUsPerRow: 30,
    withoutLoggerUsPerRow: 21,
    ratio: 0.7,
    method: "4 rounds of 100 batches",
  },
  bundles: [
    {
      name: "get-movie",
      functionName: "get-movie-dev",
      zipKiB: 116,
      initMs: 90,
      initCpuMs: 46,
      initCpuVsGetMovie: 1,
    },
  ],
  synth: {
    stacks: ["movies-dev"],
    medianMs: 2100,
    peakRssMiB: null,
    cpuSource: "perf stat task-clock",
    baseline: "/tmp/before",
    triples: [
      {
        baseline: { cpuMs: 2200, wallMs: 5000 },
        cold: { cpuMs: 1700, wallMs: 4000 },
        warm: { cpuMs: 990, wallMs: 3000 },
        warmVsColdCpu: 0.58,
        warmVsBaselineCpu: 0.45,
      },
    ],
    medianWarmVsColdCpu: 0.58,
    medianWarmVsBaselineCpu: 0.45,
  },
  totalSeconds: 12,
};

describe("checks", () => {
  it("holds each figure against its target", () => {
    expect(checks(results)).toEqual([
      { figure: "ingest vs bare loop, median of 3 pairs", value: "90%", target: "≥ 90%", met: true },
      { figure: "peak RSS 1000 − 10 rows", value: "70 MiB", target: "≤ 64 MiB", met: false },
      {
        figure: "short first line vs clean, 1000 rows, median of 3 pairs",
        value: "1.25×",
        target: "≤ 1.2×",
        met: false,
      },
      { figure: "get-movie round trips per call", value: "1", target: "1", met: true },
      { figure: "get-movie-dev zip", value: "116 KiB", target: "< 250 KiB", met: true },
      { figure: "get-movie-dev cold init (CPU)", value: "46 ms", target: "≤ 45 ms", met: false },
      { figure: "synth wall time", value: "2100 ms", target: "< 3000 ms", met: true },
      {
        figure: "warm-cache synth ÷ baseline synth (CPU), median of 1",
        value: "0.45",
        target: "≤ 0.5",
        met: true,
      },
    ]);
  });

  it("checks nothing for sections that did not run", () => {
    expect(checks({ machine: { cpus: 2 } })).toEqual([]);
  });
});

describe("formatReport", () => {
  it("prints the machine's load, a table per section that ran with its method, then the targets", () => {
    const report = formatReport({ ...results, checks: checks(results) });
    expect(report).toContain("load average 3.5 2 1 at the start, 4 2.5 1.5 at the end");
    expect(report).toContain("3 alternated pairs (handler, bare, ...) over the same 1000 rows");
    expect(report).toContain(
      "| warm-up | 60             | 100              | 0.6   | 50                 | 30 ",
    );
    expect(report).toContain(
      "| median  | 95             | 100              | 0.9   | 41                 | 30 ",
    );
    expect(report).toContain("| 1000 | 1        | 2       | 500    | 170          |");
    expect(report).toContain(
      "The SDK's logger middleware (removed from every function's clients): 4 rounds of 100 batches\n" +
        "| with it µs/row | without µs/row | without ÷ with |\n" +
        "|----------------|----------------|----------------|\n" +
        "| 30             | 21             | 0.7            |",
    );
    expect(report).toContain("| median |         |                    | 1.25  | 1.01      |");
    expect(report).toContain("| get-movie-dev | get-movie | 116     | 90      | 46          |");
    expect(report).toContain("| 2100    | n/a          |");
    expect(report).toContain("with an empty cache, then a warm one, after /tmp/before's synth, alternated");
    expect(report).toContain(
      "| 1 | 2200 / 5000            | 1700 / 4000        | 990 / 3000         | 0.58      | 0.45          |",
    );
    expect(report).toContain("| get-movie-dev cold init (CPU)");
    expect(report.endsWith("bench/results.json written; 12 s in all\n")).toBe(true);
    expect(report).not.toContain("Concurrency sweep");
    expect(report).not.toContain("Dirty file");
  });
});

describe("formatReport of an earlier results.json", () => {
  it("prints ingest pairs written before the warm-up pair without a warm-up row or its method note", () => {
    const ingest = results.ingest as NonNullable<BenchResults["ingest"]>;
    const pairs = { ...ingest.pairs, warmUp: undefined };
    const report = formatReport({ machine: results.machine, ingest: { ...ingest, pairs } });
    expect(report).toContain("| 1      | 95 ");
    expect(report).not.toContain("warm-up |");
    expect(report).not.toContain("a first pair warms up");
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

  it("alternates the two sides of each pair: a, b, a, b", async () => {
    const order: string[] = [];
    const pairs = await alternatedPairs(
      3,
      async (i) => (order.push(`a${i}`), i),
      async (i) => (order.push(`b${i}`), i * 10),
    );
    expect(order).toEqual(["a0", "b0", "a1", "b1", "a2", "b2"]);
    expect(pairs).toEqual([
      { a: 0, b: 0 },
      { a: 1, b: 10 },
      { a: 2, b: 20 },
    ]);
  });
});
