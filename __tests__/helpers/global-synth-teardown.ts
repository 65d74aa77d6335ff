import { rmSync } from "node:fs";
import { SYNTH_DIR_VARIABLE } from "./global-synth";

/** Removes the folder global-synth.ts wrote. */
export default function globalTeardown(): void {
  const dir = process.env[SYNTH_DIR_VARIABLE];
  if (dir) rmSync(dir, { recursive: true, force: true });
  delete process.env[SYNTH_DIR_VARIABLE];
}
