import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { bundle, esbuildTarget } from "../../../tooling/bundle";

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

describe("bundle", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "bundle-test-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function writeEntry(name: string, code: string): string {
    const entryDir = join(dir, name);
    mkdirSync(entryDir, { recursive: true });
    const entry = join(entryDir, "index.ts");
    writeFileSync(entry, code);
    return entry;
  }

  const handlerV1 = `export const handler = async (): Promise<number> => 1;\n`;

  it("writes a CommonJS index.js exporting handler, and a zip whose hash is filebase64sha256's", async () => {
    const entry = writeEntry("fn", handlerV1);
    const built = bundle({ entry, runtime: "nodejs22.x", outDir: join(dir, "out", "fn") });

    const zip = readFileSync(built.zipPath);
    expect(built.sha256).toBe(createHash("sha256").update(zip).digest("base64"));
    expect(built.zipBytes).toBe(zip.byteLength);
    expect(Object.keys(unzipSync(zip))).toEqual(["index.js"]);

    const mod = (await import(join(built.outDir, "index.js"))) as { handler: () => Promise<number> };
    await expect(mod.handler()).resolves.toBe(1);
  });

  it("gives the same hash for the same code, and another hash when the code changes", () => {
    const a = bundle({
      entry: writeEntry("a", handlerV1),
      runtime: "nodejs22.x",
      outDir: join(dir, "out", "a"),
    });
    const b = bundle({
      entry: writeEntry("b", handlerV1),
      runtime: "nodejs22.x",
      outDir: join(dir, "out", "b"),
    });
    const c = bundle({
      entry: writeEntry("c", `export const handler = async (): Promise<number> => 2;\n`),
      runtime: "nodejs22.x",
      outDir: join(dir, "out", "c"),
    });
    expect(a.sha256).toBe(b.sha256);
    expect(c.sha256).not.toBe(a.sha256);
  });

  it("adds the source map to the zip when asked", () => {
    const built = bundle({
      entry: writeEntry("mapped", handlerV1),
      runtime: "nodejs22.x",
      outDir: join(dir, "out", "mapped"),
      sourceMap: true,
    });
    expect(Object.keys(unzipSync(readFileSync(built.zipPath))).sort()).toEqual(["index.js", "index.js.map"]);
  });

  it("leaves externalModules out of the bundle", () => {
    const entry = writeEntry(
      "ext",
      `import { x } from "some-runtime-module";\nexport const handler = async () => x;\n`,
    );
    const built = bundle({
      entry,
      runtime: "nodejs22.x",
      outDir: join(dir, "out", "ext"),
      externalModules: ["some-runtime-module"],
    });
    expect(readFileSync(join(built.outDir, "index.js"), "utf8")).toContain('require("some-runtime-module")');
  });
});
