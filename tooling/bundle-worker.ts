import { build, type BuildOptions } from "esbuild";
import { bundlePlugins } from "./sdk-schemas";

/**
 * Runs one esbuild build with the project's plugins, for a process that cannot wait for a promise (synth
 * builds its stacks synchronously, and esbuild's synchronous API takes no plugins). Reads the build options
 * as JSON on stdin; writes the output files (base64) and the metafile as JSON on stdout, or esbuild's
 * errors on stderr and exits with 1. Started by `buildWithPlugins` (esbuild-sync.ts).
 */
async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const options = JSON.parse(Buffer.concat(chunks).toString("utf8")) as BuildOptions;
  try {
    const result = await build({ ...options, plugins: bundlePlugins() });
    const outputFiles = (result.outputFiles ?? []).map((file) => ({
      path: file.path,
      contents: Buffer.from(file.contents).toString("base64"),
    }));
    process.stdout.write(JSON.stringify({ outputFiles, metafile: result.metafile }));
  } catch (error) {
    const errors = (
      error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }
    ).errors;
    const lines = errors?.map((e) =>
      e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text,
    );
    process.stderr.write(`${lines?.join("\n") ?? String(error)}\n`);
    process.exitCode = 1;
  }
}

void main();
