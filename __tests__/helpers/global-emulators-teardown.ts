import { stopEmulators } from "./global-emulators";
import removeSynth from "./global-synth-teardown";

/** Stops the run's emulators (global-emulators.ts) and removes the synthesized stacks. */
export default async function globalTeardown(): Promise<void> {
  await stopEmulators();
  removeSynth();
}
