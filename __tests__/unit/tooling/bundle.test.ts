import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import {
  bundle,
  Bundler,
  DEFAULT_RUNTIME,
  esbuildTarget,
  functionEntries,
  type Bundle,
  type BundleProps,
} from "../../../tooling/bundle";
import * as esbuildSync from "../../../tooling/esbuild-sync";

// The real esbuild builds, counted: the bundler promises one per set of options, whatever the number of entries.
jest.mock("../../../tooling/esbuild-sync", () => {
  const actual = jest.requireActual<typeof esbuildSync>("../../../tooling/esbuild-sync");
  return { ...actual, buildWithPlugins: jest.fn(actual.buildWithPlugins) };
});
const buildWithPlugins = esbuildSync.buildWithPlugins as jest.MockedFunction<
  typeof esbuildSync.buildWithPlugins
>;

describe("esbuildTarget", () => {
  it("derives the target from the runtime", () => {
    expect(esbuildTarget("nodejs22.x")).toBe("node22");
    expect(esbuildTarget("nodejs20.x")).toBe("node20");
  });

  it("refuses runtimes that are not Node.js", () => {
    expect(() => esbuildTarget("python3.12")).toThrow(
      'Unsupported Lambda runtime "python3.12": expected nodejsNN.x',
    );
  });
});

let dir: string;
let cacheDir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "bundle-test-"));
  cacheDir = join(dir, "cache");
  buildWithPlugins.mockClear();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, code: string): string {
  const file = join(dir, path);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, code);
  return file;
}

const handlerV1 = `export const handler = async (): Promise<number> => 1;\n`;

/** A fresh bundler on this test's cache: what the next synth or test file would be. */
const cached = () => new Bundler({ cacheDir });
const uncached = () => new Bundler({ cacheDir: null });

function props(entry: string, name: string, extra: Partial<BundleProps> = {}): BundleProps {
  return { entry, runtime: "nodejs22.x", outDir: join(dir, "out", name), ...extra };
}

/** The bundle's zip and unzipped files, read back from disk. */
function onDisk(built: Bundle) {
  const zip = readFileSync(built.zipPath);
  const files = Object.fromEntries(
    readdirSync(built.outDir).map((name) => [name, readFileSync(join(built.outDir, name), "utf8")]),
  );
  return { zip, files };
}

describe("Bundler", () => {
  it("writes a CommonJS index.js exporting handler, and a zip whose hash is filebase64sha256's", async () => {
    const built = uncached().bundle(props(write("fn/index.ts", handlerV1), "fn"));

    const zip = readFileSync(built.zipPath);
    expect(built.sha256).toBe(createHash("sha256").update(zip).digest("base64"));
    expect(built.zipBytes).toBe(zip.byteLength);
    expect(Object.keys(unzipSync(zip))).toEqual(["index.js"]);

    const mod = (await import(join(built.outDir, "index.js"))) as { handler: () => Promise<number> };
    await expect(mod.handler()).resolves.toBe(1);
  });

  it("gives the same hash for the same code, and another hash when the code changes", () => {
    const bundler = uncached();
    const a = bundler.bundle(props(write("a/index.ts", handlerV1), "a"));
    const b = bundler.bundle(props(write("b/index.ts", handlerV1), "b"));
    const c = bundler.bundle(props(write("c/index.ts", handlerV1.replace("1", "2")), "c"));
    expect(a.sha256).toBe(b.sha256);
    expect(c.sha256).not.toBe(a.sha256);
  });

  it("adds the source map to the zip when asked", () => {
    const built = uncached().bundle(
      props(write("mapped/index.ts", handlerV1), "mapped", { sourceMap: true }),
    );
    expect(Object.keys(unzipSync(readFileSync(built.zipPath))).sort()).toEqual(["index.js", "index.js.map"]);
  });

  it("leaves externalModules out of the bundle", () => {
    const entry = write(
      "ext/index.ts",
      `import { x } from "some-runtime-module";\nexport const handler = async () => x;\n`,
    );
    const built = uncached().bundle(props(entry, "ext", { externalModules: ["some-runtime-module"] }));
    expect(readFileSync(join(built.outDir, "index.js"), "utf8")).toContain('require("some-runtime-module")');
  });

  it("bundles many functions in one esbuild call per set of options, each as its own build would", () => {
    const entries = ["a", "b", "c"].map((name) =>
      write(`${name}/index.ts`, `export const handler = async () => "${name}";\n`),
    );
    const together = uncached().bundleAll([
      ...entries.map((entry, i) => props(entry, `together-${i}`)),
      props(entries[0] as string, "unminified", { minify: false }),
    ]);
    expect(buildWithPlugins).toHaveBeenCalledTimes(2);

    const alone = entries.map((entry, i) => uncached().bundle(props(entry, `alone-${i}`)));
    expect(together.slice(0, 3).map((b) => b.sha256)).toEqual(alone.map((b) => b.sha256));
    expect(together[3]?.sha256).not.toBe(together[0]?.sha256);
  });

  it("builds a request once per bundler, however often it is asked for", () => {
    const bundler = uncached();
    const request = props(write("fn/index.ts", handlerV1), "fn");
    const first = bundler.bundle(request);
    expect(bundler.bundleAll([request, request])).toEqual([first, first]);
    expect(buildWithPlugins).toHaveBeenCalledTimes(1);
  });

  it("lists the files the bundle was built from, packages included", () => {
    const entry = write(
      "deps/index.ts",
      `import { d } from "./dep";\nexport const handler = async () => d;\n`,
    );
    write("deps/dep.ts", `export const d = 1;\n`);
    const built = uncached().bundle(props(entry, "deps"));
    expect(built.inputs).toHaveLength(2);
    expect(built.inputs.every((input) => /\/deps\/(index|dep)\.ts$/.test(input))).toBe(true);
  });
});

