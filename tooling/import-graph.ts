import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** Module → the modules it imports, as project-relative paths (`constructs/table.ts`). */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** Folders that hold no source of ours, or only tests (tests may import anything). */
const SKIPPED = new Set([
  "node_modules",
  "dist",
  "cdktf.out",
  "cdktf.out.hcl",
  "cdktf.out.bootstrap",
  "coverage",
  "__tests__",
  ".git",
]);

/**
 * `import ... from "x"`, `export ... from "x"`, `import "x"`, `import("x")` and `require("x")`. Type-only
 * imports count: a cycle of types is still two modules that cannot be understood apart.
 */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"']+)["']/g;

/** Every non-test `.ts` file under `root`, project-relative, sorted. */
export function sourceFiles(root: string, dir = root): string[] {
  return readdirSync(dir)
    .filter((entry) => !SKIPPED.has(entry) && !entry.startsWith("."))
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return sourceFiles(root, path);
      return /\.ts$/.test(entry) && !/\.(test|d)\.ts$/.test(entry) ? [relative(root, path)] : [];
    })
    .sort();
}

/** The relative imports of one source text that resolve to a `.ts` file of the project. */
export function importsOf(root: string, file: string, source: string): string[] {
  const found = new Set<string>();
  for (const match of source.matchAll(SPECIFIER)) {
    const specifier = match[1];
    if (!specifier?.startsWith(".")) continue;
    const base = resolve(root, dirname(file), specifier);
    const target = [`${base}.ts`, join(base, "index.ts")].find((candidate) => existsSync(candidate));
    if (target) found.add(relative(root, target));
  }
  return [...found].sort();
}

/** The import graph of every non-test `.ts` file of the project. */
export function importGraph(root: string): ImportGraph {
  return new Map(
    sourceFiles(root).map((file) => [file, importsOf(root, file, readFileSync(join(root, file), "utf8"))]),
  );
}

/**
 * The import cycles of `graph`: each strongly connected component of more than one module (or a module
 * importing itself), as its modules in a loop order, sorted. Empty when imports only point one way.
 */
export function findCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node) ?? 0);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.reverse());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);
  return cycles.sort((a, b) => (a[0] ?? "").localeCompare(b[0] ?? ""));
}
