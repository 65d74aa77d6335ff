import { execFileSync } from "node:child_process";
import { projectRoot } from "../../../tooling/project-root";

/**
 * Lints each source as if saved at its path, with the project's eslint.config.mjs, through ESLint's Node
 * API. In a child process: jest's module sandbox cannot import an ES module config.
 */
function lintAll(cases: readonly (readonly [string, string])[]): string[][] {
  const script = `
    const { ESLint } = require("eslint");
    const cases = JSON.parse(process.argv[1]);
    const eslint = new ESLint({ cwd: process.cwd() });
    Promise.all(cases.map(([file, source]) => eslint.lintText(source, { filePath: file })))
      .then((results) => console.log(JSON.stringify(results.map(([r]) => r.messages.map((m) => m.ruleId + ": " + m.message)))));
  `;
  const out = execFileSync(process.execPath, ["-e", script, JSON.stringify(cases)], {
    cwd: projectRoot,
    encoding: "utf8",
  });
  return JSON.parse(out) as string[][];
}

const source = (specifier: string) => `import * as m from "${specifier}";\nexport const x = m;\n`;

const REJECTED: readonly (readonly [string, string])[] = [
  ["constructs/scratch.ts", "../operations/monitoring"],
  ["constructs/core/scratch.ts", "../table"],
  ["constructs/core/scratch.ts", "../../operations/guardrails"],
  ["tooling/scratch.ts", "../constructs/core/naming"],
  ["operations/scratch.ts", "../stacks/config"],
  ["stacks/scratch.ts", "../local/terraform"],
  ["lambdas/orders/scratch.ts", "../../constructs/table"],
  ["lambdas/orders/scratch.ts", "cdktf"],
  ["containers/catalog/scratch.ts", "../../stacks/catalog-stack"],
  ["containers/catalog/scratch.ts", "cdktf"],
];

const ALLOWED: readonly (readonly [string, string])[] = [
  ["constructs/scratch.ts", "./core/naming"],
  ["constructs/scratch.ts", "../tooling/bundle"],
  ["constructs/core/scratch.ts", "./naming"],
  ["constructs/core/scratch.ts", "../../tooling/project-root"],
  ["operations/scratch.ts", "../constructs/table"],
  ["stacks/scratch.ts", "../operations/monitoring"],
  ["local/scratch.ts", "../stacks/config"],
  ["containers/catalog/scratch.ts", "../../lambdas/shared/http"],
];

let rejected: string[][];
let allowed: string[][];

beforeAll(() => {
  const results = lintAll(
    [...REJECTED, ...ALLOWED].map(([file, specifier]) => [file, source(specifier)] as const),
  );
  rejected = results.slice(0, REJECTED.length);
  allowed = results.slice(REJECTED.length);
}, 60_000);

describe("one-way layers (eslint no-restricted-imports)", () => {
  it("rejects a resource construct importing operations/ (monitoring), naming the layers", () => {
    expect(rejected[0]).toEqual([
      "no-restricted-imports: '../operations/monitoring' import is restricted from being used by a pattern. " +
        "A resource construct imports only constructs/, constructs/core/ and tooling/: it describes what can be " +
        "watched (metric*()), the stack's monitoring (operations/) decides.",
    ]);
  });

  it.each(REJECTED.map(([file, specifier], i) => [file, specifier, i] as const))(
    "rejects %s importing %s (upwards)",
    (_file, _specifier, i) => {
      expect(rejected[i]).toEqual([expect.stringMatching(/^no-restricted-imports: /)]);
    },
  );

  it.each(ALLOWED.map(([file, specifier], i) => [file, specifier, i] as const))(
    "allows %s importing %s (downwards)",
    (_file, _specifier, i) => {
      expect(allowed[i]).toEqual([]);
    },
  );
});
