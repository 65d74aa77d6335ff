import { existsSync, readFileSync, watch, writeFileSync, type FSWatcher } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { context, type BuildContext, type Message } from "esbuild";
import { esbuildOptions } from "../tooling/bundle";
import { projectRoot } from "../tooling/project-root";

/** A bundle the local run's functions use, and how synth builds it. */
export interface WatchedBundle {
  /** `dist/lambdas/<name>/index.js` */
  readonly bundle: string;
  /** `nodejs22.x`: the esbuild target. */
  readonly runtime: string;
  /** The function reads a source map (`NODE_OPTIONS=--enable-source-maps`), so synth emits one. */
  readonly sourceMap: boolean;
}

/** What the watcher drives: the run's bundles, restarts and reloads. */
export interface Reloadable {
  bundles(): readonly WatchedBundle[];
  restartBundle(bundle: string): Promise<string[]>;
}

export interface WatchOptions {
  readonly run: Reloadable;
  /**
   * Re-synthesizes after a change to the stacks' code or config and reloads the run; returns what was
   * reloaded, for the log line, or throws with why it failed. @default infra changes are not watched
   */
  readonly reloadInfra?: () => Promise<string>;
  /** One line per reload. */
  readonly log: (line: string) => void;
}

/** Folders whose code synth runs (`stacks/config.ts` is the config), and the root files it reads. */
const INFRA_DIRS = ["stacks", "constructs", "operations", "tooling"];
const INFRA_FILES = new Set(["main.ts", "cdktf.json"]);
/** Editors save in bursts (write, rename, chmod): events this close together are one save. */
const LAMBDA_SETTLE_MS = 25;
const INFRA_SETTLE_MS = 300;
/** How long after start the bundles are first built, unless a save comes first. */
const WARM_UP_DELAY_MS = 3_000;

/** A running watcher. */
export interface SourceWatcher {
  /** Settles once every bundle has been built once (the file → bundle map is known). */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Reload on save. A change under `lambdas/` rebuilds, in esbuild's incremental contexts built from synth's
 * own options, only the bundles that import the file; a bundle whose bytes changed is written to
 * `dist/lambdas/` and the functions that run it are restarted, so the next invocation runs the new code.
 * A change to the stacks' code or config re-synthesizes and reloads the run (`reloadInfra`). One line
 * is logged per reload, with what it did and how long it took. Paths are the project's (`projectRoot`),
 * which synth builds from.
 */
export function watchSources(options: WatchOptions): SourceWatcher {
  const root = projectRoot;
  const bundles = new BundleRebuilder(options);
  const watchers: FSWatcher[] = [];
  const lambdas = join(root, "lambdas");
  watchers.push(
    watch(lambdas, { recursive: true }, (_, file) => file && bundles.changed(join(lambdas, file))),
  );
  if (options.reloadInfra) {
    const infra = new Debounced(INFRA_SETTLE_MS, (files) => reloadInfra(options, files));
    for (const dir of INFRA_DIRS) {
      const path = join(root, dir);
      if (existsSync(path))
        watchers.push(watch(path, { recursive: true }, (_, f) => f && infra.add(join(path, f))));
    }
    watchers.push(watch(root, (_, file) => file && INFRA_FILES.has(file) && infra.add(join(root, file))));
  }
  return {
    ready: bundles.ready,
    stop: async () => {
      for (const watcher of watchers) watcher.close();
      await bundles.dispose();
    },
  };
}

async function reloadInfra(options: WatchOptions, files: readonly string[]): Promise<void> {
  const started = Date.now();
  const what = describeFiles(files);
  try {
    const summary = await (options.reloadInfra as () => Promise<string>)();
    options.log(`[reload] ${what} → re-synthesized and reloaded in ${seconds(started)}: ${summary}`);
  } catch (error) {
    options.log(`[reload] ${what} → ${(error as Error).message}; still serving the previous stacks`);
  }
}

/** Collects paths for `settleMs` after the last one, then hands them over; one hand-over at a time. */
class Debounced {
  private pending = new Set<string>();
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly settleMs: number,
    private readonly handle: (paths: readonly string[]) => Promise<void>,
  ) {}

  add(path: string): void {
    this.pending.add(path);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const paths = [...this.pending].sort();
      this.pending = new Set();
      this.running = this.running.then(() => this.handle(paths));
    }, this.settleMs);
  }

  async drain(): Promise<void> {
    clearTimeout(this.timer);
    await this.running;
  }
}

interface BundleContext {
  readonly bundle: string;
  readonly context: BuildContext;
  /** The absolute paths of the files the bundle was last built from; empty until its first build. */
  inputs: Set<string>;
}

