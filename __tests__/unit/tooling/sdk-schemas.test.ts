import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bundler, DEFAULT_RUNTIME } from "../../../tooling/bundle";
import { literalSchemaKeys, SDK_SCHEMA_FILE } from "../../../tooling/sdk-schemas";

describe("literalSchemaKeys", () => {
  it("writes computed keys named by the module's string constants as those strings, and nothing else", () => {
    const source = [
      'const _hH = "httpHeader";',
      'const _e = "error";',
      'const n0 = "com.amazonaws.s3";',
      "export var A$ = [3, n0, _e, { [_hH]: _e, [other]: 1, [_missing]: 2 }, [], []];",
      "",
    ].join("\n");
    expect(literalSchemaKeys(source)).toBe(
      [
        'const _hH = "httpHeader";',
        'const _e = "error";',
        'const n0 = "com.amazonaws.s3";',
        'export var A$ = [3, n0, _e, { "httpHeader": _e, [other]: 1, [_missing]: 2 }, [], []];',
        "",
      ].join("\n"),
    );
  });

  it("applies to the clients' generated schema modules only", () => {
    expect(SDK_SCHEMA_FILE.test("/p/node_modules/@aws-sdk/client-s3/dist-es/schemas/schemas_0.js")).toBe(
      true,
    );
    expect(SDK_SCHEMA_FILE.test("/p/node_modules/@aws-sdk/client-s3/dist-es/S3Client.js")).toBe(false);
    expect(SDK_SCHEMA_FILE.test("/p/node_modules/@aws-sdk/core/dist-es/schemas/schemas_0.js")).toBe(false);
  });
});

describe("a function's bundle", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "sdk-schemas-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("holds the schemas of the S3 operations upload-infos calls, and none of the others", () => {
    const built = new Bundler({ cacheDir: null }).bundle({
      entry: "lambdas/upload-infos/index.ts",
      runtime: DEFAULT_RUNTIME,
      outDir: join(dir, "upload-infos"),
    });
    const code = readFileSync(join(built.outDir, "index.js"), "utf8");
    expect(code).toContain('"GetObjectRequest"');
    for (const unused of [
      "PutBucketLifecycleConfigurationRequest",
      "ListObjectsV2Output",
      "SelectObjectContentRequest",
    ]) {
      expect(code).not.toContain(`"${unused}"`);
    }
  });
});
