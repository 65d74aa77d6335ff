import { stopEmulators } from "./global-emulators";
import { removeSynthesized } from "./global-synth";

/** Stops the run's emulators (global-emulators.ts) and removes the synthesized stacks. */
export default async function globalTeardown(): Promise<void> {
  await stopEmulators();
  removeSynthesized();
}
