import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../tooling/project-root";
import { EMULATOR_VARIABLES } from "../helpers/global-emulators";
import { SYNTH_DIR_VARIABLE } from "../helpers/global-synth";

/**
 * The run's emulators (helpers/global-emulators.ts) end with the run that started them, however it ends.
 * Each case runs a jest of its own, with the integration project's global setup and teardown and one
 * test file that writes the endpoints it was given, then fails or hangs.
 */
let dir: string;
/** The DynamoDB Local port of the case's child run, so a failed case leaves no JVM behind either. */
let childPort: string | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "test-emulators-"));
  childPort = undefined;
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  if (childPort) killDynamoDbLocal(childPort);
});

/** Kills the DynamoDB Local JVM on `port`, if one is left (a failed case must not leave one running). */
function killDynamoDbLocal(port: string): void {
  if (!existsSync("/proc")) return;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // gone meanwhile
    }
    const jvm = args.some((arg) => arg.endsWith("DynamoDBLocal.jar"));
    if (jvm && args[args.indexOf("-port") + 1] === port) process.kill(Number(pid), "SIGKILL");
  }
}

/** Starts jest on a test that records its endpoints, then runs `body` (a plain .js test: no transform). */
function startJest(body: string) {
  const endpointsFile = join(dir, "endpoints.json");
  writeFileSync(
    join(dir, "child.test.js"),
    `require("node:fs").writeFileSync(${JSON.stringify(endpointsFile)}, JSON.stringify({
      dynamodb: process.env.${EMULATOR_VARIABLES.dynamodb},
      s3: process.env.${EMULATOR_VARIABLES.s3},
    }));
    test("child", async () => { ${body} }, 600000);\n`,
  );
  const config = {
    rootDir: projectRoot,
    roots: [dir],
    testMatch: ["**/child.test.js"],
    transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: false }] },
    globalSetup: "<rootDir>/__tests__/helpers/global-emulators.ts",
    globalTeardown: "<rootDir>/__tests__/helpers/global-emulators-teardown.ts",
  };
  const env = { ...process.env };
  // The child starts emulators of its own, and reuses this run's synthesized stacks.
  delete env[EMULATOR_VARIABLES.dynamodb];
  delete env[EMULATOR_VARIABLES.s3];
  const jest = spawn(
    process.execPath,
    [require.resolve("jest/bin/jest"), "--config", JSON.stringify(config), "--ci", "--runInBand"],
    {
      cwd: projectRoot,
      env: { ...env, [SYNTH_DIR_VARIABLE]: process.env[SYNTH_DIR_VARIABLE] },
      stdio: "pipe",
    },
  );
  let output = "";
  jest.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  jest.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>(
    (resolve) => jest.once("exit", (code, signal) => resolve({ code, signal, output })),
  );
  const endpoints = async (): Promise<{ dynamodb: string; s3: string }> => {
    while (!existsSync(endpointsFile)) await new Promise((r) => setTimeout(r, 100));
    const written = JSON.parse(readFileSync(endpointsFile, "utf8")) as { dynamodb: string; s3: string };
    childPort = new URL(written.dynamodb).port;
    return written;
  };
  return { jest, exited, endpoints };
}

/** Whether something still answers HTTP at `endpoint`, waiting up to `ms` for it to go away. */
async function answersAfter(endpoint: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(1_000) });
    } catch {
      return false;
    }
    if (Date.now() > deadline) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("the run's DynamoDB Local and S3 server", () => {
  it("are stopped when a test fails", async () => {
    const child = startJest(`expect("failed").toBe("passed");`);
    const { dynamodb, s3 } = await child.endpoints();
    const { code, output } = await child.exited;

    expect({ code, failed: output.includes("Tests:       1 failed") }).toEqual({ code: 1, failed: true });
    expect(await answersAfter(dynamodb, 0)).toBe(false);
    expect(await answersAfter(s3, 0)).toBe(false);
    // The stacks it was handed are this run's: its teardown leaves them.
    expect(existsSync(process.env[SYNTH_DIR_VARIABLE] as string)).toBe(true);
  }, 120_000);

  it("are stopped when jest is killed with SIGTERM mid-run", async () => {
    const child = startJest(`await new Promise(() => undefined);`);
    const { dynamodb, s3 } = await child.endpoints();
    expect(await answersAfter(dynamodb, 0)).toBe(true);
    child.jest.kill("SIGTERM");
    const { signal } = await child.exited;

    expect(signal).toBe("SIGTERM");
    // The JVM got its SIGTERM before jest went; it takes a moment to exit.
    expect(await answersAfter(dynamodb, 10_000)).toBe(false);
    expect(await answersAfter(s3, 0)).toBe(false);
  }, 120_000);
});
