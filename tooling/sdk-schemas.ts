import { readFileSync } from "node:fs";
import type { Plugin } from "esbuild";

/**
 * Each AWS SDK v3 client describes every operation of its service in one generated module,
 * `dist-es/schemas/schemas_0.js`: a string constant per name (`const _hH = "httpHeader"`), then one array
 * per shape, with traits written as computed keys (`{ [_hH]: _B }`). esbuild cannot tell that a computed
 * key is a plain string, so it keeps every shape as if building it had side effects: each bundle carried
 * the schemas of all of its clients' operations (S3's were 66 KiB minified, 15 % of upload-infos), which V8
 * compiles and runs at every cold start. Written as the string literals they stand for, the keys are plain
 * data again and esbuild drops the shapes nothing uses; what the code reads at run time is unchanged.
 */
export const SDK_SCHEMA_FILE =
  /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

/** Part of the bundle cache's key: bump it whenever {@link literalSchemaKeys} changes what it writes. */
export const SDK_SCHEMA_TRANSFORM = "sdk-schema-literal-keys/1";

const STRING_CONSTANT = /^const (_[A-Za-z0-9_]+) = ("(?:[^"\\\n]|\\.)*");$/gm;
const COMPUTED_KEY = /\[(_[A-Za-z0-9_]+)\]:/g;

/**
 * `source` with each computed key `[_x]:` whose name is one of the module's top-level string constants
 * replaced by that string (`"httpHeader":`). Other computed keys, and everything else, stay as they are.
 */
export function literalSchemaKeys(source: string): string {
  const strings = new Map<string, string>();
  for (const [, name, literal] of source.matchAll(STRING_CONSTANT))
    strings.set(name as string, literal as string);
  return source.replace(COMPUTED_KEY, (key, name: string) => {
    const literal = strings.get(name);
    return literal === undefined ? key : `${literal}:`;
  });
}

/**
 * Every plugin a function's bundle is built with, in the one list that synth's builds (bundle-worker.ts) and
 * the local run's reload (`esbuildOptions`) share, so that what runs locally is what synth bundles.
 */
export function bundlePlugins(): Plugin[] {
  return [sdkSchemaPlugin()];
}

/** The esbuild plugin that applies {@link literalSchemaKeys} to the SDK clients' schema modules. */
export function sdkSchemaPlugin(): Plugin {
  return {
    name: "sdk-schema-literal-keys",
    setup(build) {
      build.onLoad({ filter: SDK_SCHEMA_FILE }, (args) => ({
        contents: literalSchemaKeys(readFileSync(args.path, "utf8")),
        loader: "js",
      }));
    },
  };
}
