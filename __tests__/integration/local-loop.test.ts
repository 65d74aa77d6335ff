import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { assertPortFree } from "../../local/emulators";
import type { LocalEndpoints } from "../../local/endpoints";
import { processAlive } from "../../local/run-lock";
import { localClients, request } from "../../local/scenario";
import { copyProject, npmRun, NpmStart, removeCopy } from "../helpers/project-copy";

/**
 * The local loop end to end, as a developer drives it: the real `npm start` and npm scripts in a copy of
 * the project (compiled and synthesized there, its sources edited by the tests), the real bundles, real
 * signals. What each `npm start` guarantees about its state directory, its ports and its processes; the
 * commands beside it; and reload on save.
 */

/** The bound for a handler's reload, and the margin a shared 2-core machine needs. */
const RELOAD_BOUND_MS = 1_000;
const LOAD_MARGIN = 3;

const FREE_PORTS = ["--port", "0", "--s3-port", "0", "--dynamodb-port", "0", "--lambda-port", "0"];
const MOVIES = ["--stack", "movies-dev"];

let root: string;
const started: NpmStart[] = [];

async function start(state: string, args: readonly string[] = []): Promise<NpmStart> {
  const run = await NpmStart.start(root, join(root, state), [...MOVIES, ...FREE_PORTS, ...args]);
  started.push(run);
  return run;
}

function endpointsOf(run: NpmStart): LocalEndpoints {
  return JSON.parse(readFileSync(join(run.stateDir, "endpoints.json"), "utf8")) as LocalEndpoints;
}

function manifestTime(): number {
  return statSync(join(root, "cdktf.out", "manifest.json")).mtimeMs;
}

async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The pid of the reaper watching `runnerPid`, found by its command line. */
function reaperOf(runnerPid: number): number {
  for (const entry of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (
        args.some((a) => a.endsWith("reaper.cjs")) &&
        args.includes("watch") &&
        args.includes(String(runnerPid))
      )
        return Number(entry);
    } catch {
      // Gone meanwhile.
    }
  }
  throw new Error(`no reaper for ${runnerPid}`);
}

function edit(path: string, from: string, to: string): void {
  const file = join(root, path);
  const text = readFileSync(file, "utf8");
  if (!text.includes(from)) throw new Error(`${path} does not contain ${from}`);
  writeFileSync(file, text.replace(from, to));
}

beforeAll(() => {
  root = copyProject();
});

afterAll(async () => {
  for (const run of started) run.killGroup();
  removeCopy(root);
});

jest.setTimeout(300_000);

describe("npm start takes its state directory and ports before it deletes or synthesizes anything", () => {
  let first: NpmStart;

  beforeAll(async () => {
    // The copy's first start compiles and synthesizes, as on a fresh clone.
    first = await start("state-a", ["--no-watch"]);
    expect((await npmRun(root, "seed", ["--state-dir", first.stateDir])).code).toBe(0);
  });

  it("refuses a second start on the same state directory, naming the first one's ports; its --fresh deletes nothing", async () => {
    const lock = first.lock();
    const synthesized = manifestTime();
    // FORCE_SYNTH: had the second start gone as far as synth, it would have synthesized.
    const refused = await NpmStart.refused(root, first.stateDir, [...MOVIES, "--fresh"], {
      FORCE_SYNTH: "1",
    });

    expect(refused.code).toBe(1);
    expect(refused.output).toContain(
      `npm start: ${first.stateDir} is in use by another local run (pid ${lock.pid}, since ${lock.startedAt}): ` +
        `APIs on ${lock.ports.apis.join(", ")}; S3 on ${lock.ports.s3}; DynamoDB Local on ${lock.ports.dynamodb}; ` +
        `Lambda on ${lock.ports.lambda} (127.0.0.1). Stop it (Ctrl-C in its terminal, or \`kill ${lock.pid}\`), ` +
        "or give this run its own --state-dir.",
    );
    expect(manifestTime()).toBe(synthesized);
    const movie = await request(`${endpointsOf(first).apis[0]?.url}/movies/mv1`);
    expect(movie.status).toBe(200);
  });

  it("refuses a busy port before it deletes its own --fresh state directory or synthesizes", async () => {
    const other = join(root, "state-b");
    mkdirSync(other);
    writeFileSync(join(other, "kept.txt"), "data of an earlier run");
    const port = first.lock().ports.dynamodb;
    const synthesized = manifestTime();

    const refused = await NpmStart.refused(
      root,
      other,
      [...MOVIES, "--fresh", "--dynamodb-port", String(port)],
      {
        FORCE_SYNTH: "1",
      },
    );

    expect(refused.code).toBe(1);
    expect(refused.output).toContain(
      `npm start: Port ${port} on 127.0.0.1 is already in use; choose another port for DynamoDB Local (--dynamodb-port)`,
    );
    expect(readdirSync(other)).toEqual(["kept.txt"]);
    expect(manifestTime()).toBe(synthesized);
  });

  it("leaves no child behind when the runner is killed with kill -9: its reaper ends them", async () => {
    const invoked = await npmRun(root, "invoke", ["get-movie-dev", "--state-dir", first.stateDir]);
    expect(invoked.code).toBe(0);
    const lock = first.lock();
    // DynamoDB Local, and the function processes the seed and the invoke started.
    expect(lock.children.map((c) => c.name).sort()).toEqual([
      "DynamoDB Local",
      "get-movie-dev",
      "upload-infos-dev",
    ]);

    process.kill(lock.pid, "SIGKILL");

    await until(
      () => lock.children.every((c) => !processAlive(c.pid)),
      "every child of the killed runner is gone",
    );
    // A killed JVM frees its memory before its sockets: its port is free once it has fully exited.
    await until(
      () =>
        assertPortFree(lock.ports.dynamodb, "DynamoDB Local").then(
          () => true,
          () => false,
        ),
      `DynamoDB Local's port ${lock.ports.dynamodb} is free`,
    );
  });
});

