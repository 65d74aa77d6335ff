import { removeSynthesized } from "./global-synth";

/** Removes the folder global-synth.ts wrote. */
export default function globalTeardown(): void {
  removeSynthesized();
}
