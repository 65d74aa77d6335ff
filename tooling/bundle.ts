import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { buildSync, type BuildOptions } from "esbuild";
import { zipSync } from "fflate";
import { projectRoot } from "./project-root";

/** Bundling options, named like aws-cdk-lib's `NodejsFunction` so the idiom carries over. */
export interface BundlingOptions {
  /**
   * Minify the bundle.
   * @default true
   */
  readonly minify?: boolean;
  /**
   * Emit an external source map (`index.js.map`) into the zip; `BundledFunction` then adds
   * `--enable-source-maps` to the function's NODE_OPTIONS so stack traces point at the TypeScript.
   * @default false
   */
  readonly sourceMap?: boolean;
  /**
   * Modules left out of the bundle, to be resolved from the runtime.
   * @default [] — everything is bundled, the AWS SDK v3 clients included
   */
  readonly externalModules?: readonly string[];
}

export interface BundleProps extends BundlingOptions {
  /** Path of the handler's entry file, relative to the project root (`lambdas/get-movie/index.ts`). */
  readonly entry: string;
  /** The Lambda runtime the bundle is for (`nodejs22.x`); the esbuild target is derived from it. */
  readonly runtime: string;
  /**
   * Where the bundle is written, relative to the project root.
   * @default `dist/lambdas/<entry's folder name>`
   */
  readonly outDir?: string;
}

/** A bundled handler on disk: `index.js` in `outDir`, and a deterministic zip beside it. */
export interface Bundle {
  readonly name: string;
  readonly outDir: string;
  readonly zipPath: string;
  /** base64 SHA-256 of the zip: what Terraform's `filebase64sha256()` of the zip would return. */
  readonly sha256: string;
  readonly zipBytes: number;
}

/** The runtime our functions use unless they say otherwise. */
export const DEFAULT_RUNTIME = "nodejs22.x";

/** Zip entries carry this fixed timestamp so the same code always yields the same zip and hash. */
const ZIP_MTIME = new Date("1980-01-01T00:00:00Z");
/** Regular file, rw-r--r--, as Lambda expects of the files it loads. */
const ZIP_FILE_ATTRS = 0o100644 << 16;

const cache = new Map<string, Bundle>();

/** `nodejs22.x` → `node22`: the bundle targets exactly what the runtime runs. */
export function esbuildTarget(runtime: string): string {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  if (!match) throw new Error(`Unsupported Lambda runtime "${runtime}": expected nodejsNN.x`);
  return `node${match[1]}`;
}

/** What `bundle(props)` resolves its props to: the entry, where it goes, and the options that matter. */
interface ResolvedBundle {
  readonly entry: string;
  readonly name: string;
  readonly outDir: string;
  readonly minify: boolean;
  readonly sourceMap: boolean;
  readonly externalModules: string[];
}

function resolveBundle(props: BundleProps): ResolvedBundle {
  const entry = resolve(projectRoot, props.entry);
  return {
    entry,
    name: basename(dirname(entry)),
    outDir: resolve(projectRoot, props.outDir ?? join("dist", "lambdas", basename(dirname(entry)))),
    minify: props.minify ?? true,
    sourceMap: props.sourceMap ?? false,
    externalModules: [...(props.externalModules ?? [])],
  };
}

/**
 * The esbuild options of a handler's bundle (CommonJS, `exports.handler`), as `bundle()` builds it. The
 * local run's reload builds from the same options in an incremental context, so what runs locally after
 * a save is byte for byte what synth would bundle. Outputs stay in memory (`write: false`).
 */
export function esbuildOptions(props: BundleProps): BuildOptions & { outfile: string } {
  const { entry, outDir, minify, sourceMap, externalModules } = resolveBundle(props);
  return {
    absWorkingDir: projectRoot,
    entryPoints: [entry],
    outfile: join(outDir, "index.js"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: esbuildTarget(props.runtime),
    // ESM builds of the SDK tree-shake far better than their CommonJS twins.
    mainFields: ["module", "main"],
    minify,
    sourcemap: sourceMap ? "external" : false,
    sourcesContent: false,
    legalComments: "none",
    external: externalModules,
    logLevel: "silent",
    write: false,
  };
}

/**
 * Bundles a handler with esbuild (CommonJS, `exports.handler`) and zips it deterministically.
 *
 * We bundle the AWS SDK v3 clients the handler imports instead of using the runtime's copy: the
 * deployed code is then exactly what was tested (no surprise SDK upgrades), and tree-shaking plus
 * minification keep each zip small. Results are memoized per process, since synth and tests build the
 * same stacks repeatedly.
 */
export function bundle(props: BundleProps): Bundle {
  const { entry, name, outDir, minify, sourceMap, externalModules } = resolveBundle(props);
  const key = JSON.stringify([entry, outDir, props.runtime, minify, sourceMap, externalModules]);
  const cached = cache.get(key);
  if (cached) return cached;

  const result = buildSync(esbuildOptions(props));

  mkdirSync(outDir, { recursive: true });
  const files: Record<string, Uint8Array> = {};
  for (const file of result.outputFiles ?? []) {
    writeFileSync(file.path, file.contents);
    files[relative(outDir, file.path)] = file.contents;
  }
  const zip = zipEntries(files);
  const zipPath = `${outDir}.zip`;
  writeFileSync(zipPath, zip);

  const built: Bundle = {
    name,
    outDir,
    zipPath,
    sha256: createHash("sha256").update(zip).digest("base64"),
    zipBytes: zip.byteLength,
  };
  cache.set(key, built);
  return built;
}

function zipEntries(files: Record<string, Uint8Array>): Uint8Array {
  const entries: Record<string, [Uint8Array, { mtime: Date; attrs: number; os: number; level: 9 }]> = {};
  for (const path of Object.keys(files).sort()) {
    const data = files[path] as Uint8Array;
    entries[path] = [data, { mtime: ZIP_MTIME, attrs: ZIP_FILE_ATTRS, os: 3, level: 9 }];
  }
  return zipSync(entries);
}
