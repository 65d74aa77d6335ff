import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describePorts, processAlive, readLock, RunLock, StateDirInUseError } from "../../../local/run-lock";

const PORTS = { apis: [3000, 3001], s3: 4569, dynamodb: 8000, lambda: 9001 };

describe("RunLock", () => {
  // These spawn processes and wait for them: on a busy machine, more than a unit test's usual 5 s.
  jest.setTimeout(20_000);
  let stateDir: string;
  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), "run-lock-"));
  });
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  it("holds the state directory: a second run is refused with the first one's pid and ports, until release", () => {
    const lock = RunLock.acquire(stateDir, PORTS);
    try {
      const record = readLock(stateDir);
      expect(record).toMatchObject({ pid: process.pid, ports: PORTS, children: [] });
      const second = () => RunLock.acquire(stateDir, { ...PORTS, apis: [4000] });
      expect(second).toThrow(StateDirInUseError);
      expect(second).toThrow(
        `${stateDir} is in use by another local run (pid ${process.pid}, since ${record?.startedAt}): ` +
          "APIs on 3000, 3001; S3 on 4569; DynamoDB Local on 8000; Lambda on 9001 (127.0.0.1). " +
          `Stop it (Ctrl-C in its terminal, or \`kill ${process.pid}\`), or give this run its own --state-dir.`,
      );
    } finally {
      lock.release();
    }
    expect(readLock(stateDir)).toBeUndefined();
    RunLock.acquire(stateDir, PORTS).release();
  });

  it("takes over the lock of a run that is gone, ending the children it recorded that still run", async () => {
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
    const leftover = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", "leftover"], {
      stdio: "ignore",
    });
    const stranger = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", "stranger"], {
      stdio: "ignore",
    });
    const leftoverEnded = new Promise((resolve) => leftover.once("exit", (_, signal) => resolve(signal)));
    try {
      writeFileSync(
        join(stateDir, "run.lock"),
        JSON.stringify({
          pid: dead,
          startedAt: "2025-01-01T00:00:00.000Z",
          ports: PORTS,
          children: [
            { pid: leftover.pid, name: "DynamoDB Local", args: leftover.spawnargs },
            // A pid whose command line is not the recorded one is someone else's process: never touched.
            { pid: stranger.pid, name: "get-movie-dev", args: [process.execPath, "lambda-runtime.cjs"] },
          ],
        }),
      );
      const logged: string[] = [];
      const lock = RunLock.acquire(stateDir, PORTS, (line) => logged.push(line));
      lock.release();
      expect(logged).toEqual([
        `Ended DynamoDB Local (pid ${leftover.pid}), left running by a local run that was killed (pid ${dead})`,
      ]);
      expect(await leftoverEnded).toBe("SIGTERM");
      expect(processAlive(stranger.pid as number)).toBe(true);
    } finally {
      leftover.kill("SIGKILL");
      stranger.kill("SIGKILL");
    }
  });

  it("records each child while it runs", async () => {
    const lock = RunLock.acquire(stateDir, PORTS);
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 200)"], { stdio: "ignore" });
    try {
      lock.track("get-movie-dev", child);
      expect(JSON.parse(readFileSync(lock.path, "utf8")).children).toEqual([
        { pid: child.pid, name: "get-movie-dev", args: child.spawnargs },
      ]);
      await new Promise((resolve) => child.once("exit", resolve));
      expect(readLock(stateDir)?.children).toEqual([]);
    } finally {
      lock.release();
    }
  });
});

describe("RunLock.release", () => {
  it("ends a child still recorded (a synth), with its whole process group", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "run-lock-"));
    const lock = RunLock.acquire(stateDir, PORTS);
    // Like `npm run synth`: a group leader whose own child does the work.
    const leader = spawn(
      process.execPath,
      [
        "-e",
        `const c = require("node:child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
         console.log(c.pid); setInterval(() => {}, 1000);`,
      ],
      { detached: true, stdio: ["ignore", "pipe", "ignore"] },
    );
    try {
      const worker = Number(
        await new Promise<string>((resolve) => leader.stdout.once("data", (d) => resolve(String(d)))),
      );
      const leaderEnded = new Promise((resolve) => leader.once("exit", (_, signal) => resolve(signal)));
      lock.track("synth", leader, { group: true });

      lock.release();

      expect(await leaderEnded).toBe("SIGTERM");
      const deadline = Date.now() + 5_000;
      while (processAlive(worker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(processAlive(worker)).toBe(false);
    } finally {
      leader.kill("SIGKILL");
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe("describePorts", () => {
  it("says which ports are still to be chosen", () => {
    expect(describePorts({ apis: [0], s3: 0, dynamodb: 8000, lambda: 0 })).toBe(
      "APIs on a free port; S3 on a free port; DynamoDB Local on 8000; Lambda on a free port (127.0.0.1)",
    );
  });
});
