import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { version as esbuildVersion, type BuildOptions, type Metafile } from "esbuild";
import { zipSync } from "fflate";
import { BundleCache, type BundleOutput, type BundleRequest } from "./bundle-cache";
import { cacheRoot } from "./cache-root";
import { buildWithPlugins } from "./esbuild-sync";
import { projectRoot } from "./project-root";
import { bundlePlugins, SDK_SCHEMA_TRANSFORM } from "./sdk-schemas";

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
  /** Restored from the bundle cache (same bytes as a build), rather than built by esbuild. */
  readonly fromCache: boolean;
  /** Every file the bundle was built from, relative to the project root (`lambdas/shared/env.ts`), sorted. */
  readonly inputs: readonly string[];
}

/** The runtime our functions use unless they say otherwise. */
export const DEFAULT_RUNTIME = "nodejs22.x";

/** Zip entries carry this fixed timestamp so the same code always yields the same zip and hash. */
const ZIP_MTIME = new Date("1980-01-01T00:00:00Z");
/** Regular file, rw-r--r--, as Lambda expects of the files it loads. */
const ZIP_FILE_ATTRS = 0o100644 << 16;
const ZIP_FORMAT = `zip:${ZIP_MTIME.toISOString()}:${ZIP_FILE_ATTRS}:os3:level9`;

/**
 * The SDK's default credential chain (`@aws-sdk/credential-provider-node`) is replaced in every bundle by
 * the environment-only provider of lambdas/shared/env-credentials.ts: Lambda hands a function its role's
 * credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, the chain's first link.
 * The other links (SSO, ini files, processes, web identity, container and instance metadata) and the
 * STS, SSO and sign-in clients they carry were ~110 KiB of every bundle, compiled by V8 at each cold start
 * and never run.
 */
const CREDENTIAL_CHAIN = "@aws-sdk/credential-provider-node";
const ENV_CREDENTIALS = "./lambdas/shared/env-credentials.ts";

/** `nodejs22.x` → `node22`: the bundle targets exactly what the runtime runs. */
export function esbuildTarget(runtime: string): string {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  if (!match) throw new Error(`Unsupported Lambda runtime "${runtime}": expected nodejsNN.x`);
  return `node${match[1]}`;
}

/** One bundle to make: where it comes from and goes, and the esbuild options that shape it. */
interface Request extends BundleRequest {
  readonly name: string;
  /** Every option but the entry and output paths: requests with equal options share an esbuild call. */
  readonly options: BuildOptions;
}

/**
 * We bundle the AWS SDK v3 clients the handler imports instead of using the runtime's copy: the deployed
 * code is then exactly what was tested (no surprise SDK upgrades), and tree-shaking, minification and the
 * environment-only credential provider keep each zip small and its cold start short.
 */
function buildOptions(props: BundleProps): BuildOptions {
  const external = [...(props.externalModules ?? [])];
  return {
    bundle: true,
    platform: "node",
    format: "cjs",
    target: esbuildTarget(props.runtime),
    // ESM builds of the SDK tree-shake far better than their CommonJS twins.
    mainFields: ["module", "main"],
    minify: props.minify ?? true,
    sourcemap: props.sourceMap ? "external" : false,
    sourcesContent: false,
    legalComments: "none",
    external,
    alias: external.includes(CREDENTIAL_CHAIN) ? {} : { [CREDENTIAL_CHAIN]: ENV_CREDENTIALS },
  };
}

/**
 * The esbuild options of one handler's bundle, as synth builds it (CommonJS, `exports.handler`). The local
 * run's reload builds from the same options in an incremental context, so what runs locally after a save
 * is what synth would bundle, with the same plugins. Outputs stay in memory (`write: false`).
 */
export function esbuildOptions(props: BundleProps): BuildOptions & { outfile: string } {
  const { entry, outDir, options } = toRequest(props);
  return {
    ...options,
    absWorkingDir: projectRoot,
    entryPoints: [entry],
    outfile: join(outDir, "index.js"),
    logLevel: "silent",
    write: false,
    plugins: bundlePlugins(),
  };
}

function toRequest(props: BundleProps): Request {
  const entry = resolve(projectRoot, props.entry);
  const name = basename(dirname(entry));
  const options = buildOptions(props);
  return {
    name,
    entry,
    outDir: resolve(projectRoot, props.outDir ?? join("dist", "lambdas", name)),
    options,
    optionsKey: JSON.stringify([options, SDK_SCHEMA_TRANSFORM, ZIP_FORMAT]),
  };
}

const memoKey = (request: Request) => JSON.stringify([request.entry, request.outDir, request.optionsKey]);

export interface BundlerOptions {
  /**
   * Where bundles are cached across runs; `null` builds every bundle with esbuild.
   * @default `bundles/` in the project's cache folder (`MOVIES_CDKTF_CACHE`, or `~/.cache/movies-cdktf`)
   */
  readonly cacheDir?: string | null;
}

/**
 * Bundles handlers with esbuild (CommonJS, `exports.handler`) and zips them deterministically: every
 * bundle that is not in the cache is built in one esbuild call per set of options, and each result is
 * remembered for the life of the bundler (a synth, a test file), while sources stand still.
 */
export class Bundler {
  private readonly memo = new Map<string, Bundle>();
  private readonly cache: BundleCache | undefined;

