import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { addStacks } from "../../stacks/app";
import { services } from "../../stacks/services";

/** The environment variable through which the test workers find the synthesized stacks. */
export const SYNTH_DIR_VARIABLE = "MOVIES_TEST_SYNTH_DIR";

/**
 * Synthesizes every stack once, as `npm run synth` does but with no developer stage, into a temporary
 * folder. Stack-wiring tests read it through helpers/synth.ts instead of building the same stacks again in
 * each suite. Jest runs it once per run even when two projects name it.
 */
export function synthesizeAll(): string {
  // As `npm run synth` does: a stack that cannot be deployed yet (the committed config names no state
  // bucket) stops cdktf deploy, not the tests.
  process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS ??= "1";
  const outdir = mkdtempSync(join(tmpdir(), "movies-synth-"));
  const app = new App({ outdir });
  addStacks(app, services, {});
  app.synth();
  return outdir;
}

/** The folder this process synthesized into, which only its own teardown removes. */
const CREATED = Symbol.for("movies-cdktf.test-synth-dir");
type WithSynthDir = typeof globalThis & { [CREATED]?: string };

/** Synthesizes unless the run already has a folder (another project's setup, or a parent jest's). */
export default function globalSetup(): void {
  if (process.env[SYNTH_DIR_VARIABLE]) return;
  const dir = synthesizeAll();
  (globalThis as WithSynthDir)[CREATED] = dir;
  process.env[SYNTH_DIR_VARIABLE] = dir;
}

/** Removes the folder {@link globalSetup} synthesized into, if it did: a folder handed down is left alone. */
export function removeSynthesized(): void {
  const dir = (globalThis as WithSynthDir)[CREATED];
  if (!dir) return;
  rmSync(dir, { recursive: true, force: true });
  delete (globalThis as WithSynthDir)[CREATED];
  delete process.env[SYNTH_DIR_VARIABLE];
}