describe("a run whose reaper was killed too, and a run that loses DynamoDB Local", () => {
  it("ends at the next start what a runner and its reaper left, then stops when DynamoDB Local dies", async () => {
    const killed = await start("state-c", ["--no-watch"]);
    const lock = killed.lock();
    const java = lock.children.find((c) => c.name === "DynamoDB Local")?.pid as number;
    process.kill(reaperOf(lock.pid), "SIGKILL");
    process.kill(lock.pid, "SIGKILL");
    await killed.exited;
    expect(processAlive(java)).toBe(true);

    const next = await start("state-c", ["--no-watch"]);
    expect(next.output()).toContain(
      `Ended DynamoDB Local (pid ${java}), left running by a local run that was killed (pid ${lock.pid})`,
    );
    expect(processAlive(java)).toBe(false);

    // Now DynamoDB Local dies under the new run: it says so, stops everything, and exits non-zero.
    expect((await npmRun(root, "invoke", ["get-movie-dev", "--state-dir", next.stateDir])).code).toBe(0);
    const children = next.lock().children;
    const dynamodb = children.find((c) => c.name === "DynamoDB Local")?.pid as number;
    process.kill(dynamodb, "SIGKILL");
    await next.waitForLine(
      new RegExp(
        `^DynamoDB Local \\(pid ${dynamodb}, http://127\\.0\\.0\\.1:\\d+\\) was killed \\(SIGKILL\\)`,
      ),
    );
    await next.waitForLine(/^The local run cannot serve without DynamoDB Local: stopping everything\.$/);
    expect(await next.exited).toEqual({ code: 1, signal: null });
    expect(children.filter((c) => processAlive(c.pid))).toEqual([]);
  });
});

