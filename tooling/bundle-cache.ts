import { createHash } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";

/** What a bundle is built from, apart from the files it reads: where, and with which options. */
export interface BundleRequest {
  /** The handler's entry file, absolute. */
  readonly entry: string;
  /** Where its files go, absolute: source maps name sources relative to it. */
  readonly outDir: string;
  /** Every esbuild option and the zip format, serialized: anything that changes the output. */
  readonly optionsKey: string;
}

/** A bundle's output: its files by name (`index.js`, `index.js.map`) and their deterministic zip. */
export interface BundleOutput {
  readonly files: Readonly<Record<string, Uint8Array>>;
  readonly zip: Uint8Array;
}

/** Project files that steer esbuild without being among the sources it reports reading. */
const PROJECT_FILES = ["package.json", "package-lock.json", "tsconfig.json"];

/** Files an import could resolve to: a new one beside our sources may shadow what was resolved. */
const MODULE_FILE = /\.([cm]?[jt]sx?|json|css)$/;

/** Raise it when the layout below changes, so older entries are never read as newer ones. */
const LAYOUT_VERSION = "1";

/** Entries kept (least recently used go first): a few source versions of every function. */
const MAX_ENTRIES = 64;
const MAX_REQUESTS = 256;

interface EntryMeta {
  /** sha256 (hex) of the zip and of each file, checked on every hit. */
  readonly zip: string;
  readonly files: Record<string, string>;
}

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

/**
 * Bundles and zips kept on disk, keyed by everything that decides their bytes, so an unchanged function
 * is never rebuilt: not by the next synth, not by another worktree, not by each test file.
 *
 * A bundle is filed under the hash of its request (entry, output folder, options, esbuild version), of
 * package.json, package-lock.json and tsconfig.json, and of every file esbuild read for it (from the
 * metafile: our sources and node_modules alike), each with its content hash, plus the module files in
 * each folder holding one of our sources (a new `foo.tsx` beside `foo.ts` would change what an import
 * resolves to). The list of files read is remembered per request, so a lookup hashes those files again
 * and finds the entry only if none changed: a hit costs reading the ~1,000 files once, never esbuild.
 * Entries are written to a temporary folder and renamed into place, so concurrent builds (jest workers)
 * never see half an entry, and each file is checked against its recorded hash when read back.
 */
export class BundleCache {
  /** Content hashes by absolute path: a cache lives for one synth or one test file, while sources stand still. */
  private readonly hashes = new Map<string, string>();

  constructor(
    /** The cache folder (`<cache root>/bundles`). */
    readonly dir: string,
    /** Paths in keys are relative to it, so worktrees and clones with the same sources share entries. */
    private readonly root: string,
    private readonly esbuildVersion: string,
  ) {}

  /**
   * The cached output of `request` and the files it was built from (relative to the root), if none of
   * them changed; else undefined.
   */
  lookup(request: BundleRequest): { output: BundleOutput; inputs: string[] } | undefined {
    const inputs = this.readInputs(request);
    if (!inputs) return undefined;
    const key = this.contentKey(request, inputs);
    if (!key) return undefined;
    const entry = join(this.dir, key);
    const output = readEntry(entry);
    if (!output) return undefined;
    touch(entry);
    return { output, inputs: inputs.map((input) => relative(this.root, input)) };
  }

  /** Files `output` under `request`, with `inputs` (the metafile's paths, relative to the root). */
  store(request: BundleRequest, inputs: readonly string[], output: BundleOutput): void {
    try {
      const absolute = [...new Set(inputs)].map((input) => resolve(this.root, input)).sort();
      if (absolute.some((input) => outsideRoot(relative(this.root, input)))) return;
      const key = this.contentKey(request, absolute);
      if (!key) return;
      this.writeRequest(request, absolute);
      writeEntry(this.dir, key, output);
      prune(this.dir, MAX_ENTRIES);
      prune(join(this.dir, "requests"), MAX_REQUESTS);
    } catch {
      // The cache only saves time: a full disk or a read-only home must not fail the build.
    }
  }

  private requestFile(request: BundleRequest): string {
    const id = sha256(
      JSON.stringify([
        LAYOUT_VERSION,
        this.esbuildVersion,
        relative(this.root, request.entry),
        relative(this.root, request.outDir),
        request.optionsKey,
      ]),
    );
    return join(this.dir, "requests", `${id}.json`);
  }

