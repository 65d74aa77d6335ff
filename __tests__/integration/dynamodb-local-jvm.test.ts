import { readFileSync } from "node:fs";
import { FAST_START_JVM_OPTIONS, startDynamoDbLocal } from "../../local/emulators";

/** The JVM's command line, as the kernel has it. */
function commandLine(pid: number | undefined): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
}

describe("DynamoDB Local's JVM", () => {
  it("starts with the fast-start options before the jar, unless told otherwise, and answers either way", async () => {
    const [fast, defaults] = await Promise.all([
      startDynamoDbLocal(),
      startDynamoDbLocal({ jvmOptions: [] }),
    ]);
    try {
      const fastArgs = commandLine(fast.process.pid);
      expect(fastArgs.slice(0, 4)).toEqual([
        "java",
        ...FAST_START_JVM_OPTIONS,
        expect.stringMatching(/^-Djava\.library\.path=/),
      ]);
      expect(fastArgs).toContain("-jar");
      expect(commandLine(defaults.process.pid).slice(0, 2)).toEqual([
        "java",
        expect.stringMatching(/^-Djava\.library\.path=/),
      ]);
      for (const emulator of [fast, defaults]) {
        const response = await fetch(emulator.endpoint);
        expect(response.status).toBe(400); // DynamoDB Local's answer to a request that is not an API call
      }
    } finally {
      await Promise.all([fast.stop(), defaults.stop()]);
    }
  });
});
