import { findCycles, importGraph, importsOf } from "../../../tooling/import-graph";
import { projectRoot } from "../../../tooling/project-root";

describe("import cycles", () => {
  it("no module of the project imports itself through others (type imports included)", () => {
    const graph = importGraph(projectRoot);
    expect(graph.get("constructs/table.ts")).toEqual(
      expect.arrayContaining(["constructs/core/metrics.ts", "constructs/core/naming.ts"]),
    );
    expect(graph.has("__tests__/unit/tooling/import-graph.test.ts")).toBe(false);
    expect(findCycles(graph)).toEqual([]);
  });

  it("finds a cycle, a self-import, and nothing in a one-way graph", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts", "d.ts"]],
      ["d.ts", []],
      ["e.ts", ["e.ts"]],
    ]);
    expect(findCycles(graph)).toEqual([["a.ts", "b.ts", "c.ts"], ["e.ts"]]);
    expect(
      findCycles(
        new Map([
          ["a.ts", ["b.ts"]],
          ["b.ts", []],
        ]),
      ),
    ).toEqual([]);
  });

  it("reads value, type, re-export, side-effect and dynamic imports, and skips packages", () => {
    const source = [
      'import { Construct } from "constructs";',
      'import type { Metric } from "./core/metrics";',
      'export { tfName } from "./core/naming";',
      'import "./core/iam";',
      'const x = import("./table");',
    ].join("\n");
    expect(importsOf(projectRoot, "constructs/queue.ts", source)).toEqual([
      "constructs/core/iam.ts",
      "constructs/core/metrics.ts",
      "constructs/core/naming.ts",
      "constructs/table.ts",
    ]);
  });
});