describe("npm start with the commands beside it, and reload on save", () => {
  let run: NpmStart;
  let urls: LocalEndpoints;

  beforeAll(async () => {
    run = await start("state-f");
    urls = endpointsOf(run);
  });

  afterAll(() => run.stop());

  it("npm run seed, npm run -s event | npm run invoke, npm run logs", async () => {
    const seeded = await npmRun(root, "seed", ["--state-dir", run.stateDir]);
    expect(seeded.stdout).toMatch(/^Seeded 3 movies into movie_infos-dev: .* → upload-infos-dev in /);
    const again = await npmRun(root, "seed", ["--state-dir", run.stateDir]);
    expect(again.stdout).toMatch(/^Already seeded: movie_infos-dev holds the 3 movies of movie-infos\.csv/);

    const event = await npmRun(root, "event", ["api", ...MOVIES, "--path", "/movies/mv1"]);
    const invoked = await npmRun(
      root,
      "invoke",
      ["get-movie-dev", "--event", "-", "--state-dir", run.stateDir],
      event.stdout,
    );
    expect(invoked.code).toBe(0);
    const result = JSON.parse(invoked.stdout) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ movie_id: "mv1", name: "Interstellar" });
    const requestId = /^START RequestId: (\S+) Version: \$LATEST$/m.exec(invoked.stderr)?.[1] as string;
    expect(invoked.stderr).toMatch(new RegExp(`^REPORT RequestId: ${requestId}\t`, "m"));

    const logs = await npmRun(root, "logs", ["get-movie-dev", "--state-dir", run.stateDir]);
    expect(logs.stdout).toMatch(new RegExp(`^\\S+ REPORT RequestId: ${requestId}\t`, "m"));

    const failed = await npmRun(
      root,
      "invoke",
      ["upload-infos-dev", "--event", "-", "--state-dir", run.stateDir],
      '{"Records":[{}]}',
    );
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ errorType: "TypeError" });
  });

  it("restarts only the functions whose bundle a saved file changes, within the bound", async () => {
    const movie = (id: string) => request(`${urls.apis[0]?.url}/movies/${id}`);
    await movie("mv9");
    await request(`${urls.apis[0]?.url}/movies/mv1`, { method: "PATCH", body: "{}" });
    const pidOf = (name: string) => run.lock().children.find((c) => c.name === name)?.pid;
    const [getMovie, updateRating] = [pidOf("get-movie-dev"), pidOf("update-rating-dev")];
    expect(getMovie && updateRating).toBeTruthy();

    // A comment in a shared file: every bundle is rebuilt, none changes, nothing restarts.
    let from = run.lines.length;
    edit("lambdas/shared/errors.ts", "/** The request conflicts", "/** (Edited.) The request conflicts");
    await run.waitForLine(
      /^\[reload\] lambdas\/shared\/errors\.ts → no bundle changed \(\d+ ms\)$/,
      30_000,
      from,
    );
    expect([pidOf("get-movie-dev"), pidOf("update-rating-dev")]).toEqual([getMovie, updateRating]);

    from = run.lines.length;
    const saved = Date.now();
    edit("lambdas/get-movie/index.ts", "`Movie ${movieId} not found`", "`No movie ${movieId} here`");
    const line = await run.waitForLine(
      /^\[reload\] lambdas\/get-movie\/index\.ts → restarted get-movie-dev in \d+ ms$/,
      30_000,
      from,
    );
    const reloadMs = line.at - saved;
    // The bound, with a margin for a machine shared with other builds (measured figures: docs/local-run.md).
    expect(reloadMs).toBeLessThan(RELOAD_BOUND_MS * LOAD_MARGIN);
    expect((await movie("mv9")).json).toEqual({ message: "No movie mv9 here" });
    expect(processAlive(getMovie as number)).toBe(false);
    expect(pidOf("update-rating-dev")).toBe(updateRating);
    // One line per reload.
    await new Promise((r) => setTimeout(r, 500));
    expect(run.lines.slice(from).filter((l) => l.text.startsWith("[reload]"))).toHaveLength(1);
  });

  it("re-synthesizes saved stacks and reloads routes, tables and notifications, keeping the data", async () => {
    const from = run.lines.length;
    edit(
      "stacks/movies-stack.ts",
      'api.addResource("movies_resource", api.root, "movies")',
      'api.addResource("movies_resource", api.root, "films")',
    );
    edit(
      "stacks/movies-stack.ts",
      "    // 2. Bucket",
      '    new Table(this, "movie_notes_table", { name: "movie_notes", environment, hashKey: { name: "movie_id", type: "S" } });\n    // 2. Bucket',
    );
    edit("stacks/movies-stack.ts", '{ suffix: ".csv" }', '{ prefix: "incoming/", suffix: ".csv" }');

    await run.waitForLine(
      /^\[reload\] stacks\/movies-stack\.ts → re-synthesized and reloaded in \d+\.\d s: routes 2 \(\+2 −2\), tables 3 \(\+1\), notifications 1, functions 4 \(none changed\)$/,
      240_000,
      from,
    );
    const api = urls.apis[0]?.url as string;
    expect((await request(`${api}/films/mv1`)).json).toMatchObject({ movie_id: "mv1", name: "Interstellar" });
    expect((await request(`${api}/movies/mv1`)).status).toBe(403);
    const reloaded = endpointsOf(run);
    expect(reloaded.apis[0]?.url).toBe(api);
    expect(reloaded.dynamodb.tables.map((t) => t.name)).toContain("movie_notes-dev");
    expect(reloaded.s3.buckets[0]?.notifications[0]).toMatchObject({
      filterPrefix: "incoming/",
      filterSuffix: ".csv",
    });

    const { s3 } = localClients(reloaded);
    const bucket = reloaded.s3.buckets[0]?.name;
    const upload = (key: string) =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: readFileSync(join(root, "__tests__/fixtures/movie-infos.csv")),
        }),
      );
    const before = run.lines.length;
    await upload("root.csv");
    await upload("incoming/more.csv");
    s3.destroy();
    await run.waitForLine(
      /^\[s3\] s3:\/\/\S+\/incoming\/more\.csv ObjectCreated:Put → upload-infos-dev ok/,
      30_000,
      before,
    );
    expect(run.lines.slice(before).filter((l) => l.text.includes("root.csv"))).toEqual([]);
  });

  it("npm run invoke without a running npm start runs the function on the state directory's data", async () => {
    await run.stop();
    const event = join(root, "get-mv1.json");
    writeFileSync(
      event,
      JSON.stringify({ pathParameters: { movieId: "mv1" }, httpMethod: "GET", headers: {} }),
    );
    const invoked = await npmRun(root, "invoke", [
      "get-movie-dev",
      "--event",
      event,
      "--state-dir",
      run.stateDir,
      ...MOVIES,
    ]);
    expect(invoked.code).toBe(0);
    expect(JSON.parse((JSON.parse(invoked.stdout) as { body: string }).body)).toMatchObject({
      name: "Interstellar",
    });
    expect(readdirSync(run.stateDir)).not.toContain("run.lock");
  });
});
