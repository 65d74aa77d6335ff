import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { preProcessFile } from "typescript";
import { projectRoot } from "../../../tooling/project-root";

/**
 * The Lambda layer's boundaries, checked on the source: the handlers are the innermost layer, so they
 * import nothing of the infrastructure, and the infrastructure reads only their import-free contracts.
 * A failure names the file and the import that crosses the line.
 */

/** Packages that only infra code may use: bundling one into a function would ship the synth toolchain. */
const INFRA_PACKAGES = [/^cdktf($|\/)/, /^@cdktf\//, /^constructs($|\/)/, /^esbuild($|\/)/, /^fflate($|\/)/];

/** Infra folders whose code must reach into lambdas/ only through contracts. */
const INFRA_ROOTS = ["main.ts", "stacks", "constructs", "review"];

/** Contracts: shared by a function and the stack that deploys it, and therefore free of imports. */
const isContract = (file: string) => /(^|[/-])contract\.ts$/.test(file);

function sourceFiles(path: string): string[] {
  const absolute = join(projectRoot, path);
  if (path.endsWith(".ts")) return [path];
  return readdirSync(absolute, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
    .map((file) => join(path, file).split(sep).join("/"))
    .sort();
}

/** Every module specifier a file imports, re-exports, requires or imports dynamically. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(projectRoot, file), "utf8");
  return preProcessFile(text, true, true).importedFiles.map((imported) => imported.fileName);
}

/** A relative specifier as a project path (`lambdas/orders/contract`), or undefined for a package. */
function projectPath(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  return relative(projectRoot, resolve(projectRoot, dirname(file), specifier))
    .split(sep)
    .join("/");
}

describe("the Lambda layer", () => {
  const lambdaFiles = sourceFiles("lambdas");

  it("has source files to check", () => {
    expect(lambdaFiles).toEqual(expect.arrayContaining(["lambdas/orders/contract.ts"]));
  });

  it("imports nothing outside lambdas/ and no infra package", () => {
    const crossings = lambdaFiles.flatMap((file) =>
      importsOf(file)
        .filter((specifier) => {
          const path = projectPath(file, specifier);
          if (path !== undefined) return !path.startsWith("lambdas/");
          return INFRA_PACKAGES.some((pattern) => pattern.test(specifier));
        })
        .map((specifier) => `${file} imports ${specifier}`),
    );
    expect(crossings).toEqual([]);
  });

  it("keeps its contracts free of imports, so infra code that reads them pulls in no Lambda code", () => {
    const contracts = lambdaFiles.filter(isContract);
    expect(contracts).toEqual(
      expect.arrayContaining(["lambdas/orders/contract.ts", "lambdas/shared/movies-contract.ts"]),
    );
    const imports = contracts.flatMap((file) =>
      importsOf(file).map((specifier) => `${file} imports ${specifier}`),
    );
    expect(imports).toEqual([]);
  });

  it("is read by infra code through contracts only", () => {
    const leaks = INFRA_ROOTS.flatMap(sourceFiles).flatMap((file) =>
      importsOf(file)
        .filter((specifier) => {
          const path = projectPath(file, specifier);
          return path !== undefined && path.startsWith("lambdas/") && !isContract(`${path}.ts`);
        })
        .map((specifier) => `${file} imports ${specifier}`),
    );
    expect(leaks).toEqual([]);
  });
});