  constructor(options: BundlerOptions = {}) {
    const dir = options.cacheDir === undefined ? join(cacheRoot(), "bundles") : options.cacheDir;
    this.cache = dir === null ? undefined : new BundleCache(dir, projectRoot, esbuildVersion);
  }

  bundle(props: BundleProps): Bundle {
    return this.bundleAll([props])[0] as Bundle;
  }

  /** The bundles of `list`, in order: from memory, from the cache, or built together. */
  bundleAll(list: readonly BundleProps[]): Bundle[] {
    const requests = list.map(toRequest);
    const missing = new Map<string, Request>();
    for (const request of requests) {
      const key = memoKey(request);
      if (this.memo.has(key) || missing.has(key)) continue;
      const cached = this.cache?.lookup(request);
      if (cached) this.memo.set(key, writeBundle(request, cached.output, cached.inputs, true));
      else missing.set(key, request);
    }
    for (const group of groupBy([...missing.values()], (request) => request.optionsKey)) {
      for (const [request, built] of this.build(group)) this.memo.set(memoKey(request), built);
    }
    return requests.map((request) => this.memo.get(memoKey(request)) as Bundle);
  }

  /** One esbuild call for `requests` (equal options); writes, zips and caches each bundle. */
  private build(requests: readonly Request[]): [Request, Bundle][] {
    const outdir = commonFolder(requests.map((request) => request.outDir));
    const result = buildWithPlugins({
      ...(requests[0] as Request).options,
      absWorkingDir: projectRoot,
      entryPoints: requests.map((request) => ({
        in: request.entry,
        out: join(relative(outdir, request.outDir), "index"),
      })),
      outdir,
    });
    return requests.map((request) => {
      const files: Record<string, Uint8Array> = {};
      for (const file of result.outputFiles) {
        if (dirname(file.path) === request.outDir) files[relative(request.outDir, file.path)] = file.contents;
      }
      const output = { files, zip: zipEntries(files) };
      const inputs = inputsOf(result.metafile, relative(projectRoot, request.entry));
      this.cache?.store(request, inputs, output);
      return [request, writeBundle(request, output, inputs, false)];
    });
  }
}

/** Every file esbuild read for the bundle of `entry` (metafile paths): its imports, transitively. */
function inputsOf(metafile: Metafile, entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry.split(sep).join("/")];
  for (let path = queue.pop(); path !== undefined; path = queue.pop()) {
    const input = metafile.inputs[path];
    if (seen.has(path) || !input) continue;
    seen.add(path);
    for (const imported of input.imports) if (!imported.external) queue.push(imported.path);
  }
  if (seen.size === 0) throw new Error(`esbuild's metafile does not list the entry ${entry}`);
  return [...seen];
}

/** Writes the bundle's files to `outDir` and its zip beside it, each replaced in one rename. */
function writeBundle(
  request: Request,
  output: BundleOutput,
  inputs: readonly string[],
  fromCache: boolean,
): Bundle {
  mkdirSync(request.outDir, { recursive: true });
  for (const [name, data] of Object.entries(output.files)) replaceFile(join(request.outDir, name), data);
  const zipPath = `${request.outDir}.zip`;
  replaceFile(zipPath, output.zip);
  return {
    name: request.name,
    outDir: request.outDir,
    zipPath,
    sha256: createHash("sha256").update(output.zip).digest("base64"),
    zipBytes: output.zip.byteLength,
    fromCache,
    inputs: inputs.map((input) => input.split(sep).join("/")).sort(),
  };
}

/** Replaces `path` whole: a function process or jest worker reading it never sees it half-written. */
function replaceFile(path: string, data: Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function zipEntries(files: Record<string, Uint8Array>): Uint8Array {
  const entries: Record<string, [Uint8Array, { mtime: Date; attrs: number; os: number; level: 9 }]> = {};
  for (const path of Object.keys(files).sort()) {
    const data = files[path] as Uint8Array;
    entries[path] = [data, { mtime: ZIP_MTIME, attrs: ZIP_FILE_ATTRS, os: 3, level: 9 }];
  }
  return zipSync(entries);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups.values()];
}

/** The deepest folder holding every one of `folders`. */
function commonFolder(folders: readonly string[]): string {
  let common = folders[0] ?? projectRoot;
  while (folders.some((folder) => relative(common, folder).startsWith(".."))) common = dirname(common);
  return common;
}

/** The bundler synth and `npm run build:lambdas` share: one per process. */
const defaultBundler = new Bundler();

/** {@link Bundler.bundle} of the process-wide bundler. */
export function bundle(props: BundleProps): Bundle {
  return defaultBundler.bundle(props);
}

/** {@link Bundler.bundleAll} of the process-wide bundler. */
export function bundleAll(list: readonly BundleProps[]): Bundle[] {
  return defaultBundler.bundleAll(list);
}

/** Every function of the project: `lambdas/<name>/index.ts`, relative to the project root, sorted. */
export function functionEntries(): string[] {
  const lambdas = join(projectRoot, "lambdas");
  return readdirSync(lambdas)
    .sort()
    .map((name) => join("lambdas", name, "index.ts"))
    .filter((entry) => existsSync(join(projectRoot, entry)));
}