describe("Bundler with a cache", () => {
  /** An entry that imports a second source file, so a change esbuild read but not the entry is seen. */
  function twoFiles(value: string): string {
    write("dep.ts", `export const value = ${value};\n`);
    return write(
      "fn/index.ts",
      `import { value } from "../dep";\nexport const handler = async () => value;\n`,
    );
  }

  it("restores, without esbuild, exactly the bytes an uncached build writes", () => {
    const request = props(twoFiles("1"), "fn", { sourceMap: true });
    const reference = onDisk(uncached().bundle(request));

    const first = cached().bundle(request);
    const second = cached().bundle(request);

    expect([first.fromCache, second.fromCache]).toEqual([false, true]);
    expect(buildWithPlugins).toHaveBeenCalledTimes(2);
    expect(onDisk(second)).toEqual(reference);
    expect(second.sha256).toBe(createHash("sha256").update(reference.zip).digest("base64"));
    expect(second).toEqual({ ...first, fromCache: true });
  });

  it("misses when a file the bundle read changes, and finds the old build again when it changes back", () => {
    const request = props(twoFiles("1"), "fn");
    const v1 = cached().bundle(request);

    twoFiles("2");
    const v2 = cached().bundle(request);
    const v2Files = onDisk(v2);
    const v2Uncached = onDisk(uncached().bundle(request));
    twoFiles("1");
    const v1Again = cached().bundle(request);

    expect(v2.fromCache).toBe(false);
    expect(v2.sha256).not.toBe(v1.sha256);
    expect(v2Files).toEqual(v2Uncached);
    expect(v1Again).toEqual({ ...v1, fromCache: true });
  });

  it("misses when a new file changes what an import resolves to", () => {
    const entry = write(
      "fn/index.ts",
      `import { value } from "./dep";\nexport const handler = async () => value;\n`,
    );
    write("fn/dep.ts", `export const value = "from .ts";\n`);
    const before = cached().bundle(props(entry, "fn"));
    // esbuild tries .tsx before .ts: the new file wins, though no file read before has changed.
    write("fn/dep.tsx", `export const value = "from .tsx";\n`);
    const after = cached().bundle(props(entry, "fn"));

    expect(after.fromCache).toBe(false);
    expect(after.sha256).not.toBe(before.sha256);
    expect(readFileSync(join(after.outDir, "index.js"), "utf8")).toContain("from .tsx");
  });

  it("keeps builds with other options apart", () => {
    const entry = twoFiles("1");
    const minified = cached().bundle(props(entry, "fn"));
    const plain = cached().bundle(props(entry, "fn", { minify: false }));
    expect(plain.fromCache).toBe(false);
    expect(plain.sha256).not.toBe(minified.sha256);
  });

  it("rebuilds, rather than restores, an entry whose files were damaged", () => {
    const request = props(twoFiles("1"), "fn");
    const good = cached().bundle(request);
    const [entry] = readdirSync(cacheDir).filter((name) => name !== "requests");
    writeFileSync(join(cacheDir, entry as string, "files", "index.js"), "exports.handler = () => 666;\n");

    const rebuilt = cached().bundle(request);
    expect(rebuilt).toEqual(good);
    expect(readFileSync(join(rebuilt.outDir, "index.js"), "utf8")).not.toContain("666");
    expect(cached().bundle(request).fromCache).toBe(true);
  });
});

describe("the project's functions", () => {
  it("bundle the environment-only credential provider in place of the SDK's default chain", () => {
    // The process-wide bundler, as synth uses it: the global synth has filed these bundles already.
    const chain =
      /node_modules\/@aws-sdk\/(credential-provider-(?!env\/)|nested-clients\/|token-providers\/)/;
    const entries = functionEntries();
    expect(entries).toEqual([
      "lambdas/get-movie/index.ts",
      "lambdas/notify/index.ts",
      "lambdas/orders/index.ts",
      "lambdas/update-rating/index.ts",
      "lambdas/upload-infos/index.ts",
      "lambdas/upload-infos-batch/index.ts",
    ]);
    for (const entry of entries) {
      const { inputs } = bundle({ entry, runtime: DEFAULT_RUNTIME });
      expect({ entry, chain: inputs.filter((input) => chain.test(input)) }).toEqual({ entry, chain: [] });
      expect(inputs).toEqual(
        expect.arrayContaining([
          "lambdas/shared/env-credentials.ts",
          expect.stringMatching(/^node_modules\/@aws-sdk\/credential-provider-env\//),
        ]),
      );
    }
  });

  it("keep the SDK's chain external when a caller says so", () => {
    const entry = write(
      "chain/index.ts",
      `import { defaultProvider } from "@aws-sdk/credential-provider-node";\nexport const handler = async () => defaultProvider;\n`,
    );
    const built = uncached().bundle(
      props(entry, "chain", { externalModules: ["@aws-sdk/credential-provider-node"] }),
    );
    expect(readFileSync(join(built.outDir, "index.js"), "utf8")).toContain(
      'require("@aws-sdk/credential-provider-node")',
    );
  });
});