/** One incremental esbuild context per bundle, rebuilt when a file it imports changes. */
class BundleRebuilder {
  readonly ready: Promise<void>;
  private startWarmUp: () => void = () => undefined;
  private readonly contexts: Promise<BundleContext[]>;
  private readonly saves: Debounced;

  constructor(private readonly options: WatchOptions) {
    this.saves = new Debounced(LAMBDA_SETTLE_MS, (files) => this.rebuild(files));
    this.contexts = Promise.all(
      options.run
        .bundles()
        .filter((b) => existsSync(entryOf(b.bundle)))
        .map(async (b) => ({
          bundle: b.bundle,
          context: await context(contextOptions(b)),
          inputs: new Set<string>(),
        })),
    );
    // The first build learns which files each bundle imports; it changes nothing on disk unless a
    // bundle is out of date, which it then reloads like a save. It waits a little (or for the first
    // save), then builds one bundle at a time: the run's first requests should not share the machine
    // with it.
    const warmUp = new Promise<void>((resolve) => {
      this.startWarmUp = resolve;
      setTimeout(resolve, WARM_UP_DELAY_MS).unref();
    });
    this.ready = warmUp
      .then(() => this.contexts)
      .then(async (contexts) => {
        for (const c of contexts) await this.build(c);
      });
  }

  changed(file: string): void {
    if (!/\.(ts|js|mjs|cjs|json)$/.test(file)) return;
    this.startWarmUp();
    this.saves.add(file);
  }

  async dispose(): Promise<void> {
    await this.saves.drain();
    await Promise.all((await this.contexts).map((c) => c.context.dispose()));
  }

  /** Rebuilds the bundles that import one of `files`, and restarts the functions of those that changed. */
  private async rebuild(files: readonly string[]): Promise<void> {
    const started = Date.now();
    await this.ready.catch(() => undefined);
    const contexts = await this.contexts;
    const affected = contexts.filter((c) => files.some((f) => c.inputs.has(resolve(f))));
    if (affected.length === 0) return;
    const what = describeFiles(files);
    const built = await Promise.all(affected.map((c) => this.build(c)));
    const errors = built.flatMap((b) => (b.ok ? [] : b.errors));
    if (errors.length > 0) {
      this.options.log(
        `[reload] ${what} → build failed, still serving the previous code: ${formatError(errors[0] as Message)}`,
      );
      return;
    }
    const restarted = built.flatMap((b) => (b.ok ? b.restarted : []));
    this.options.log(
      restarted.length > 0
        ? `[reload] ${what} → restarted ${restarted.join(", ")} in ${Date.now() - started} ms`
        : `[reload] ${what} → no bundle changed (${Date.now() - started} ms)`,
    );
  }

  /** Builds one bundle; writes it and restarts its functions when its bytes differ from what is on disk. */
  private async build(
    c: BundleContext,
  ): Promise<{ ok: true; restarted: string[] } | { ok: false; errors: Message[] }> {
    let result;
    try {
      result = await c.context.rebuild();
    } catch (error) {
      return {
        ok: false,
        errors: (error as { errors?: Message[] }).errors ?? [{ text: String(error) } as Message],
      };
    }
    // Metafile inputs are relative to esbuild's working directory, the project root.
    c.inputs = new Set(
      Object.keys(result.metafile?.inputs ?? {}).map((input) => resolve(projectRoot, input)),
    );
    const changed = (result.outputFiles ?? []).filter(
      (file) => !existsSync(file.path) || !readFileSync(file.path).equals(file.contents),
    );
    if (changed.length === 0) return { ok: true, restarted: [] };
    for (const file of changed) writeFileSync(file.path, file.contents);
    return { ok: true, restarted: await this.options.run.restartBundle(c.bundle) };
  }
}

/** `dist/lambdas/get-movie/index.js` is built from `lambdas/get-movie/index.ts`, as synth builds it. */
function entryOf(bundle: string): string {
  return join(projectRoot, "lambdas", basename(dirname(bundle)), "index.ts");
}

function contextOptions(b: WatchedBundle) {
  return {
    ...esbuildOptions({
      entry: entryOf(b.bundle),
      runtime: b.runtime,
      sourceMap: b.sourceMap,
      outDir: dirname(b.bundle),
    }),
    metafile: true,
  };
}

function formatError(message: Message): string {
  const where = message.location
    ? `${message.location.file}:${message.location.line}:${message.location.column}: `
    : "";
  return `${where}${message.text}`;
}

/** `lambdas/get-movie/get-movie.ts`, or `stacks/config.ts and 2 more`. */
function describeFiles(files: readonly string[]): string {
  const first = relative(projectRoot, files[0] ?? projectRoot) || ".";
  return files.length > 1 ? `${first} and ${files.length - 1} more` : first;
}

function seconds(started: number): string {
  return `${((Date.now() - started) / 1000).toFixed(1)} s`;
}
