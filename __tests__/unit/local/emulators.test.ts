import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDynamoDbLocal } from "../../../local/emulators";

describe("startDynamoDbLocal", () => {
  const path = process.env.PATH;
  let emptyDir: string;
  beforeEach(() => {
    emptyDir = mkdtempSync(join(tmpdir(), "no-java-"));
  });
  afterEach(() => {
    process.env.PATH = path;
    rmSync(emptyDir, { recursive: true, force: true });
  });

  it("says that Java is needed, and how to get it, when `java` is not on the PATH", async () => {
    // An empty directory, not an empty string: with PATH="" the spawn falls back to /usr/bin and finds java.
    process.env.PATH = emptyDir;

    const started = startDynamoDbLocal({ startTimeoutMs: 5_000 });
    // Never leave a JVM behind should the check ever let one start.
    void started.then(
      (emulator) => emulator.stop(),
      () => undefined,
    );

    await expect(started).rejects.toThrow(
      "DynamoDB Local needs Java 17 or newer, and `java` was not found on the PATH. " +
        "Install a JRE (e.g. `apt-get install openjdk-17-jre-headless`) and try again.",
    );
  });
});