  private readInputs(request: BundleRequest): string[] | undefined {
    try {
      const paths = JSON.parse(readFileSync(this.requestFile(request), "utf8")) as string[];
      // Filed by a checkout whose packages lie elsewhere (a clone with node_modules linked to another
      // checkout's): that build read another install's files, not this one's.
      if (paths.some(outsideRoot)) return undefined;
      return paths.map((path) => resolve(this.root, path));
    } catch {
      return undefined;
    }
  }

  private writeRequest(request: BundleRequest, inputs: readonly string[]): void {
    const file = this.requestFile(request);
    mkdirSync(dirname(file), { recursive: true });
    const paths = inputs.map((input) => relative(this.root, input));
    writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(paths));
    renameSync(`${file}.${process.pid}.tmp`, file);
  }

  /** The entry's key, or undefined when an input is gone (it cannot be the same build). */
  private contentKey(request: BundleRequest, inputs: readonly string[]): string | undefined {
    const hash = createHash("sha256").update(this.requestFile(request));
    try {
      for (const file of PROJECT_FILES) hash.update(`${file}\0${this.contentHash(join(this.root, file))}\n`);
      for (const input of inputs) hash.update(`${relative(this.root, input)}\0${this.contentHash(input)}\n`);
      for (const folder of sourceFolders(inputs)) {
        const modules = readdirSync(folder).filter((name) => MODULE_FILE.test(name));
        hash.update(`${relative(this.root, folder)}/\0${modules.sort().join("\0")}\n`);
      }
    } catch {
      return undefined;
    }
    return hash.digest("hex");
  }

  private contentHash(path: string): string {
    let hash = this.hashes.get(path);
    if (hash === undefined) {
      try {
        hash = sha256(readFileSync(path));
      } catch (error) {
        // A project file esbuild may look for (tsconfig.json) is allowed to be absent; say so in the key.
        if ((error as NodeJS.ErrnoException).code !== "ENOENT" || !PROJECT_FILES.includes(basename(path))) {
          throw error;
        }
        hash = "absent";
      }
      this.hashes.set(path, hash);
    }
    return hash;
  }
}

/**
 * A package file outside the root (relative to it): another checkout's install, as in a clone whose
 * node_modules links to another's. Sources outside the root (a test's fixture project) are fine.
 */
function outsideRoot(path: string): boolean {
  return (path.startsWith("../") || isAbsolute(path)) && path.includes("node_modules/");
}

/** The folders of the inputs that are not packages: where a new file could change what resolves. */
function sourceFolders(inputs: readonly string[]): string[] {
  return [...new Set(inputs.filter((input) => !input.includes("/node_modules/")).map(dirname))].sort();
}

function readEntry(entry: string): BundleOutput | undefined {
  try {
    const meta = JSON.parse(readFileSync(join(entry, "meta.json"), "utf8")) as EntryMeta;
    const zip = readFileSync(join(entry, "bundle.zip"));
    if (sha256(zip) !== meta.zip) return undefined;
    const files: Record<string, Uint8Array> = {};
    for (const [name, expected] of Object.entries(meta.files)) {
      const data = readFileSync(join(entry, "files", name));
      if (sha256(data) !== expected) return undefined;
      files[name] = data;
    }
    return { files, zip };
  } catch {
    return undefined;
  }
}

function writeEntry(dir: string, key: string, output: BundleOutput): void {
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(join(dir, ".tmp-"));
  try {
    mkdirSync(join(tmp, "files"));
    const files: Record<string, string> = {};
    for (const [name, data] of Object.entries(output.files)) {
      writeFileSync(join(tmp, "files", name), data);
      files[name] = sha256(data);
    }
    writeFileSync(join(tmp, "bundle.zip"), output.zip);
    const meta: EntryMeta = { zip: sha256(output.zip), files };
    writeFileSync(join(tmp, "meta.json"), JSON.stringify(meta));
    const entry = join(dir, key);
    // Another process may have filed the same build meanwhile: keep it, unless it is damaged.
    if (readEntry(entry)) return;
    rmSync(entry, { recursive: true, force: true });
    renameSync(tmp, entry);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Marks an entry as used now, for {@link prune}. */
function touch(path: string): void {
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // Another process pruned it meanwhile: what was read is still valid.
  }
}

/** Removes all but the `keep` most recently used entries of `dir` (temporary ones are left alone). */
function prune(dir: string, keep: number): void {
  const entries = readdirSync(dir).filter((name) => !name.startsWith(".") && !name.endsWith(".tmp"));
  if (entries.length <= keep) return;
  const byAge = entries
    .map((name) => ({ name, mtime: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { name } of byAge.slice(keep)) rmSync(join(dir, name), { recursive: true, force: true });
}
