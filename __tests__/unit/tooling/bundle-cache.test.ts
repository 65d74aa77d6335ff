import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BundleCache, type BundleOutput, type BundleRequest } from "../../../tooling/bundle-cache";

/** The cache on a project of its own: the lockfile and inputs are the test's to change. */
describe("BundleCache", () => {
  let root: string;
  let request: BundleRequest;
  const output: BundleOutput = {
    files: { "index.js": Buffer.from("exports.handler = () => 1;\n") },
    zip: Buffer.from("not really a zip, but bytes all the same"),
  };
  const cache = () => new BundleCache(join(root, "cache"), root, "0.25.0");

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "bundle-cache-"));
    mkdirSync(join(root, "src"));
    writeFileSync(join(root, "package.json"), "{}");
    writeFileSync(join(root, "package-lock.json"), '{"lockfileVersion":3}');
    writeFileSync(join(root, "src", "index.ts"), "export const handler = () => 1;\n");
    request = { entry: join(root, "src", "index.ts"), outDir: join(root, "out"), optionsKey: "{}" };
    cache().store(request, ["src/index.ts"], output);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("finds what it stored, with the inputs, while nothing changed (tsconfig.json may be absent)", () => {
    expect(cache().lookup(request)).toEqual({ output, inputs: ["src/index.ts"] });
  });

  it("misses when the lockfile changes: another install may hold other package code", () => {
    writeFileSync(join(root, "package-lock.json"), '{"lockfileVersion":3,"packages":{}}');
    expect(cache().lookup(request)).toBeUndefined();
  });

  it("misses when an input is gone, or the esbuild version or options differ", () => {
    expect(new BundleCache(join(root, "cache"), root, "0.26.0").lookup(request)).toBeUndefined();
    expect(cache().lookup({ ...request, optionsKey: '{"minify":false}' })).toBeUndefined();
    rmSync(join(root, "src", "index.ts"));
    expect(cache().lookup(request)).toBeUndefined();
  });

  it("files nothing built from packages outside the root (a clone whose node_modules links to another checkout's)", () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "bundle-cache-elsewhere-"));
    try {
      mkdirSync(join(elsewhere, "node_modules"));
      writeFileSync(join(elsewhere, "node_modules", "dep.js"), "module.exports = 1;\n");
      const other = { ...request, optionsKey: '{"other":true}' };
      cache().store(other, ["src/index.ts", join(elsewhere, "node_modules", "dep.js")], output);
      expect(cache().lookup(other)).toBeUndefined();
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("never fails the build when it cannot write", () => {
    writeFileSync(join(root, "blocked"), "a file where the cache folder should be");
    const blocked = new BundleCache(join(root, "blocked"), root, "0.25.0");
    expect(() => blocked.store(request, ["src/index.ts"], output)).not.toThrow();
    expect(blocked.lookup(request)).toBeUndefined();
  });
});
