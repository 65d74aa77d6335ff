/**
 * The run's emulators (helpers/global-emulators.ts) end with the run that started them, however it ends.
 * Each case runs a jest of its own, with the integration project's global setup and teardown and one
 * test file that writes the endpoints it was given, then fails or hangs. The two run concurrently: most
 * of each is a JVM starting.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../tooling/project-root";
import { EMULATOR_VARIABLES } from "../helpers/global-emulators";
import { SYNTH_DIR_VARIABLE } from "../helpers/global-synth";

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

interface ChildJest {
  readonly jest: ChildProcess;
  /** The endpoints the child's test was given; rejects if the child ends before it writes them. */
  readonly endpoints: Promise<{ dynamodb: string; s3: string }>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
}

/**
 * Runs `use` with a jest started on one test that records its endpoints, then runs `body` (a plain .js
 * test: no transform). Afterwards, whatever happened, no JVM of the child's is left running.
 */
async function withChildJest(body: string, use: (child: ChildJest) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "test-emulators-"));
  const endpointsFile = join(dir, "endpoints.json");
  writeFileSync(
    join(dir, "child.test.js"),
    `require("node:fs").writeFileSync(${JSON.stringify(endpointsFile)}, JSON.stringify({
      dynamodb: process.env.${EMULATOR_VARIABLES.dynamodb},
      s3: process.env.${EMULATOR_VARIABLES.s3},
    }));
    test("child", async () => { ${body} }, 600000);\n`,
  );
  const jest = spawnJest(dir);
  let output = "";
  jest.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  jest.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>(
    (resolve) => jest.once("exit", (code, signal) => resolve({ code, signal, output })),
  );
  const endpoints = (async () => {
    while (!existsSync(endpointsFile)) {
      if (jest.exitCode !== null || jest.signalCode !== null) throw new Error(`child jest ended:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return JSON.parse(readFileSync(endpointsFile, "utf8")) as { dynamodb: string; s3: string };
  })();
  try {
    await use({ jest, endpoints, exited });
  } finally {
    jest.kill("SIGKILL");
    const port = await endpoints.then((e) => new URL(e.dynamodb).port).catch(() => undefined);
    if (port) killDynamoDbLocal(port);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** jest on the test file in `dir`, with the integration project's global setup and teardown. */
function spawnJest(dir: string): ChildProcess {
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
  return spawn(
    process.execPath,
    [require.resolve("jest/bin/jest"), "--config", JSON.stringify(config), "--ci", "--runInBand"],
    { cwd: projectRoot, env, stdio: "pipe" },
  );
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
  it.concurrent(
    "are stopped when a test fails",
    () =>
      withChildJest(`expect("failed").toBe("passed");`, async (child) => {
        const { dynamodb, s3 } = await child.endpoints;
        const { code, output } = await child.exited;

        expect({ code, failed: output.includes("Tests:       1 failed") }).toEqual({ code: 1, failed: true });
        expect(await answersAfter(dynamodb, 0)).toBe(false);
        expect(await answersAfter(s3, 0)).toBe(false);
        // The stacks it was handed are this run's: its teardown leaves them.
        expect(existsSync(process.env[SYNTH_DIR_VARIABLE] as string)).toBe(true);
      }),
    120_000,
  );

  it.concurrent(
    "are stopped when jest is killed with SIGTERM mid-run",
    () =>
      withChildJest(`await new Promise(() => undefined);`, async (child) => {
        const { dynamodb, s3 } = await child.endpoints;
        expect(await answersAfter(dynamodb, 0)).toBe(true);
        child.jest.kill("SIGTERM");
        const { signal } = await child.exited;

        expect(signal).toBe("SIGTERM");
        // The JVM got its SIGTERM before jest went; it takes a moment to exit.
        expect(await answersAfter(dynamodb, 10_000)).toBe(false);
        expect(await answersAfter(s3, 0)).toBe(false);
      }),
    120_000,
  );
});
