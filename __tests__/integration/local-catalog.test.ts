import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { LocalEndpoints } from "../../local/endpoints";
import { startLocalRun, type LocalRun } from "../../local/local-run";
import { projectRoot } from "../../tooling/project-root";
import { synthesized } from "../helpers/synth";

/**
 * `npm start`'s catalog-dev: the container service as a Node process (compiled by build:infra, which synth
 * runs), with the environment its task definition declares, behind a local HTTP API of its own.
 */
let run: LocalRun | undefined;
let urls: LocalEndpoints;
let stateDir: string;
const logs: string[] = [];

beforeAll(async () => {
  // What `npm start` runs is what `build:infra` compiled (its first step): compile it as it would.
  const built = spawnSync("npm", ["run", "--silent", "build:infra"], { cwd: projectRoot, encoding: "utf8" });
  if (
    built.status !== 0 ||
    !existsSync(join(projectRoot, "dist", "infra", "containers", "catalog", "index.js"))
  ) {
    throw new Error(`npm run build:infra failed:\n${built.stderr}`);
  }
  stateDir = mkdtempSync(join(tmpdir(), "local-catalog-"));
  run = await startLocalRun({
    stacks: [
      { name: "movies-dev", json: synthesized("movies-dev") },
      { name: "catalog-dev", json: synthesized("catalog-dev") },
    ],
    stateDir,
    apiPort: 0,
    s3Port: 0,
    dynamodbPort: 0,
    lambdaPort: 0,
    log: (line) => logs.push(line),
  });
  urls = run.urls;
}, 120_000);

afterAll(async () => {
  await run?.stop();
  rmSync(stateDir, { recursive: true, force: true });
}, 30_000);

/** Polls the catalog's health route until its process listens (it starts beside the run). */
async function until(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await fetch(url).catch(() => undefined);
    if (response?.status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200:\n${logs.join("\n")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("npm start's catalog-dev", () => {
  it("lists the catalog's HTTP API ($default stage) with the routes its process serves", () => {
    const catalog = urls.apis.find((a) => a.stack === "catalog-dev");
    expect(catalog).toEqual({
      stack: "catalog-dev",
      address: "aws_ecs_service.catalog",
      name: "catalog-dev",
      stage: "$default",
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      routes: [
        { method: "GET", path: "/catalog/movies/{movieId}", service: "catalog-dev" },
        { method: "GET", path: "/health", service: "catalog-dev" },
      ],
    });
  });

  it("serves GET /catalog/movies/{movieId} from the movies stack's movie_infos, read through the link", async () => {
    const base = urls.apis.find((a) => a.stack === "catalog-dev")?.url as string;
    await until(`${base}/health`);
    const ddb = new DynamoDBClient({
      region: urls.region,
      endpoint: urls.dynamodb.endpoint,
      credentials: urls.credentials,
    });
    await ddb.send(
      new PutItemCommand({
        TableName: "movie_infos-dev",
        Item: { movie_id: { S: "mv1" }, name: { S: "Heat" } },
      }),
    );
    const found = await fetch(`${base}/catalog/movies/mv1`);
    expect([found.status, await found.json()]).toEqual([200, { movie_id: "mv1", name: "Heat" }]);
    const bad = await fetch(`${base}/catalog/movies/bad%20id`);
    expect(bad.status).toBe(400);
    // A path no route declares never reaches the process: the HTTP API's own 404.
    const unrouted = await fetch(`${base}/movies/mv1`);
    expect([unrouted.status, await unrouted.json()]).toEqual([404, { message: "Not Found" }]);
    expect(
      logs.some((l) => l.startsWith("[catalog-dev] ") && l.includes('"tableName":"movie_infos-dev"')),
    ).toBe(true);
  });
});
