import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { buildSync, type BuildOptions, type Metafile } from "esbuild";
import { projectRoot } from "./project-root";

/** What {@link buildWithPlugins} returns: esbuild's output files and its metafile. */
export interface SyncBuildResult {
  readonly outputFiles: { readonly path: string; readonly contents: Uint8Array }[];
  readonly metafile: Metafile;
}

let workerSource: string | undefined;

/** bundle-worker.ts as one CommonJS script (its packages, esbuild among them, required at run time). */
function worker(): string {
  workerSource ??= buildSync({
    absWorkingDir: projectRoot,
    entryPoints: [join(projectRoot, "tooling", "bundle-worker.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    logLevel: "silent",
    write: false,
  }).outputFiles[0]?.text;
  if (workerSource === undefined) throw new Error("esbuild wrote no bundle-worker script");
  return workerSource;
}

/**
 * esbuild's `build` with the project's plugins (sdk-schemas.ts), synchronously: esbuild's `buildSync` takes
 * no plugins, so the build runs in a child node process (bundle-worker.ts), started from the project root.
 * `options` must be plain data (no plugins of its own); the build always makes a metafile, never writes
 * files (`write: false`) and never logs: failures come back as the thrown Error.
 * @throws an Error naming esbuild's errors when the build fails
 */
export function buildWithPlugins(options: BuildOptions): SyncBuildResult {
  const child = spawnSync(process.execPath, ["-e", worker()], {
    cwd: projectRoot,
    input: JSON.stringify({ ...options, metafile: true, write: false, logLevel: "silent" }),
    maxBuffer: 1024 * 1024 * 1024,
    // Not the parent's NODE_OPTIONS: an `--inspect` of a debugged synth or test would open a second
    // inspector in the child, on the same port.
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  if (child.error) throw child.error;
  if (child.status !== 0) {
    throw new Error(`esbuild failed:\n${child.stderr.toString("utf8").trim()}`);
  }
  const parsed = JSON.parse(child.stdout.toString("utf8")) as {
    outputFiles: { path: string; contents: string }[];
    metafile: Metafile;
  };
  return {
    outputFiles: parsed.outputFiles.map((file) => ({
      path: file.path,
      contents: new Uint8Array(Buffer.from(file.contents, "base64")),
    })),
    metafile: parsed.metafile,
  };
}
